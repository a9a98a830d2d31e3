/**
 * Test-only owner for start-ts-worker.test.ts: starts a pool of one worker process, gives it a task (argv[2]:
 * `sleep`, a timer that would keep it alive, or `spin`, a synchronous loop in which its event loop sees nothing),
 * prints its process id on stdout, then stays until it is killed (the test kills it with SIGKILL and watches the
 * worker go).
 */
import { createWorkerPool } from '../create-worker-pool.ts'

const pool = createWorkerPool({ entry: new URL('./test-worker.ts', import.meta.url), size: 1, isolation: 'process' })
const answer = await pool.run({ kind: 'pid' }, { timeoutMs: 60_000 })
if (!answer.ok) throw new Error(`no pid: ${answer.reason}`)
void pool.run(process.argv[2] === 'spin' ? { kind: 'spin' } : { kind: 'sleep', ms: 60_000 }, { timeoutMs: 120_000 })
process.stdout.write(`${String(answer.value)}\n`)
setInterval(() => undefined, 60_000)
