/**
 * Test-only worker entry for create-worker-pool.test.ts: answers every task with the thread's niceness as it
 * was when this module was loaded, before serveWorkerTasks ran (Linux, /proc/thread-self/stat; null elsewhere).
 */
import { readFileSync } from 'node:fs'
import { serveWorkerTasks } from '../serve-worker-tasks.ts'

function readNiceness(): number | null {
  try {
    // Fields after the command name (which may hold spaces): niceness is field 19 of the line, 17th after ")".
    const stat = readFileSync('/proc/thread-self/stat', 'utf8')
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])
  } catch {
    return null
  }
}

const nicenessAtLoad = readNiceness()
serveWorkerTasks(() => nicenessAtLoad)
