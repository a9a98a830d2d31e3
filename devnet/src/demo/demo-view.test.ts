import test from 'ava'
import { createDemoView, summaryTable } from './demo-view.ts'
import type { DemoSummary } from './demo-state.ts'
import { buildDemoState, buildQuestionRow } from './testing/build-question-row.ts'

/** The text without its escape codes. */
const plain = (s: string) => s.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '')

const summary = (ok: boolean): DemoSummary => ({
  ok,
  questions: [
    {
      key: 'hockey-winner',
      requestId: `0x${'ab'.repeat(32)}`,
      expected: 'Port Alder Gulls',
      committed: ok ? 'Port Alder Gulls' : 'Ridgeback Miners',
      final: ok ? 'Port Alder Gulls' : 'Ridgeback Miners',
      ok,
      commits: 1,
      commitTx: `0x${'cd'.repeat(32)}`,
      commitMs: 4200,
      finalizeTx: `0x${'ef'.repeat(32)}`,
      finalMs: 9800,
      outliers: ok ? ['node-4'] : [],
      lateOutliers: [],
      silent: [],
      nonResponders: [],
      payoutWei: ok ? '3000000000000000000' : undefined,
      expectedPayoutWei: ok ? '3000000000000000000' : undefined,
      confidenceBps: 9100,
      confidenceInterval: [8800, 9400],
      articlesRead: 2,
      contested: false,
    },
  ],
  feed: undefined,
  liars: ['node-4'],
  liarReported: ok,
  unreported: ok ? [] : ['hockey-winner: node-4 (answered; no report named it as outlier)'],
  elapsedMs: 12_345,
})

test('the summary table names each question, its final answer, timings, outliers and payout, then the verdict', (t) => {
  const table = summaryTable(summary(true), buildDemoState([buildQuestionRow()]))
  const lines = table.split('\n')
  t.regex(lines[0]!, /question\s+expected\s+final answer\s+commits\s+commit\s+final\s+outliers\s+winner paid \(wei\)/)
  t.regex(lines[1]!, /^✓\s+hockey-winner\s+Port Alder Gulls\s+Port Alder Gulls\s+1\s+4\.2 s\s+9\.8 s\s+node-4\s+3000000000000000000$/)
  t.regex(table, /✓ every question reached its expected final answer; the lying node \(node-4\) reported as outlier \(12\.3 s\)/)
  const failed = summaryTable(summary(false), buildDemoState([buildQuestionRow()]))
  t.regex(failed, /^✗\s+hockey-winner\s+Port Alder Gulls\s+Ridgeback Miners/m)
  t.regex(failed, /✗ not every check passed: hockey-winner; a lying node was not reported as an outlier everywhere \(hockey-winner: node-4 \(answered; no report named it as outlier\)\)/)
  // A liar named only by a late report (its observation came after the round was reported) is marked so.
  const late = summary(true)
  late.questions[0] = { ...late.questions[0]!, lateOutliers: ['node-4'] }
  t.regex(summaryTable(late, buildDemoState([buildQuestionRow()])), /^✓\s+hockey-winner\s.*\snode-4 \(late\)\s+3000000000000000000$/m)
  // A node that never answered within the bound is shown as silent (the verdict fails on a silent liar).
  const silent = summary(false)
  silent.questions[0] = { ...silent.questions[0]!, outliers: [], silent: ['node-4'], nonResponders: ['node-4'] }
  t.regex(summaryTable(silent, buildDemoState([buildQuestionRow()])), /^✗\s+hockey-winner\s.*\snode-4 \(silent\)\s+-$/m)
})

test('off a terminal: one plain line per event and no escape codes anywhere', (t) => {
  let out = ''
  const view = createDemoView({ stream: { write: (s: string) => (out += s), isTTY: false }, disputeWindowSec: 5, nowMs: () => 0 })
  view.step('starting anvil')
  view.update(buildDemoState([buildQuestionRow({ phase: 'observing', commit: undefined, finalized: undefined, payout: undefined })]))
  view.event({ atMs: 1500, subject: 'hockey-winner', text: 'observation 1/4 from node-2: Port Alder Gulls' })
  view.finish(summary(true), buildDemoState([buildQuestionRow()]))
  t.false(out.includes('\u001b'), 'no ANSI escapes')
  t.regex(out, /^\[\s+0\.0s\] starting anvil$/m)
  t.regex(out, /^\[\s+1\.5s\] hockey-winner: observation 1\/4 from node-2: Port Alder Gulls$/m)
  t.regex(out, /✓ every question reached its expected final answer/)
})

test('on a terminal: the live block is redrawn in place, one line per request, and never over the summary', async (t) => {
  let out = ''
  const view = createDemoView({ stream: { write: (s: string) => (out += s), isTTY: true, columns: 160 }, disputeWindowSec: 5, nowMs: () => 2000 })
  view.update(buildDemoState([buildQuestionRow({ phase: 'observing', commit: undefined, finalized: undefined, payout: undefined, report: undefined })]))
  await new Promise((r) => setTimeout(r, 150))
  t.regex(plain(out), /hockey-winner\s+obs 4\/4\s+collecting/)
  view.update(buildDemoState([buildQuestionRow()]))
  await new Promise((r) => setTimeout(r, 150))
  t.true(out.includes('\u001b[3F'), 'the block of 3 lines (header, one request, status) is redrawn in place')
  t.regex(plain(out), /→ Port Alder Gulls\s+tx 0xcdcdcd…cdcd 4\.2s\s+final ✓ paid 3\.0 ETH\s+outliers: node-4/)
  view.finish(summary(true), buildDemoState([buildQuestionRow()]))
  const finished = out.length
  view.update(buildDemoState([buildQuestionRow()]))
  await new Promise((r) => setTimeout(r, 150))
  t.is(out.length, finished, 'nothing is drawn after the summary')
})
