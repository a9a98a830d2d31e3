/**
 * A warning that repeats every tick (a feed source down, a signer not active) is worth one line when it starts,
 * a reminder now and then with how often it happened since, and one line when it stops; not a line every 2 s.
 */
export type RepeatedWarnings = {
  /** Call on every occurrence of `key`; returns what to log now, or undefined to stay quiet. */
  occurred: (key: string, nowMs: number) => { repeats: number } | undefined
  /** Call when `key` is fine again; returns true once when it had been warned about. */
  recovered: (key: string) => boolean
}

export function limitRepeatedWarnings({ everyMs = 300_000, maxKeys = 1000 }: { everyMs?: number; maxKeys?: number } = {}): RepeatedWarnings {
  const seen = new Map<string, { lastWarnMs: number; suppressed: number }>()
  return {
    occurred(key, nowMs) {
      const entry = seen.get(key)
      if (entry === undefined) {
        // Bounded: keys are feed and reason names, but a bound costs nothing.
        if (seen.size >= maxKeys) seen.delete(seen.keys().next().value!)
        seen.set(key, { lastWarnMs: nowMs, suppressed: 0 })
        return { repeats: 0 }
      }
      if (nowMs - entry.lastWarnMs < everyMs) {
        entry.suppressed++
        return undefined
      }
      const repeats = entry.suppressed
      entry.lastWarnMs = nowMs
      entry.suppressed = 0
      return { repeats }
    },
    recovered(key) {
      return seen.delete(key)
    },
  }
}
