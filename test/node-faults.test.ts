/**
 * The node on a bad day, against a real anvil and nats-server: a full disk under its state (a tmpfs mount, so
 * this runs as root, as CI does), a question whose sources all fail, a request due in a month, and who may
 * read the files it keeps. Each test was written first and seen failing on the JSON-file state it replaces.
 */
import test from 'ava'
import { execFileSync } from 'node:child_process'
import { openSync, readdirSync, writeSync, closeSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { jetstream } from '@nats-io/jetstream'
import { connect, type NatsConnection } from '@nats-io/transport-node'
import { keccak256, parseEther, toUtf8Bytes, Wallet } from 'ethers'
import { pino } from 'pino'
import { increaseTime, latestTimestamp, localWallet, setBalance, startLocalNetwork, type LocalNetwork } from '@sibyl/devnet/local-network'
import { requestResolution } from '@sibyl/contracts/requests'
import { ResolutionOracle__factory } from '@sibyl/contracts/typechain'
import { buildObservation } from '@sibyl/protocol/testing/build-observation'
import { createOracleNode } from '@sibyl/oracle-node/node/oracle-node'
import type { Resolver } from '@sibyl/oracle-node/node/resolver'
import { createNodeMetrics } from '@sibyl/oracle-node/metrics/node-metrics'
import { openSigningJournal } from '@sibyl/oracle-node/signing/signing-journal'
import { openNodeDatabase } from '@sibyl/oracle-node/chain/open-node-database'
import { openNodeStateStore } from '@sibyl/oracle-node/chain/node-state'
import { signObservationSafely } from '@sibyl/oracle-node/signing/sign-observation-safely'
import { ensureStreams } from '@sibyl/service-kit/nats/ensure-streams'
import { startNatsServer, type NatsServer } from './helpers/nats-server.ts'
import { temporaryDir } from '@sibyl/service-kit/fs/temporary-dir'

let net: LocalNetwork
let nats: NatsServer
let nc: NatsConnection
let dir: string
const mounts: string[] = []
const silent = pino({ level: 'silent' })

function tinyDisk(sizeKb: number): string {
  const mnt = temporaryDir('sibyl-full-')
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', mnt])
  mounts.push(mnt)
  return mnt
}
function fillDisk(mnt: string): void {
  const fd = openSync(join(mnt, 'filler'), 'a')
  try {
    for (;;) writeSync(fd, Buffer.alloc(512))
  } catch {
    /* ENOSPC */
  } finally {
    closeSync(fd)
  }
}

test.before(async () => {
  ;[net, nats] = await Promise.all([startLocalNetwork({ operators: 4 }), startNatsServer()])
  nc = await connect({ servers: nats.url })
  await ensureStreams(nc)
  dir = temporaryDir('sibyl-faults-')
})
test.after.always(async () => {
  await nc?.drain().catch(() => undefined)
  await Promise.all([net?.stop(), nats?.stop()])
  // Lazily: a database a failed test left open must not keep the mount (and this process) alive.
  for (const m of mounts) execFileSync('umount', ['-l', m])
})

async function ask(resolveAfterSec: number, suffix: string): Promise<string> {
  const requester = localWallet('faults requester', 0, net.provider)
  await setBalance(net.provider, requester.address, parseEther('10'))
  await (await net.contracts.token.mint(requester.address, parseEther('10'))).wait()
  const now = await latestTimestamp(net.provider)
  const spec = JSON.stringify({ version: 1, type: 'text', question: `Will it rain? ${suffix}`, sources: [{ url: 'http://127.0.0.1:9/x' }], outcomes: ['Yes', 'No'] })
  const { requestId } = await requestResolution(net.contracts.token, net.contracts.oracle, requester, { spec, outcomes: ['Yes', 'No'], resolveAfter: now + resolveAfterSec, feeWei: parseEther('1') })
  return requestId
}

function countingOracle(counts: Map<string, number>) {
  const real = ResolutionOracle__factory.connect(net.deployment.contracts.resolutionOracle, net.provider)
  return new Proxy(real, {
    get(target, prop, receiver) {
      if (prop === 'getRequest') {
        return (id: string) => {
          counts.set(id.toLowerCase(), (counts.get(id.toLowerCase()) ?? 0) + 1)
          return target.getRequest(id)
        }
      }
      return Reflect.get(target, prop, receiver)
    },
  })
}

function nodeFor(name: string, resolver: Resolver, clock: { ms: number }, counts = new Map<string, number>(), stateDir = join(dir, name)) {
  const db = openNodeDatabase(join(stateDir, 'node.sqlite'))
  const journal = openSigningJournal(db)
  const metrics = createNodeMetrics({ node: name })
  const node = createOracleNode(
    {
      provider: net.provider,
      signer: net.operators[0]!.signer,
      oracle: countingOracle(counts),
      js: jetstream(nc),
      journal,
      store: openNodeStateStore(db),
      resolver,
      metrics,
      logger: silent,
      nowMs: () => clock.ms,
    },
    { deployment: net.deployment, confirmations: 0, maxBlockRange: 1000, maxConcurrentRequests: 4, pollIntervalMs: 2000 },
  )
  return { node, journal, metrics, stateDir, db }
}

async function metricValue(metrics: ReturnType<typeof createNodeMetrics>, name: string, labels: Record<string, string> = {}): Promise<number> {
  const values = (await metrics.registry.getSingleMetric(name)!.get()).values
  return values.filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l)).reduce((sum, v) => sum + v.value, 0)
}

const observed: Resolver = async () => ({ kind: 'observed', answer: 0n, confidenceBps: 9000, evidenceHash: keccak256(toUtf8Bytes('e')), modelHash: keccak256(toUtf8Bytes('m')), modelId: 'stub', reason: 'stub' })

test.serial('a full disk never yields `recorded` with a torn record, and a restart still refuses a different answer', async (t) => {
  const mnt = tinyDisk(1024)
  const path = join(mnt, 'node.sqlite')
  const domain = { chainId: 31337n, verifyingContract: '0x5FbDB2315678afecb367f032d93F642f64180aa3' }
  const signer = Wallet.createRandom()
  let db = openNodeDatabase(path)
  let journal = openSigningJournal(db)
  let round = 0
  for (; round < 5; round++) await signObservationSafely({ signer, journal, nowMs: () => 1 }, domain, buildObservation({ round, answer: 1n }))
  fillDisk(mnt)
  const target = buildObservation({ round: round, answer: 1n })
  let first: string
  try {
    first = (await signObservationSafely({ signer, journal, nowMs: () => 2 }, domain, target)).kind
  } catch {
    first = 'threw'
  }
  t.not(first, 'threw', 'a failed write is a value, not an exception')
  t.not(first, 'signed', 'nothing could be written, so nothing may be signed')
  db.close()
  // The restart happens on the same full disk.
  db = openNodeDatabase(path)
  journal = openSigningJournal(db)
  for (let r = 0; r < 5; r++) t.is((await signObservationSafely({ signer, journal, nowMs: () => 3 }, domain, buildObservation({ round: r, answer: 0n }))).kind, 'refused')
  const second = await signObservationSafely({ signer, journal, nowMs: () => 3 }, domain, { ...target, answer: 0n })
  t.log(`first attempt on a full disk: ${first}; after restart a different answer: ${second.kind}`)
  t.false(first === 'signed' && second.kind === 'signed', 'signed two different answers for one round')
  db.close()
})

test.serial('an end-of-tick state save that fails does not crash the node', async (t) => {
  const mnt = tinyDisk(1024)
  const clock = { ms: Date.now() }
  const { node, metrics, db } = nodeFor('save-fails', observed, clock, new Map(), mnt)
  const requestId = await ask(60, 'save-fails')
  await node.tick()
  t.true(node.pending().has(requestId))
  fillDisk(mnt)
  await increaseTime(net.provider, 61)
  const full = await node.tick()
  t.is(full.published, 0, 'nothing signed or published while the journal cannot be written')
  t.true((await metricValue(metrics, 'sibyl_signing_refusals_total', { reason: 'store_write_failed' })) >= 1)
  t.true((await metricValue(metrics, 'sibyl_state_store_write_errors_total', { operation: 'save_pending' })) >= 1)
  // Space comes back: after its backoff the question is judged, journaled, signed and published.
  rmSync(join(mnt, 'filler'))
  clock.ms += 60_000
  const recovered = await node.tick()
  t.true(recovered.published >= 1)
  t.deepEqual(node.pending().get(requestId)?.publishedRounds, [0])
  db.close()
})

test.serial('a question whose sources all fail is retried with a growing backoff, not on every tick', async (t) => {
  const requestId = (await ask(1, 'backoff')).toLowerCase()
  await increaseTime(net.provider, 2)
  let calls = 0
  const failing: Resolver = async (request) => {
    if (request.requestId.toLowerCase() === requestId) calls++
    return { kind: 'retry', reason: 'every source failed' }
  }
  const clock = { ms: Date.now() }
  const { node, db } = nodeFor('backoff', failing, clock)
  for (let i = 0; i < 30; i++) {
    await node.tick()
    clock.ms += 2000
  }
  t.log(`${calls} attempts in 30 ticks (60 s)`)
  t.true(calls >= 2, 'still retried')
  t.true(calls <= 5, `fetched ${calls} times in 60 s`)
  // Two hours on, it is still tried, never more than the cap (10 min) apart.
  const before = calls
  for (let i = 0; i < 120; i++) {
    await node.tick()
    clock.ms += 60_000
  }
  t.log(`${calls - before} attempts in the next 2 hours`)
  t.true(calls - before >= 10 && calls - before <= 16)
  const pending = [...node.pending().values()].find((p) => p.request.requestId.toLowerCase() === requestId)
  t.true(pending!.nextAttemptMs! - clock.ms <= 600_000)
  // The schedule is in the store: a restarted node does not start hammering again.
  const again = createOracleNodeOn(db, failing, clock)
  const reloaded = [...again.pending().values()].find((p) => p.request.requestId.toLowerCase() === requestId)
  t.deepEqual([reloaded?.failures, reloaded?.nextAttemptMs], [pending!.failures, pending!.nextAttemptMs])
  db.close()
})

test.serial('a request whose resolve-after is far away is not read on-chain every tick', async (t) => {
  const requestId = (await ask(30 * 86_400, 'far future')).toLowerCase()
  const counts = new Map<string, number>()
  const clock = { ms: Date.now() }
  const { node, db } = nodeFor('far-future', observed, clock, counts)
  for (let i = 0; i < 10; i++) {
    await node.tick()
    clock.ms += 2000
  }
  t.log(`${counts.get(requestId) ?? 0} getRequest reads in 10 ticks`)
  t.is(counts.get(requestId) ?? 0, 0)
  db.close()
})

test.serial('state and journal files are private to the node', async (t) => {
  const clock = { ms: Date.now() }
  const { node, stateDir, db, journal } = nodeFor('perms', observed, clock)
  await ask(1, 'perms')
  await increaseTime(net.provider, 2)
  await node.tick()
  t.true(journal.size() >= 1, 'something was journaled')
  const files = readdirSync(stateDir)
  t.true(files.includes('node.sqlite') && files.includes('node.sqlite-wal'))
  const modes = Object.fromEntries(files.map((f) => [f, (statSync(join(stateDir, f)).mode & 0o777).toString(8)]))
  t.log(modes, (statSync(stateDir).mode & 0o777).toString(8))
  for (const mode of Object.values(modes)) t.is(mode, '600')
  t.is((statSync(stateDir).mode & 0o777).toString(8), '700')
  db.close()
})

function createOracleNodeOn(db: ReturnType<typeof openNodeDatabase>, resolver: Resolver, clock: { ms: number }) {
  return createOracleNode(
    {
      provider: net.provider,
      signer: net.operators[0]!.signer,
      oracle: countingOracle(new Map()),
      js: jetstream(nc),
      journal: openSigningJournal(db),
      store: openNodeStateStore(db),
      resolver,
      metrics: createNodeMetrics({ node: 'again' }),
      logger: silent,
      nowMs: () => clock.ms,
    },
    { deployment: net.deployment, confirmations: 0, maxBlockRange: 1000, maxConcurrentRequests: 4, pollIntervalMs: 2000 },
  )
}
