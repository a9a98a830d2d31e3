import test from 'ava'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { main } from './main.ts'

async function sibyl(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const code = await main(args, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env: {} })
  return { code, out, err }
}

// An nkey seed is a 58-character base32 word starting SU/SA/SO; a public key (56 characters) may contain "SA" by chance.
const seedOrKey = /(?<![A-Z2-7])S[UAO][A-Z2-7]{56}(?![A-Z2-7])|PRIVATE KEY|BEGIN NATS/

test('sibyl nats init, add and revoke write secrets 0600, print none, and keep the operator', async (t) => {
  const dir = join(mkdtempSync(join(tmpdir(), 'sibyl-nats-cli-')), 'nats')
  try {
    const init = await sibyl(['nats', 'init', '--out', dir, '--chain-id', '31337', '--server', 'nats-1=nats-1', '--server', 'nats-2=nats-2', '--server', 'nats-3=nats-3',
      '--node', 'node-1=0x52080536f2A0756f7373877B54d73eaDec2500AB', '--aggregator', 'aggregator-1', '--reader', 'explorer'])
    t.is(init.code, 0, init.err)
    t.notRegex(init.out + init.err, seedOrKey)
    const created = JSON.parse(init.out.trim()) as { identities: { name: string; creds: string }[]; servers: { config: string }[] }
    t.deepEqual(created.identities.map((i) => i.name).sort(), ['admin', 'aggregator-1', 'explorer', 'node-1'])
    for (const i of created.identities) t.is(statSync(i.creds).mode & 0o777, 0o600)
    const before = readFileSync(created.servers[0]!.config, 'utf8')
    t.regex(before, /routes: \[\n {4}"nats-route:\/\/nats-2:6222"/)
    t.is((await sibyl(['nats', 'init', '--out', dir, '--chain-id', '31337'])).code, 1, 'never overwrites a deployment')
    t.is((await sibyl(['nats', 'init', '--out', dir, '--chain-id', '31337', '--if-absent'])).code, 0)

    const add = await sibyl(['nats', 'add', '--dir', dir, '--node', 'node-2=0xEc13798d3D384612f7a2d5420A5eA67d16D88dDd'])
    t.is(add.code, 0, add.err)
    t.notRegex(add.out, seedOrKey)
    const revoke = await sibyl(['nats', 'revoke', '--dir', dir, '--name', 'node-1'])
    t.is(revoke.code, 0, revoke.err)
    const after = readFileSync(created.servers[0]!.config, 'utf8')
    const operatorLine = (s: string) => s.split('\n').find((l) => l.startsWith('operator:'))
    t.is(operatorLine(after), operatorLine(before), 'servers can reload it: the operator is unchanged')
    t.not(after, before, 'the account JWT carries the revocation')
    t.is((await sibyl(['nats', 'add', '--dir', dir, '--node', 'node-3=nope'])).code, 2)
  } finally {
    rmSync(join(dir, '..'), { recursive: true, force: true })
  }
})

test('sibyl nats provision, as the admin identity, brings the streams to their limits and says what it did', async (t) => {
  const { startNatsCluster } = await import('@sibyl/devnet/start-nats-cluster')
  const workDir = mkdtempSync(join(tmpdir(), 'sibyl-nats-provision-'))
  const cluster = await startNatsCluster({ size: 1, workDir, chainIds: [31337] })
  try {
    const admin = cluster.admin
    const run = await sibyl(['nats', 'provision', '--servers', admin.servers.join(','), '--credentials', admin.credentialsFile, '--ca', admin.tls!.caFile, '--chain-id', '31337'])
    t.is(run.code, 0, run.err)
    const lines = run.out.trim().split('\n').map((l) => JSON.parse(l) as { name: string; action: string })
    t.deepEqual(lines.map((l) => l.name).sort(), ['KV_sibyl_rounds_31337', 'SIBYL_OBSERVATIONS', 'SIBYL_OUTLIERS'])
    t.true(lines.every((l) => l.action === 'unchanged'), run.out)
    // A reader may not provision.
    const reader = cluster.reader
    const refused = await sibyl(['nats', 'provision', '--servers', reader.servers.join(','), '--credentials', reader.credentialsFile, '--ca', reader.tls!.caFile, '--chain-id', '1'])
    t.is(refused.code, 1)
    t.regex(refused.err, /permissions violation/i)
  } finally {
    await cluster.stop()
    rmSync(workDir, { recursive: true, force: true })
  }
})
