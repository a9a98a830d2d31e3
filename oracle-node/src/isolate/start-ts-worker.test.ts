/**
 * Workers as child processes (`workers.isolation: process`, the node's default): the pool's contract holds as it
 * does for threads (results, budgets, replacement, niceness), the worker is another process, and a node killed
 * outright leaves no worker process behind. In either mode a worker never sees the variables that hold the node's
 * secrets.
 */
import test from 'ava'
import { spawn } from 'node:child_process'
import { createWorkerPool } from './create-worker-pool.ts'
import { pageWorkerNiceness } from './serve-worker-tasks.ts'

const entry = new URL('./testing/test-worker.ts', import.meta.url)

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function waitUntil(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (check()) return true
    await new Promise((r) => setTimeout(r, 50))
  }
  return check()
}

test('a worker process answers tasks, copies typed values, and a spinning task is cut and its process killed', async (t) => {
  const pool = createWorkerPool({ entry, size: 1, isolation: 'process' })
  try {
    const pid = await pool.run({ kind: 'pid' }, { timeoutMs: 60_000 })
    if (!pid.ok) return t.fail(pid.reason)
    t.not(pid.value, process.pid, 'the task ran in another process')
    t.deepEqual(await pool.run({ kind: 'echo', value: { a: [1, 2n], bytes: new Uint8Array([1, 2, 3]) } }), { ok: true, value: { a: [1, 2n], bytes: new Uint8Array([1, 2, 3]) } })
    t.like(await pool.run({ kind: 'spin' }, { timeoutMs: 300 }), { ok: false, reason: 'budget_exceeded' })
    t.true(await waitUntil(() => !alive(pid.value as number), 5_000), 'the spinning process is gone')
    t.is(pool.stats().replaced, 1)
    const next = await pool.run({ kind: 'pid' }, { timeoutMs: 60_000 })
    t.true(next.ok && next.value !== pid.value, 'a new process took its place')
    t.like(await pool.run({ kind: 'exit' }, { timeoutMs: 60_000 }), { ok: false, reason: 'worker_failed' })
  } finally {
    await pool.close()
  }
})

test('a worker process runs at the page workers\' niceness from its first module on (Linux)', async (t) => {
  if (process.platform !== 'linux') return t.pass('niceness per process is read from /proc')
  const pool = createWorkerPool({ entry: new URL('./testing/niceness-worker.ts', import.meta.url), size: 1, isolation: 'process' })
  try {
    t.deepEqual(await pool.run({}, { timeoutMs: 60_000 }), { ok: true, value: pageWorkerNiceness })
  } finally {
    await pool.close()
  }
})

for (const task of ['sleep', 'spin'] as const) {
  test(`a node killed with SIGKILL leaves no worker process behind (worker ${task === 'spin' ? 'stuck in a synchronous loop' : 'waiting on a timer'})`, async (t) => {
    const owner = spawn(process.execPath, ['--import', 'tsx', new URL('./testing/process-worker-owner.ts', import.meta.url).pathname, task], { stdio: ['ignore', 'pipe', 'inherit'] })
    t.teardown(() => owner.kill('SIGKILL'))
    const pid = await new Promise<number>((resolve, reject) => {
      let out = ''
      owner.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString()
        if (out.includes('\n')) resolve(Number(out.trim()))
      })
      owner.once('exit', (code) => reject(new Error(`the owner exited (${code}) before its worker answered`)))
    })
    t.teardown(() => {
      if (alive(pid)) process.kill(pid, 'SIGKILL')
    })
    t.true(Number.isInteger(pid) && pid !== owner.pid && alive(pid), `worker ${pid} runs`)
    await new Promise((r) => setTimeout(r, 300)) // the task has started
    owner.kill('SIGKILL')
    t.true(await waitUntil(() => !alive(pid), 10_000), `worker ${pid} outlived its owner`)
  })
}

for (const isolation of ['process', 'thread'] as const) {
  test(`a ${isolation} worker does not see the node's secrets in its environment`, async (t) => {
    // The names an operator might give the signing key, its keystore password and a NATS token.
    const secrets = { SIBYL_NODE_KEY: '0x' + '11'.repeat(32), KEY_PASSWORD: 'hunter2', NATS_TOKEN: 'tok', ORACLE_PRIVATE_KEY: 'pk' }
    const plain = { SIBYL_MODEL_CACHE: '/tmp/models-test', MONKEY_BUSINESS: 'kept' }
    Object.assign(process.env, secrets, plain)
    t.teardown(() => {
      for (const name of [...Object.keys(secrets), ...Object.keys(plain)]) delete process.env[name]
    })
    const pool = createWorkerPool({ entry, size: 1, isolation })
    try {
      const seen = await pool.run({ kind: 'env', names: [...Object.keys(secrets), ...Object.keys(plain)] }, { timeoutMs: 60_000 })
      t.deepEqual(seen, { ok: true, value: [null, null, null, null, '/tmp/models-test', 'kept'] })
    } finally {
      await pool.close()
    }
  })
}
