/**
 * The demo's terminal output. On a terminal: a live block, one line per request (and one for the feed),
 * redrawn in place as observations, outlier reports, commits and finality arrive. Anywhere else (a pipe, a CI
 * log): one plain line per event, no escape codes. Both end with the same summary table.
 */
import { formatEther, formatUnits } from 'ethers'
import type { DemoEvent, DemoState, DemoSummary, QuestionRow } from './demo-state.ts'
import { answerLabel, short } from './run-demo.ts'

export type DemoViewStream = { write: (s: string) => unknown; isTTY?: boolean; columns?: number }

export type DemoView = {
  /** A set-up step ("starting anvil"), before the live block. */
  step: (text: string) => void
  event: (event: DemoEvent) => void
  update: (state: DemoState) => void
  /** Prints the summary table after the last redraw. */
  finish: (summary: DemoSummary, state: DemoState) => void
  /** A plain line, after the live block if one is drawn. */
  note: (text: string) => void
}

export type CreateDemoViewParameters = {
  stream: DemoViewStream
  /** Live redraws and colours; default: the stream is a TTY. */
  live?: boolean
  color?: boolean
  disputeWindowSec: number
  nowMs?: () => number
}

const ESC = '\u001b['
const paint = (code: number) => (s: string) => `${ESC}${code}m${s}${ESC}0m`

export function createDemoView(parameters: CreateDemoViewParameters): DemoView {
  const { stream, disputeWindowSec } = parameters
  const live = parameters.live ?? stream.isTTY === true
  const color = parameters.color ?? live
  const nowMs = parameters.nowMs ?? Date.now
  const green = color ? paint(32) : (s: string) => s
  const red = color ? paint(31) : (s: string) => s
  const dim = color ? paint(2) : (s: string) => s
  const bold = color ? paint(1) : (s: string) => s
  const mark = (ok: boolean) => (ok ? green('✓') : red('✗'))

  let drawn = 0
  let last: DemoState | undefined
  let lastEvent = ''
  let timer: NodeJS.Timeout | undefined
  let pending = false
  /** Set by finish(): nothing is redrawn over the summary. */
  let done = false
  const startedAt = nowMs()

  const width = () => Math.max(40, (stream.columns || 120) - 1)
  const fit = (s: string) => (s.length > width() ? `${s.slice(0, width() - 1)}…` : s)

  function questionLine(row: QuestionRow, nodeCount: number): string {
    const obs = `obs ${row.observations.size}/${nodeCount}`
    let status: string
    if (row.commit) status = `→ ${answerLabel(row.outcomes, row.commit.answer)}`
    else status = { opening: 'opening market', open: 'market open', requested: 'nodes judging', observing: 'collecting', committed: '', finalized: '', paid: '', failed: 'FAILED' }[row.phase]
    const tx = row.commit ? `tx ${short(row.commit.txHash)} ${(row.commit.afterMs / 1000).toFixed(1)}s` : ''
    let final = ''
    if (row.finalized) {
      const ok = row.finalized.answer === BigInt(row.expectedIndex)
      final = `final ${ok ? '✓' : '✗'}${row.payout ? ` paid ${formatEther(row.payout.receivedWei)} ETH` : ''}`
    } else if (row.commit && row.requestedAtMs !== undefined) {
      const leftSec = Math.max(0, Math.ceil((row.requestedAtMs + row.commit.afterMs + disputeWindowSec * 1000 - nowMs()) / 1000))
      final = `disputable ${leftSec}s`
    }
    const named = row.report?.outliers.map((o) => (row.report?.late?.includes(o) ? `${o} (late)` : o))
    const outliers = named ? `outliers: ${named.join(', ') || 'none'}` : ''
    const error = row.error ? `  ${row.error}` : ''
    return `${row.key.padEnd(16)} ${obs.padEnd(8)} ${status.padEnd(24)} ${tx.padEnd(24)} ${final.padEnd(22)} ${outliers}${error}`
  }

  function feedLine(state: DemoState): string | undefined {
    const feed = state.feed
    if (!feed) return undefined
    const lastRound = feed.rounds.at(-1)
    const value = lastRound ? `round ${lastRound.round}: ${formatUnits(lastRound.answer, feed.decimals)}` : feed.phase === 'failed' ? 'FAILED' : 'waiting for round 1'
    const outliers = feed.outliers.size > 0 ? `outliers: ${[...feed.outliers].join(', ')}` : ''
    return `${'feed'.padEnd(16)} ${feed.description.padEnd(8)} ${value.padEnd(49)} ${''.padEnd(22)} ${outliers}${feed.error ? `  ${feed.error}` : ''}`
  }

  function colorize(line: string): string {
    return line.replace(/✓/g, green('✓')).replace(/✗|FAILED/g, (m) => red(m))
  }

  function redraw(): void {
    pending = false
    if (!last || done) return
    const lines = [
      dim(fit(`${'request'.padEnd(16)} ${'nodes'.padEnd(8)} ${'answer'.padEnd(24)} ${'commit'.padEnd(24)} ${'finality'.padEnd(22)} aggregator report`)),
      ...last.questions.map((row) => colorize(fit(questionLine(row, last!.nodes.length)))),
      ...[feedLine(last)].filter((l): l is string => l !== undefined).map((l) => colorize(fit(l))),
      dim(fit(`${((nowMs() - startedAt) / 1000).toFixed(0).padStart(4)}s  ${lastEvent}`)),
    ]
    let out = drawn > 0 ? `${ESC}${drawn}F` : ''
    for (const line of lines) out += `${ESC}2K${line}\n`
    stream.write(out)
    drawn = lines.length
  }

  function schedule(): void {
    if (pending) return
    pending = true
    setTimeout(redraw, 100).unref()
  }

  return {
    step: (text) => {
      stream.write(live ? `${dim('•')} ${text}\n` : `[${seconds(nowMs() - startedAt)}] ${text}\n`)
    },
    event: (event) => {
      if (live) {
        lastEvent = `${event.subject}: ${event.text}`
        schedule()
      } else {
        stream.write(`[${seconds(event.atMs)}] ${event.subject}: ${event.text}\n`)
      }
    },
    update: (state) => {
      last = state
      if (!live) return
      // Countdowns move on their own: redraw every second while the block is up.
      timer ??= setInterval(schedule, 1000).unref()
      schedule()
    },
    finish: (summary, state) => {
      last = state
      if (timer) clearInterval(timer)
      timer = undefined
      if (live) redraw()
      done = true
      stream.write(`\n${summaryTable(summary, state, { bold, mark })}\n`)
    },
    note: (text) => {
      stream.write(`${text}\n`)
    },
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1).padStart(6)}s`
}

type TableStyle = { bold: (s: string) => string; mark: (ok: boolean) => string }

/** The summary table: one row per question and one for the feed, then the verdict. */
export function summaryTable(summary: DemoSummary, state: DemoState, style: TableStyle = { bold: (s) => s, mark: (ok) => (ok ? '✓' : '✗') }): string {
  const header = ['', 'question', 'expected', 'final answer', 'commits', 'commit', 'final', 'outliers', 'winner paid (wei)']
  const rows: string[][] = summary.questions.map((q) => [
    q.ok ? '✓' : '✗',
    q.key,
    q.expected,
    q.final ?? q.committed ?? (q.error ? 'error' : '-'),
    String(q.commits),
    q.commitMs === undefined ? '-' : `${(q.commitMs / 1000).toFixed(1)} s`,
    q.finalMs === undefined ? '-' : `${(q.finalMs / 1000).toFixed(1)} s`,
    [...q.outliers.map((o) => (q.lateOutliers.includes(o) ? `${o} (late)` : o)), ...q.silent.map((n) => `${n} (silent)`)].join(', ') || '-',
    q.payoutWei ?? '-',
  ])
  if (summary.feed) {
    const f = summary.feed
    const feed = state.feed!
    const lastRound = f.rounds.at(-1)
    rows.push([
      f.ok ? '✓' : '✗',
      `feed ${f.description}`,
      lastRound ? formatUnits(BigInt(lastRound.expected), feed.decimals) : '-',
      lastRound ? `${formatUnits(BigInt(lastRound.answer), feed.decimals)} (round ${lastRound.round})` : (f.error ?? '-'),
      '-',
      '-',
      '-',
      f.outliers.join(', ') || '-',
      '-',
    ])
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()
  const body = rows.map((r) => line(r).replace(/^[✓✗]/, (m) => style.mark(m === '✓')))
  const verdict = summary.ok
    ? `${style.mark(true)} every question reached its expected final answer${summary.liars.length > 0 ? `; the lying node${summary.liars.length > 1 ? 's' : ''} (${summary.liars.join(', ')}) reported as outlier${summary.liars.length > 1 ? 's' : ''}` : ''} (${(summary.elapsedMs / 1000).toFixed(1)} s)`
    : `${style.mark(false)} not every check passed: ${[
        ...summary.questions.filter((q) => !q.ok).map((q) => `${q.key}${q.error ? ` (${q.error})` : ''}`),
        ...(summary.feed && !summary.feed.ok ? [`feed ${summary.feed.description}`] : []),
        ...(summary.liars.length > 0 && !summary.liarReported
          ? [`a lying node was not reported as an outlier everywhere${summary.unreported.length > 0 ? ` (${summary.unreported.join('; ')})` : ''}`]
          : []),
      ].join('; ')}`
  return [style.bold(line(header)), ...body, '', verdict].join('\n')
}
