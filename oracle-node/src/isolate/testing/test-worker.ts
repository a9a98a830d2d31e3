/** Test-only worker entry for create-worker-pool.test.ts and start-ts-worker.test.ts: echoes, spins, throws, exits, or says its process id or environment on request. */
import { serveWorkerTasks } from '../serve-worker-tasks.ts'

serveWorkerTasks((message) => {
  const task = message as { kind: 'echo'; value: unknown } | { kind: 'spin' } | { kind: 'throw' } | { kind: 'exit' } | { kind: 'sleep'; ms: number } | { kind: 'pid' } | { kind: 'env'; names: string[] }
  if (task.kind === 'echo') return task.value
  if (task.kind === 'pid') return process.pid
  if (task.kind === 'env') return task.names.map((name) => process.env[name] ?? null)
  if (task.kind === 'spin') for (;;) {
    // a parse that never ends
  }
  if (task.kind === 'throw') throw new Error('the handler failed')
  if (task.kind === 'sleep') return new Promise((r) => setTimeout(() => r('slept'), task.ms))
  process.exit(3)
})
