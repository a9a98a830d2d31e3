/**
 * What one source says about a structured question, read from that source alone: the game's result
 * (sports.winner) or the number it gives (numeric.threshold). This is the CPU-heavy part of resolving a
 * structured question (the page is parsed here), so the node computes it in a page worker, one source per
 * task, and resolve-question.ts only combines the votes; called without one, resolve-question.ts computes it
 * in place (replays, the eval harness).
 */
import type { ResolutionAnswer } from '@sibyl/protocol/answers'
import type { QuestionSpec } from '@sibyl/protocol/question-spec'
import { readApiValue } from '../sources/adapters/read-api-value.ts'
import { readEspnScoreboard } from '../sources/adapters/read-espn-scoreboard.ts'
import { extractPrice } from './extract-price.ts'
import { decimalToFixedPoint, normalizeDecimal } from './parse-decimal.ts'
import { resolveSportsWinner } from './resolve-sports-winner.ts'

export type SourceVote =
  | { kind: 'sports'; answer: ResolutionAnswer; detail: string }
  /** `value` is fixed point with `decimals` digits (see thresholdDecimals); absent when the source gave none. */
  | { kind: 'numeric'; value?: bigint; decimal?: string; decimals: number; detail: string }

type StructuredSpec = Exclude<QuestionSpec, { type: 'text' }>

/** The fields of resolve-question.ts's SourceDocument a vote reads. */
export type VoteSourceDocument = { sourceIndex: number; text: string; html?: string; json?: unknown }

/** Fixed-point digits a numeric question is compared at: the threshold's own, and at least 8. */
export function thresholdDecimals(threshold: string): number {
  return Math.max(/\.(\d+)$/.exec(threshold)?.[1]?.length ?? 0, 8)
}

export function voteSource(spec: StructuredSpec, d: VoteSourceDocument, { nowSec }: { nowSec: number }): SourceVote {
  const source = spec.sources[d.sourceIndex]
  if (spec.type === 'sports.winner') {
    const game = { homeTeam: spec.homeTeam, awayTeam: spec.awayTeam, outcomes: spec.outcomes, nowSec, eventTimeSec: spec.eventTime, gameDate: spec.gameDate, gameNumber: spec.gameNumber, startTime: spec.startTime }
    // A scoreboard API (espn.scoreboard) gives games already read; a page is read by the resolver.
    const espn = source?.adapter?.name === 'espn.scoreboard' && d.json !== undefined ? readEspnScoreboard(d.json) : undefined
    if (espn !== undefined && !espn.ok) return { kind: 'sports', answer: { kind: 'unresolvable' }, detail: `espn.scoreboard: ${espn.message}` }
    if (espn === undefined && d.html === undefined) return { kind: 'sports', answer: { kind: 'unresolvable' }, detail: 'no HTML' }
    const r = resolveSportsWinner(espn?.ok ? { ...game, games: espn.games } : { ...game, html: d.html })
    return { kind: 'sports', answer: r.answer, detail: r.reason }
  }
  const decimals = thresholdDecimals(spec.threshold)
  const bare = d.html === undefined && d.json === undefined ? normalizeDecimal(d.text, 'machine') : undefined
  if (d.json !== undefined && source !== undefined) {
    // A JSON API: its named adapter, else the value at its jsonPath (scaled by valueDecimals), with its unit.
    const read = readApiValue({ source, value: d.json })
    if (!read.ok) return { kind: 'numeric', decimals, detail: `${read.reason}: ${read.message}` }
    return { kind: 'numeric', decimals, value: decimalToFixedPoint(read.decimal, decimals), decimal: read.decimal, detail: `${read.decimal}${read.unit ? ` ${read.unit}` : ''} (${read.evidence})` }
  }
  if (bare !== undefined) return { kind: 'numeric', decimals, value: decimalToFixedPoint(bare, decimals), decimal: bare, detail: `value ${bare}` }
  if (d.html !== undefined) {
    const price = extractPrice({ html: d.html, decimals, url: source?.url, currency: spec.unit })
    if (!price.found) return { kind: 'numeric', decimals, detail: price.reason }
    return { kind: 'numeric', decimals, value: price.value, decimal: price.decimal, detail: `${price.decimal}${price.currency ? ` ${price.currency}` : ''} (${price.evidence})` }
  }
  return { kind: 'numeric', decimals, detail: 'no HTML and the text is not a number' }
}
