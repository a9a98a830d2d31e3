/**
 * Waits, for at most a stated time, until the outlier reports of a request (or feed) account for given
 * signers, and says who is accounted for and who is not:
 * - a signer whose observation arrived must be named as an outlier by some report;
 * - a signer that never answered (`silent`) must be named as an outlier by some report, or listed as a
 *   non-responder by the latest one.
 *
 * Why every report and not the first: an aggregator reports a round once every active operator has answered,
 * or at the round's deadline. A dissenting observation that reaches it after that (a node slowed down by a
 * busy machine) is reported in a later report for the same request, its entry marked `late`; until then the
 * first report lists that node as a non-responder. So the answer depends on what the aggregator published,
 * not on when each part ran.
 */
import type { OutlierMessage } from '@sibyl/protocol/messages'
import { sleepUnlessAborted } from '@sibyl/service-kit/time/sleep-unless-aborted'
import type { NetworkWatcher } from './watch-network.ts'

export type OutliersAccounted = {
  /** The signers (as given, `signers` then `silent`) that some report names as outliers. */
  named: string[]
  /** Among `named`, those named only in entries marked late (reported after the round had been reported). */
  late: string[]
  /** Among `silent`, those the latest report lists as non-responders (and no report names as outliers). */
  listedSilent: string[]
  /** The signers (as given) not accounted for yet. */
  missing: string[]
  /** How many reports were read; the last is the latest. */
  reportCount: number
  latest: OutlierMessage | undefined
}

/** Who of `signers` (and of `silent`) the reports account for; see the top of this file. */
export function accountForOutliers(reports: readonly OutlierMessage[], signers: readonly string[], silent: readonly string[] = []): OutliersAccounted {
  const onTime = new Set<string>()
  const late = new Set<string>()
  for (const report of reports) {
    for (const entry of report.outliers) (entry.late ? late : onTime).add(entry.signer.toLowerCase())
  }
  const latest = reports.at(-1)
  const nonResponders = new Set((latest?.nonResponders ?? []).map((a) => a.toLowerCase()))
  const isNamed = (s: string) => onTime.has(s.toLowerCase()) || late.has(s.toLowerCase())
  const all = [...signers, ...silent]
  const listedSilent = silent.filter((s) => !isNamed(s) && nonResponders.has(s.toLowerCase()))
  return {
    named: all.filter(isNamed),
    late: all.filter((s) => late.has(s.toLowerCase()) && !onTime.has(s.toLowerCase())),
    listedSilent,
    missing: [...signers.filter((s) => !isNamed(s)), ...silent.filter((s) => !isNamed(s) && !listedSilent.includes(s))],
    reportCount: reports.length,
    latest,
  }
}

export type WaitForOutliersParameters = {
  /** The oracle (for a request) or the feed's address (for a feed). */
  contract: string
  /** The request id, or the feed id. */
  requestId: string
  /** Signing addresses whose observation arrived: each must be named as an outlier. */
  signers: readonly string[]
  /** Signing addresses that never answered: each must be named as an outlier or listed as a non-responder. */
  silent?: readonly string[]
  /** The bound: after this long the answer says who is still missing. */
  timeoutMs: number
  everyMs?: number
  signal?: AbortSignal
  nowMs?: () => number
}

export type WaitForOutliersReturnType = OutliersAccounted & { waitedMs: number; timedOut: boolean }

/** Reads the watcher's reports every `everyMs` (default 200 ms) until every signer is accounted for, the bound passes or the signal aborts. */
export async function waitForOutliers(watcher: Pick<NetworkWatcher, 'reports'>, parameters: WaitForOutliersParameters): Promise<WaitForOutliersReturnType> {
  const { contract, requestId, signers, silent = [], timeoutMs, signal } = parameters
  const nowMs = parameters.nowMs ?? Date.now
  const startedAtMs = nowMs()
  for (;;) {
    const found = accountForOutliers(watcher.reports(contract, requestId), signers, silent)
    const waitedMs = nowMs() - startedAtMs
    if (found.missing.length === 0) return { ...found, waitedMs, timedOut: false }
    if (waitedMs >= timeoutMs || signal?.aborted) return { ...found, waitedMs, timedOut: true }
    await sleepUnlessAborted(Math.min(parameters.everyMs ?? 200, timeoutMs - waitedMs), signal)
  }
}
