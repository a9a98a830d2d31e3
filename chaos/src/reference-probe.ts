/**
 * The chaos suite's control for the event-loop figure: a process that does nothing but run the same monitor as
 * the services (service-kit/metrics/monitor-event-loop.ts). It has no work of its own, so a stall it sees, with
 * its waiting for a core already left out, is the machine's: the virtual machine paused, or its CPUs taken
 * away, for every process at once. Each stall over 10 ms is written to stdout as a JSON line
 * `{ ownMs, wallMs, endedAtMonotonicUs }`; the services log theirs with the same monotonic clock, and
 * attribute-stalls.ts takes the overlap out of theirs. `node --import tsx chaos/src/reference-probe.ts`; stops on
 * SIGTERM.
 */
import { Registry } from 'prom-client'
import { monitorEventLoop } from '@sibyl/service-kit/metrics/monitor-event-loop'

const monitor = monitorEventLoop({
  registry: new Registry(),
  reportStallsOverMs: 10,
  onStall: (stall) => process.stdout.write(`${JSON.stringify(stall)}\n`),
})
const keepAlive = setInterval(() => undefined, 60_000)
process.once('SIGTERM', () => {
  monitor.stop()
  clearInterval(keepAlive)
})
process.stdout.write(`${JSON.stringify({ started: true, pid: process.pid })}\n`)
