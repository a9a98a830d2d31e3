/**
 * A `numeric.threshold` question: is `value <comparison> threshold`? Outcomes are ["YES", "NO"], so the
 * answer is index 0 or 1. Both sides are fixed-point integers brought to the same scale (the larger of the
 * value's decimals and the threshold's fraction digits), so "119.005" vs a 2-decimal 11901n compares exactly.
 */
import type { ResolutionAnswer } from '@sibyl/protocol/answers'
import { decimalToFixedPoint } from './parse-decimal.ts'

export type ThresholdComparison = 'gt' | 'gte' | 'lt' | 'lte'

export type ResolveThresholdParameters = {
  /** The observed value in units of 10^-decimals. */
  value: bigint
  decimals: number
  /** Decimal string from the spec, e.g. "119.00". */
  threshold: string
  comparison: ThresholdComparison
}

export type ResolveThresholdReturnType = { answer: Extract<ResolutionAnswer, { kind: 'outcome' }>; reason: string }

export const YES_INDEX = 0
export const NO_INDEX = 1

const SYMBOL: Record<ThresholdComparison, string> = { gt: '>', gte: '>=', lt: '<', lte: '<=' }

/** YES (0) when `value <comparison> threshold` holds, else NO (1). */
export function resolveThreshold(parameters: ResolveThresholdParameters): ResolveThresholdReturnType {
  const { value, decimals, threshold, comparison } = parameters
  const thresholdDigits = /\.(\d+)$/.exec(threshold.trim())?.[1]?.length ?? 0
  const scale = Math.max(decimals, thresholdDigits)
  const left = value * 10n ** BigInt(scale - decimals)
  const right = decimalToFixedPoint(threshold, scale)
  const holds =
    comparison === 'gt' ? left > right : comparison === 'gte' ? left >= right : comparison === 'lt' ? left < right : left <= right
  return {
    answer: { kind: 'outcome', index: holds ? YES_INDEX : NO_INDEX },
    reason: `${formatFixedPoint(value, decimals)} ${SYMBOL[comparison]} ${threshold} is ${holds ? 'true' : 'false'}`,
  }
}

/** 11901n, 2 -> "119.01" (for reasons and logs; never parsed back). */
export function formatFixedPoint(value: bigint, decimals: number): string {
  const negative = value < 0n
  const digits = (negative ? -value : value).toString().padStart(decimals + 1, '0')
  const whole = digits.slice(0, digits.length - decimals)
  const frac = digits.slice(digits.length - decimals)
  return `${negative ? '-' : ''}${whole}${decimals > 0 ? `.${frac}` : ''}`
}
