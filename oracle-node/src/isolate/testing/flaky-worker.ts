/**
 * Test-only worker entry for create-worker-pool.test.ts: its first starts fail (it throws while loading, as a
 * worker whose modules cannot load does), the later ones serve echo tasks. The count of starts lives in a file
 * named by SIBYL_FLAKY_WORKER_COUNTER, with the number of starts to fail after a space: "<starts> <failures>".
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { serveWorkerTasks } from '../serve-worker-tasks.ts'

const counter = process.env.SIBYL_FLAKY_WORKER_COUNTER
if (!counter) throw new Error('SIBYL_FLAKY_WORKER_COUNTER is not set')
const [starts, failures] = readFileSync(counter, 'utf8').trim().split(' ').map(Number) as [number, number]
writeFileSync(counter, `${starts + 1} ${failures}`)
if (starts < failures) throw new Error(`start ${starts + 1} fails on purpose`)

serveWorkerTasks((message) => (message as { value: unknown }).value)
