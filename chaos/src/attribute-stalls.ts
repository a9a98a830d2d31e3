/**
 * Whose stall was it? A service's monitor logs every stall of its event loop over `loggedOverMs` as it ends
 * (`ownMs`: the gap less the time its thread waited for a core; `wallMs`; `endedAtMonotonicUs`). A reference
 * process with no work of its own (reference-probe.ts) logs its stalls on the same clock. Where a service's
 * stall overlaps a reference stall, the overlap (at most the reference's own stall) was the machine's — a paused
 * or descheduled virtual machine stops every process together — and is taken out; the rest is the service's.
 * Two limits keep this from hiding a service's own work: the machine's part is never more than the part of the
 * service's stall it spent off a CPU (ownMs − onCpuMs: a machine pause does not run the service's code), and a
 * reference stall with a major page fault in it is not the machine's (the idle process itself read the disk,
 * which a service's own disk traffic can cause).
 *
 * Per service: the raw figure is its gauge; the attributed figure is the largest logged stall less the machine's
 * part, and at least what the log cannot show (stalls under `loggedOverMs` are not logged, so a service whose
 * gauge is over that keeps min(gauge, loggedOverMs) as a floor). A gauge whose stall is not in the log (a line
 * lost with a killed process) cannot be attributed and stands as it is. Nothing is attributed below zero.
 */
export type Stall = { ownMs: number; wallMs: number; endedAtMonotonicUs: number; onCpuMs?: number; majorFaults?: number }

export type AttributeStallsParameters = {
  /** Per service: its gauge (the largest own stall it saw) and the stalls it logged. */
  services: Record<string, { gaugeMs: number; stalls: readonly Stall[] }>
  /** The reference process's stalls. */
  reference: readonly Stall[]
  loggedOverMs: number
}

export type AttributedStall = Stall & { service: string; machineMs: number; attributedMs: number }

export type AttributeStallsReturnType = {
  /** Per service: the largest stall of its own after the machine's part is taken out. */
  attributedMaxMsByService: Record<string, number>
  /** Every logged service stall, with the machine's part and what is left. */
  stalls: AttributedStall[]
}

export function attributeStalls({ services, reference, loggedOverMs }: AttributeStallsParameters): AttributeStallsReturnType {
  const attributedMaxMsByService: Record<string, number> = {}
  const stalls: AttributedStall[] = []
  for (const [service, { gaugeMs, stalls: logged }] of Object.entries(services)) {
    let max = Math.min(gaugeMs, loggedOverMs)
    for (const s of logged) {
      const machineMs = machinePart(s, reference)
      const attributedMs = round2(Math.max(0, s.ownMs - machineMs))
      stalls.push({ ...s, service, machineMs: round2(machineMs), attributedMs })
      max = Math.max(max, attributedMs)
    }
    // A gauge under the logging threshold has no logged stalls to correct, and one whose stall the log does not
    // hold cannot be corrected: either stands as it is.
    const gaugeLogged = logged.some((s) => Math.abs(s.ownMs - gaugeMs) <= GAUGE_MATCH_MS)
    attributedMaxMsByService[service] = round2(gaugeMs <= loggedOverMs || !gaugeLogged ? gaugeMs : Math.min(gaugeMs, max))
  }
  return { attributedMaxMsByService, stalls }
}

/** The part of a stall during which the reference process was stalled too (its own stall, not its waiting for a core). */
function machinePart(s: Stall, reference: readonly Stall[]): number {
  const start = s.endedAtMonotonicUs - s.wallMs * 1000
  let total = 0
  for (const r of reference) {
    if ((r.majorFaults ?? 0) > 0) continue
    const rStart = r.endedAtMonotonicUs - r.wallMs * 1000
    const overlapMs = (Math.min(s.endedAtMonotonicUs, r.endedAtMonotonicUs) - Math.max(start, rStart)) / 1000
    if (overlapMs > 0) total += Math.min(overlapMs, r.ownMs)
  }
  return Math.min(total, s.onCpuMs === undefined ? s.ownMs : Math.max(0, s.ownMs - s.onCpuMs))
}

/** The stalls in a service's log (pino JSON lines; other lines are skipped). */
export function readLoggedStalls(log: string): Stall[] {
  const out: Stall[] = []
  for (const line of log.split('\n')) {
    if (!line.includes('"endedAtMonotonicUs"')) continue
    try {
      const j = JSON.parse(line) as Partial<Stall>
      if ([j.ownMs, j.wallMs, j.endedAtMonotonicUs].every((v) => typeof v === 'number' && Number.isFinite(v))) {
        out.push({ ownMs: j.ownMs!, wallMs: j.wallMs!, endedAtMonotonicUs: j.endedAtMonotonicUs!, ...(typeof j.onCpuMs === 'number' && Number.isFinite(j.onCpuMs) ? { onCpuMs: j.onCpuMs } : {}), ...(typeof j.majorFaults === 'number' && Number.isFinite(j.majorFaults) ? { majorFaults: j.majorFaults } : {}) })
      }
    } catch {
      // A torn or foreign line: not a stall record.
    }
  }
  return out
}

const round2 = (v: number) => Math.round(v * 100) / 100
/** A logged stall is the gauge's when their figures agree this closely (both rounded to 0.01 ms). */
const GAUGE_MATCH_MS = 0.02
