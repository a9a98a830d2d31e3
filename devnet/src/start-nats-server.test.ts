import test from 'ava'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect } from '@nats-io/transport-node'
import { freePort } from '@sibyl/contracts/anvil'
import { NatsServerStartError, removeNatsStore, startNatsServer, type NatsServer } from './start-nats-server.ts'

/** Something else listening on a loopback port, as another network's server would be. */
async function occupy(): Promise<{ port: number; server: Server }> {
  const server = createServer((socket) => socket.destroy())
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  return { port: typeof address === 'object' && address ? address.port : 0, server }
}

async function stopAll(servers: NatsServer[]): Promise<void> {
  for (const s of servers) {
    await s.stop()
    removeNatsStore(s)
  }
}

test('two servers started at once listen on ports of their own, and restart keeps the port and store', async (t) => {
  const [a, b] = await Promise.all([startNatsServer(), startNatsServer()])
  try {
    t.not(a.port, b.port)
    const nc = await connect({ servers: a.url })
    await nc.close()
    const again = await a.restart()
    t.is(again.port, a.port)
    t.is(again.storeDir, a.storeDir)
    await again.stop()
  } finally {
    await stopAll([a, b])
  }
})

test('a requested port that something else holds is an error, not a server: what answers there is not ours', async (t) => {
  const taken = await occupy()
  try {
    const error = await t.throwsAsync(startNatsServer({ port: taken.port, startTimeoutMs: 5000 }), { instanceOf: NatsServerStartError })
    t.regex(error?.details ?? '', /address already in use/)
  } finally {
    taken.server.close()
  }
})

test('a picked port lost to someone else before the server bound it: started again on a new one', async (t) => {
  const taken = await occupy()
  const picks = [taken.port]
  try {
    const server = await startNatsServer({ pickPort: async () => picks.shift() ?? freePort() })
    t.not(server.port, taken.port)
    t.is(picks.length, 0, 'the taken port was tried first')
    await stopAll([server])
  } finally {
    taken.server.close()
  }
})

test('a temporary store outlives stop() and restart(), and is gone when the process exits; a store the caller names stays', (t) => {
  const kept = mkdtempSync(join(tmpdir(), 'sibyl-nats-kept-'))
  t.teardown(() => rmSync(kept, { recursive: true, force: true }))
  // Red before: every test file that forgot removeNatsStore() left its store in the temp folder (26 a run).
  const script = `
    import { existsSync } from 'node:fs'
    import { startNatsServer } from ${JSON.stringify(new URL('./start-nats-server.ts', import.meta.url).pathname)}
    const temporary = await startNatsServer()
    const named = await startNatsServer({ storeDir: ${JSON.stringify(kept)} })
    await temporary.stop()
    const again = await temporary.restart()
    await again.stop()
    await named.stop()
    console.log(JSON.stringify({ store: temporary.storeDir, afterStop: existsSync(temporary.storeDir) }))`
  const out = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 }).trim()) as { store: string; afterStop: boolean }
  t.true(out.afterStop, 'the store is still there after stop() (restart() needs it)')
  t.false(existsSync(out.store), 'the temporary store is removed when the process exits')
  t.true(existsSync(join(kept, 'jetstream')), 'a store the caller named is the caller\'s')
})
