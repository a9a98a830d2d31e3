/**
 * Entry of a page worker thread (create-worker-pool.ts starts it): reads fetched pages and builds evidence
 * bundles, one task at a time, off the node's event loop.
 */
import { runEvidenceTask, type EvidenceTask } from './run-evidence-task.ts'
import { runPageTask, type PageTask } from './run-page-task.ts'
import { serveWorkerTasks } from './serve-worker-tasks.ts'

export type PageWorkerTask = ({ kind: 'read' } & PageTask) | ({ kind: 'evidence' } & EvidenceTask)

serveWorkerTasks((message) => {
  const task = message as PageWorkerTask
  if (task.kind === 'read') return runPageTask(task)
  if (task.kind === 'evidence') return runEvidenceTask(task)
  throw new Error(`unknown page worker task ${String((task as { kind?: unknown }).kind).slice(0, 40)}`)
})
