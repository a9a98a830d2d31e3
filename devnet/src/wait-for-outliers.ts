/**
 * Waits, for at most a stated time, until the outlier reports of a request (or feed) name each of `signers` as
 * an outlier, and says who was named and who was not.
 *
 * Why every report and not the first: an aggregator reports a round once every active operator has answered,
 * or at the round's deadline. A dissenting observation that reaches it after that (a node slowed down by a
 * busy machine) is reported in a later report for the same request, its entry marked `late`; until then the
 * first report lists that node as a non-responder. A signer counts as named when any report so far lists it
 * among its outliers, so the answer depends on what the aggregator published, not on when each part ran.
 */
import type { OutlierMessage } from '@sibyl/protocol/messages'
import { sleepUnlessAborted } from '@sibyl/service-kit/time/sleep-unless-aborted'
import type { NetworkWatcher } from './watch-network.ts'

export type OutliersNamed = {
  /** The signers (as given) that some report lists as outliers. */
  named: string[]
  /** The signers (as given) that no report lists as an outlier yet. */
  missing: string[]
  /** Among `named`, those listed only in entries marked late (reported after the round had been reported). */
  late: string[]
  /** How many reports were read; the last is the latest. */
  reportCount: number
  latest: OutlierMessage | undefined
}

/** Whether an outlier entry was reported late (the `late` flag of later protocol versions; absent means on time). */
function isLate(entry: OutlierMessage['outliers'][number]): boolean {
  return (entry as { late?: unknown }).late === true
}

/** Who of `signers` the reports name as outliers (any report, any round). */
export function namedOutliers(reports: readonly OutlierMessage[], signers: readonly string[]): OutliersNamed {
  const onTime = new Set<string>()
  const late = new Set<string>()
  for (const report of reports) {
    for (const entry of report.outliers) (isLate(entry) ? late : onTime).add(entry.signer.toLowerCase())
  }
  const isNamed = (s: string) => onTime.has(s.toLowerCase()) || late.has(s.toLowerCase())
  return {
    named: signers.filter(isNamed),
    missing: signers.filter((s) => !isNamed(s)),
    late: signers.filter((s) => late.has(s.toLowerCase()) && !onTime.has(s.toLowerCase())),
    reportCount: reports.length,
    latest: reports.at(-1),
  }
}

export type WaitForOutliersParameters = {
  /** The oracle (for a request) or the feed's address (for a feed). */
  contract: string
  /** The request id, or the feed id. */
  requestId: string
  /** Signing addresses that must be named. */
  signers: readonly string[]
  /** The bound: after this long the answer says who is still missing. */
  timeoutMs: number
  everyMs?: number
  signal?: AbortSignal
  nowMs?: () => number
}

export type WaitForOutliersReturnType = OutliersNamed & { waitedMs: number; timedOut: boolean }

/** Reads the watcher's reports every `everyMs` (default 200 ms) until every signer is named, the bound passes or the signal aborts. */
export async function waitForOutliers(watcher: Pick<NetworkWatcher, 'reports'>, parameters: WaitForOutliersParameters): Promise<WaitForOutliersReturnType> {
  const { contract, requestId, signers, timeoutMs, signal } = parameters
  const nowMs = parameters.nowMs ?? Date.now
  const startedAtMs = nowMs()
  for (;;) {
    const found = namedOutliers(watcher.reports(contract, requestId), signers)
    const waitedMs = nowMs() - startedAtMs
    if (found.missing.length === 0) return { ...found, waitedMs, timedOut: false }
    if (waitedMs >= timeoutMs || signal?.aborted) return { ...found, waitedMs, timedOut: true }
    await sleepUnlessAborted(Math.min(parameters.everyMs ?? 200, timeoutMs - waitedMs), signal)
  }
}
