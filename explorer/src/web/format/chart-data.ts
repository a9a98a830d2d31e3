/**
 * A feed chart's columns from its rounds (pure, so it is tested without a browser): x = round ids; the answer;
 * the deviation band around it (answer ± deviationBps, when the feed's spec is known); each node's value per round
 * (null where it gave none). Numbers are for drawing only: the rounds table shows the exact decimal text.
 */
import type { FeedRound, FeedSummary } from '../../store/explorer-types.ts'
import { formatUnits } from './format.ts'

export type ChartData = { x: number[]; series: { label: string; values: (number | null)[]; kind: 'answer' | 'band' | 'node' }[] }

export function buildChartData(feed: Pick<FeedSummary, 'decimals' | 'deviationBps'>, rounds: readonly FeedRound[]): ChartData {
  const toNumber = (v: string) => Number(formatUnits(v, feed.decimals))
  const x = rounds.map((r) => r.roundId)
  const answer = rounds.map((r) => toNumber(r.answer))
  const series: ChartData['series'] = [{ label: 'answer', values: answer, kind: 'answer' }]
  if (feed.deviationBps !== null && feed.deviationBps > 0) {
    const f = feed.deviationBps / 10_000
    series.push({ label: `+${feed.deviationBps / 100} % deviation`, values: answer.map((a) => a * (1 + f)), kind: 'band' })
    series.push({ label: `−${feed.deviationBps / 100} % deviation`, values: answer.map((a) => a * (1 - f)), kind: 'band' })
  }
  const signers = [...new Set(rounds.flatMap((r) => r.nodes.map((n) => n.signer)))].sort()
  for (const signer of signers) {
    series.push({
      label: `node ${signer.slice(0, 6)}…${signer.slice(-4)}`,
      values: rounds.map((r) => {
        const n = r.nodes.find((node) => node.signer === signer)
        return n ? toNumber(n.answer) : null
      }),
      kind: 'node',
    })
  }
  return { x, series }
}

