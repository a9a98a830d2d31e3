/**
 * What the demo's verdict reads about the lying nodes, waited for with stated bounds, so that the verdict does
 * not depend on which part of a busy machine ran first.
 *
 * For a committed request:
 * 1. Every node's observation, or its absence: at most `observationTimeoutMs` after the commit. The commit
 *    needs every honest node here (n = 4, quorum 3), so only a liar can be missing. A liar that was judging when
 *    the commit landed, or reached the request only after it, still publishes: a node judges a committed
 *    request once (its answer is dispute evidence), so a node is silent only if it failed.
 * 2. An outlier report that accounts for each liar: named as an outlier (in the round's report, or in a later
 *    report marked late when its observation arrived after the round was reported). A silent liar is a failure
 *    of the demo, reported as such. At most `reportTimeoutMs`.
 * For the feed: a report of any round naming each liar, at most `reportTimeoutMs`.
 *
 * Every wait says what it waits for and for how long, through `emit`, before it starts.
 */
import { pollUntil } from '@sibyl/service-kit/time/poll-until'
import { accountForOutliers, waitForOutliers } from '../wait-for-outliers.ts'
import type { NetworkWatcher } from '../watch-network.ts'
import type { FeedRow, QuestionRow } from './demo-state.ts'

export type EvidenceContext = {
  watcher: Pick<NetworkWatcher, 'reports'>
  /** The ResolutionOracle's address. */
  oracle: string
  /** Every node: its name and signing address. */
  nodes: readonly { name: string; signer: string }[]
  /** Signing addresses of the lying nodes. */
  liars: readonly string[]
  nameOf: (address: string) => string
  emit: (subject: string, text: string) => void
  changed: () => void
  /** Bound on waiting for every node's observation, counted from the commit. */
  observationTimeoutMs: number
  /** Bound on waiting for the report that accounts for each liar. */
  reportTimeoutMs: number
  signal?: AbortSignal
}

const seconds = (ms: number) => Math.ceil(ms / 1000)

/** The row's view of every report for its request so far; a new report is told once. */
export function refreshRowReport(ctx: EvidenceContext, row: QuestionRow): void {
  if (!row.requestId) return
  const reports = ctx.watcher.reports(ctx.oracle, row.requestId)
  if (reports.length === 0 || reports.length === row.report?.count) return
  const found = accountForOutliers(reports, ctx.nodes.map((n) => n.signer))
  const named = new Set(found.named.map((a) => a.toLowerCase()))
  row.report = {
    outliers: found.named.map(ctx.nameOf),
    late: found.late.map(ctx.nameOf),
    nonResponders: (found.latest?.nonResponders ?? []).filter((a) => !named.has(a.toLowerCase())).map(ctx.nameOf),
    count: reports.length,
  }
  const outliers = row.report.outliers.map((o) => (row.report!.late!.includes(o) ? `${o} (late)` : o)).join(', ')
  const silent = row.report.nonResponders.length > 0 ? `; silent: ${row.report.nonResponders.join(', ')}` : ''
  ctx.emit(row.key, `${reports.length > 1 ? `revised outlier report (${reports.length})` : 'outlier report'}: ${outliers || 'no outliers'}${silent}`)
  ctx.changed()
}

/**
 * Step 1 above, run right after the commit and before the request is finalized: a node judges a committed
 * request but not a final one, so the demo gives every node its bounded chance before it closes the window.
 */
export async function awaitObservations(ctx: EvidenceContext, row: QuestionRow): Promise<void> {
  if (!row.requestId || !row.commit || row.requestedAtMs === undefined || row.silent !== undefined) return
  const committedAtMs = row.requestedAtMs + row.commit.afterMs
  const silent = () => ctx.nodes.filter((n) => !row.observations.has(n.name)).map((n) => n.name)
  if (silent().length > 0) {
    const leftMs = Math.max(0, committedAtMs + ctx.observationTimeoutMs - Date.now())
    ctx.emit(row.key, `waiting up to ${seconds(leftMs)} s for the observation of ${silent().join(', ')} (the bound: ${seconds(ctx.observationTimeoutMs)} s after the commit)`)
    await pollUntil(`the observations of ${row.key}`, async () => silent().length === 0, { timeoutMs: leftMs, everyMs: 200, ...(ctx.signal ? { signal: ctx.signal } : {}) }).catch(() => undefined)
    if (silent().length > 0) {
      row.silent = silent()
      ctx.emit(row.key, `no observation from ${row.silent.join(', ')} within ${seconds(ctx.observationTimeoutMs)} s of the commit (it reached the request only after the commit, or not at all)`)
      ctx.changed()
    }
  }
  row.silent ??= []
}

/** Steps 1 (if not done yet) and 2 above for a committed request; records silent nodes and unaccounted liars. */
export async function awaitQuestionEvidence(ctx: EvidenceContext, row: QuestionRow): Promise<void> {
  if (!row.requestId || !row.commit || row.requestedAtMs === undefined) return
  await awaitObservations(ctx, row)
  const answered = ctx.liars.filter((s) => row.observations.has(ctx.nameOf(s)))
  const quiet = ctx.liars.filter((s) => !row.observations.has(ctx.nameOf(s)))
  if (answered.length + quiet.length === 0) return
  refreshRowReport(ctx, row)
  const before = accountForOutliers(ctx.watcher.reports(ctx.oracle, row.requestId), answered, quiet)
  if (before.missing.length > 0) {
    const what = [
      ...(answered.some((s) => before.missing.includes(s)) ? [`naming ${answered.filter((s) => before.missing.includes(s)).map(ctx.nameOf).join(', ')} as outlier`] : []),
      ...(quiet.some((s) => before.missing.includes(s)) ? [`listing ${quiet.filter((s) => before.missing.includes(s)).map(ctx.nameOf).join(', ')} as silent`] : []),
    ].join(' and ')
    ctx.emit(row.key, `waiting up to ${seconds(ctx.reportTimeoutMs)} s for an outlier report ${what}`)
  }
  const found = await waitForOutliers(ctx.watcher, {
    contract: ctx.oracle,
    requestId: row.requestId,
    signers: answered,
    silent: quiet,
    timeoutMs: ctx.reportTimeoutMs,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  })
  refreshRowReport(ctx, row)
  row.unaccounted = found.missing.map(ctx.nameOf)
  if (found.missing.length > 0) {
    const latest = found.latest
      ? `the latest of ${found.reportCount} report(s) names ${found.latest.outliers.map((o) => ctx.nameOf(o.signer)).join(', ') || 'no outliers'} and lists ${found.latest.nonResponders.map(ctx.nameOf).join(', ') || 'nobody'} as silent`
      : 'there is no report'
    ctx.emit(row.key, `no outlier report accounted for ${row.unaccounted.join(', ')} within ${seconds(ctx.reportTimeoutMs)} s; ${latest}`)
  } else if (before.missing.length > 0) {
    ctx.emit(row.key, `reported after ${(found.waitedMs / 1000).toFixed(1)} s of waiting: ${[...found.named.map((s) => `${ctx.nameOf(s)} as outlier${found.late.includes(s) ? ' (late)' : ''}`), ...found.listedSilent.map((s) => `${ctx.nameOf(s)} as silent`)].join(', ')}`)
  }
  ctx.changed()
}

/** The feed: a report of any round naming each liar. */
export async function awaitFeedEvidence(ctx: EvidenceContext, feed: FeedRow): Promise<void> {
  const pending = ctx.liars.filter((l) => !feed.outliers.has(ctx.nameOf(l)))
  if (pending.length === 0) return
  ctx.emit(feed.description, `waiting up to ${seconds(ctx.reportTimeoutMs)} s for an outlier report naming ${pending.map(ctx.nameOf).join(', ')}`)
  const found = await waitForOutliers(ctx.watcher, { contract: feed.address, requestId: feed.feedId, signers: ctx.liars, timeoutMs: ctx.reportTimeoutMs, ...(ctx.signal ? { signal: ctx.signal } : {}) })
  for (const l of found.named) feed.outliers.add(ctx.nameOf(l))
  ctx.changed()
  if (found.missing.length > 0) ctx.emit(feed.description, `no outlier report named ${found.missing.map(ctx.nameOf).join(', ')} within ${seconds(ctx.reportTimeoutMs)} s`)
}
