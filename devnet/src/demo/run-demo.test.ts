/**
 * The demo's verdict: first from hand-made states (every way a liar can be accounted for, or not), then on a
 * real network whose liar is slower than the aggregator's round deadline, the case a busy machine produces by
 * chance: the demo must wait for the late report and pass, every time.
 */
import test from 'ava'
import { startE2eNetwork } from '../start-e2e-network.ts'
import { buildDemoState, buildQuestionRow } from './testing/build-question-row.ts'
import { runDemo, summarizeDemo } from './run-demo.ts'

const buildRow = buildQuestionRow
const buildState = buildDemoState
const silentRow = (listed: boolean) =>
  buildRow({ key: 'nwc-above-100', observations: new Map([['node-1', 0n], ['node-2', 0n], ['node-3', 0n]]), silent: ['node-4'], report: { outliers: [], nonResponders: listed ? ['node-4'] : [], count: 1 } })

test('the verdict: a liar named on time or late passes; a silent liar or an unnamed one fails, and is named', (t) => {
  t.like(summarizeDemo(buildState([buildRow()]), ['node-4'], 1), { ok: true, liarReported: true, unreported: [] })
  const late = summarizeDemo(buildState([buildRow({ report: { outliers: ['node-4'], late: ['node-4'], nonResponders: [], count: 2 } })]), ['node-4'], 1)
  t.like(late, { ok: true, unreported: [] })
  t.deepEqual(late.questions[0]!.lateOutliers, ['node-4'])
  // A node judges even a request committed before it got to it: silence is a failure, listed or not.
  t.like(summarizeDemo(buildState([buildRow(), silentRow(true)]), ['node-4'], 1), { ok: false, unreported: ['nwc-above-100: node-4 (silent: no observation within the bound)'] })
  t.deepEqual(summarizeDemo(buildState([buildRow(), silentRow(false)]), ['node-4'], 1).unreported, ['nwc-above-100: node-4 (silent: no observation within the bound)'])
  const unnamed = summarizeDemo(buildState([buildRow({ report: { outliers: [], nonResponders: ['node-4'], count: 1 } })]), ['node-4'], 1)
  t.like(unnamed, { ok: false, liarReported: false })
  t.deepEqual(unnamed.unreported, ['hockey-winner: node-4 (answered; no report named it as outlier)', 'node-4 was never named as an outlier'])
  t.deepEqual(summarizeDemo(buildState([silentRow(true)]), ['node-4'], 1).unreported, ['nwc-above-100: node-4 (silent: no observation within the bound)', 'node-4 was never named as an outlier'])
})

test('the verdict on evidence: every bundle verified and replayed, and the liar caught by its own replay', (t) => {
  const q = summarizeDemo(buildState([buildRow()]), ['node-4'], 1).questions[0]!
  t.deepEqual(q.evidence, { bundles: 4, verified: 4, replayed: 4, replayMatches: 3, replayMismatches: ['node-4'] })
  t.true(q.evidenceOk)
  const bundles = buildRow().bundles!
  // A liar whose replay agrees with its signature (it lied in its bundle too), an honest node whose replay
  // disagrees, a bundle that did not verify: each fails the verdict.
  for (const broken of [{ ...bundles, replayMatches: 4, replayMismatches: [] }, { ...bundles, replayMatches: 2, replayMismatches: ['node-1', 'node-4'] }, { ...bundles, verified: 3, replayed: 3 }]) {
    t.like(summarizeDemo(buildState([buildRow({ bundles: broken })]), ['node-4'], 1), { ok: false })
  }
})

test('a liar slower than the round deadline: the demo waits for the late report and passes', async (t) => {
  t.timeout(240_000)
  const network = await startE2eNetwork({
    operators: 4,
    lyingNodes: 1,
    disputeWindowSec: 2,
    // The liar answers 4 s after it judged; the aggregator reports a round 1 s after it opens.
    lyingDelayMs: 4000,
    aggregatorOverrides: { rounds: { deadlineMs: 1000, commitLeaseMs: 5000, sweepIntervalMs: 100 } },
  })
  try {
    const lines: string[] = []
    const summary = await runDemo({
      network,
      questions: ['hockey-winner', 'football-result'],
      observationTimeoutMs: 20_000,
      reportTimeoutMs: 20_000,
      onEvent: (e) => lines.push(`[${(e.atMs / 1000).toFixed(1)}] ${e.subject}: ${e.text}`),
    })
    t.log(summary.questions.map((q) => `${q.key}: outliers ${q.outliers.join(', ') || '-'}, late ${q.lateOutliers.join(', ') || '-'}, silent ${q.silent.join(', ') || '-'}`).join('\n'))
    t.true(summary.ok, `${summary.unreported.join('; ')}\n${lines.join('\n')}`)
    for (const q of summary.questions) {
      t.true(q.outliers.includes('node-4'), q.key)
      t.false(q.nonResponders.includes('node-4'), q.key)
      // Whatever the liar did, no honest node is ever reported.
      t.deepEqual(q.outliers.filter((o) => o !== 'node-4'), [], q.key)
      // Read from the chain: one liar of four never contests (ResolutionOracle's rule), unless confidence was low;
      // the window on record is the request's own (three windows when contested).
      t.is(q.disputeWindowSec, q.contested ? 3 * 2 : 2, q.key)
    }
    // Every wait said how long it would wait before it began.
    for (const line of lines.filter((l) => l.includes('waiting'))) t.regex(line, /waiting up to \d+ s for /)
  } finally {
    await network.stop()
  }
})
