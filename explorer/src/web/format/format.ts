/**
 * Pure formatting for the explorer's pages: addresses, hashes, times, amounts and status words. No DOM here,
 * so each helper is tested on its own (format.test.ts).
 */
import type { DisputeStatus, ExplorerRequestStatus, NodeAnswerStatus } from '../../store/explorer-types.ts'

/** 0x1234…abcd: enough to tell addresses apart on screen; the full value goes in a title attribute. */
export function shortHex(hex: string | null | undefined, keep = 4): string {
  if (!hex) return '—'
  if (hex.length <= 2 + keep * 2 + 1) return hex
  return `${hex.slice(0, 2 + keep)}…${hex.slice(-keep)}`
}

/** Unix seconds → "2026-12-05 04:07:12 UTC" (UTC, so every reader sees the same text as the chain). */
export function formatTime(unixSec: number | null | undefined): string {
  if (unixSec === null || unixSec === undefined || !Number.isFinite(unixSec) || unixSec <= 0) return '—'
  return `${new Date(unixSec * 1000).toISOString().slice(0, 19).replace('T', ' ')} UTC`
}

/** Seconds → "42 s", "3 min 5 s", "2 h 4 min", "3 d 2 h". */
export function formatDuration(sec: number | null | undefined): string {
  if (sec === null || sec === undefined || !Number.isFinite(sec)) return '—'
  const s = Math.max(0, Math.round(sec))
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`
  if (s < 86_400) return `${Math.floor(s / 3600)} h${Math.floor((s % 3600) / 60) ? ` ${Math.floor((s % 3600) / 60)} min` : ''}`
  return `${Math.floor(s / 86_400)} d${Math.floor((s % 86_400) / 3600) ? ` ${Math.floor((s % 86_400) / 3600)} h` : ''}`
}

/**
 * A fixed-point integer (decimal string) at `decimals` → its decimal text, exactly (no float): "11842000000" at
 * 8 → "118.42". Invalid input is shown as given.
 */
export function formatUnits(value: string | null | undefined, decimals: number): string {
  if (value === null || value === undefined) return '—'
  if (!/^-?[0-9]+$/.test(value) || !Number.isInteger(decimals) || decimals < 0 || decimals > 77) return value
  const negative = value.startsWith('-')
  const digits = (negative ? value.slice(1) : value).replace(/^0+(?=[0-9])/, '')
  const padded = digits.padStart(decimals + 1, '0')
  const whole = padded.slice(0, padded.length - decimals)
  const fraction = decimals === 0 ? '' : padded.slice(padded.length - decimals).replace(/0+$/, '')
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`
}

/** Wei (decimal string) → "1.5 tokens": the network token's whole units (18 decimals). */
export function formatToken(wei: string | null | undefined, symbol = 'tokens'): string {
  if (wei === null || wei === undefined) return '—'
  const amount = formatUnits(wei, 18)
  return `${amount} ${amount === '1' && symbol === 'tokens' ? 'token' : symbol}`
}

/** Basis points → "87.5 %". */
export function formatBps(bps: number | null | undefined): string {
  if (bps === null || bps === undefined || !Number.isFinite(bps)) return '—'
  return `${(bps / 100).toFixed(bps % 100 === 0 ? 0 : bps % 10 === 0 ? 1 : 2)} %`
}

/** "87.5 % (80 % – 95 %)" when an interval is known. */
export function formatConfidence(bps: number | null | undefined, interval: readonly [number, number] | null | undefined): string {
  const main = formatBps(bps)
  if (!interval || main === '—') return main
  return `${main} (${formatBps(interval[0])} – ${formatBps(interval[1])})`
}

const REQUEST_STATUS_LABELS: Record<ExplorerRequestStatus, string> = {
  open: 'open',
  committed: 'committed',
  disputed: 'disputed',
  final: 'final',
  'too-early': 'too early',
  unresolvable: 'unresolvable',
}

export function requestStatusLabel(status: ExplorerRequestStatus): string {
  return REQUEST_STATUS_LABELS[status] ?? status
}

const NODE_STATUS_LABELS: Record<NodeAnswerStatus, string> = {
  agreed: 'agreed',
  outlier: 'outlier',
  late: 'late (agreed after the commit)',
  'no-answer': 'no answer',
}

export function nodeStatusLabel(status: NodeAnswerStatus): string {
  return NODE_STATUS_LABELS[status] ?? status
}

const DISPUTE_STATUS_LABELS: Record<DisputeStatus, string> = { open: 'open (voting)', overturned: 'overturned', upheld: 'upheld' }

export function disputeStatusLabel(status: DisputeStatus): string {
  return DISPUTE_STATUS_LABELS[status] ?? status
}

/** "3/4 (75 %)": how often an operator agreed with the committed answer. */
export function formatAgreement(agreed: number, answers: number): string {
  if (answers <= 0) return '—'
  return `${agreed}/${answers} (${Math.round((agreed / answers) * 100)} %)`
}

/** A countdown to a deadline: "ends in 4 min 2 s" / "ended 3 s ago". */
export function formatDeadline(deadlineSec: number | null | undefined, nowSec: number): string {
  if (deadlineSec === null || deadlineSec === undefined || deadlineSec <= 0) return '—'
  const left = deadlineSec - nowSec
  return left >= 0 ? `ends in ${formatDuration(left)}` : `ended ${formatDuration(-left)} ago`
}
