/**
 * One feed's answer over its rounds (uPlot, on a canvas): the committed answer as a line, each node's value per
 * round as points, and the deviation threshold as a band around the answer (a node's new value outside it is
 * what opens a round). The canvas is drawn for sighted readers; the same figures are in the table beside it.
 */
import { useEffect, useRef } from 'preact/hooks'
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import type { FeedRound, FeedSummary } from '../../store/explorer-types.ts'
import { buildChartData } from '../format/chart-data.ts'

/** Distinct colours that stay apart for common colour-vision deficiencies (Okabe–Ito). */
const NODE_COLOURS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000']

export function FeedChart({ feed, rounds }: { feed: FeedSummary; rounds: readonly FeedRound[] }) {
  const holder = useRef<HTMLDivElement>(null)
  useEffect(() => {
    const el = holder.current
    if (!el || rounds.length === 0) return undefined
    const data = buildChartData(feed, rounds)
    let node = 0
    const options: uPlot.Options = {
      width: Math.max(320, Math.min(900, el.clientWidth || 720)),
      height: 280,
      scales: { x: { time: false } },
      axes: [{ label: 'round', values: (_u, ticks) => ticks.map((t) => (Number.isInteger(t) ? String(t) : '')) }, { label: feed.description, size: 70 }],
      series: [
        { label: 'round' },
        ...data.series.map((s): uPlot.Series => {
          if (s.kind === 'answer') return { label: s.label, stroke: '#1a1a1a', width: 2, points: { show: true, size: 8 } }
          if (s.kind === 'band') return { label: s.label, stroke: '#8a8a8a', dash: [6, 4], width: 1, points: { show: false } }
          const colour = NODE_COLOURS[node++ % NODE_COLOURS.length]!
          return { label: s.label, stroke: colour, width: 0, paths: () => null, points: { show: true, size: 7, stroke: colour, fill: colour } }
        }),
      ],
    }
    const plot = new uPlot(options, [data.x, ...data.series.map((s) => s.values)] as uPlot.AlignedData, el)
    // The canvas says what it is; the numbers are in the table that follows it.
    const canvas = el.querySelector('canvas')
    canvas?.setAttribute('role', 'img')
    canvas?.setAttribute('aria-label', `${feed.description}: the answer over ${rounds.length} round${rounds.length === 1 ? '' : 's'}, with each node's value; the rounds table below lists the figures`)
    return () => plot.destroy()
  }, [feed, rounds])
  return <div class="chart" ref={holder} data-testid={`feed-chart-${feed.address}`} />
}
