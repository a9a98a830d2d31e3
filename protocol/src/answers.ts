/**
 * Reserved answers of the ResolutionOracle, mirrored from ResolutionOracle.sol
 * (ANSWER_UNRESOLVABLE, ANSWER_TOO_EARLY). Outcome answers are the outcome's index, 0..n-1.
 */
export const ANSWER_UNRESOLVABLE = -1n
export const ANSWER_TOO_EARLY = -2n

export type ResolutionAnswer =
  | { kind: 'outcome'; index: number }
  | { kind: 'unresolvable' }
  | { kind: 'tooEarly' }

export function encodeAnswer(answer: ResolutionAnswer): bigint {
  switch (answer.kind) {
    case 'outcome':
      return BigInt(answer.index)
    case 'unresolvable':
      return ANSWER_UNRESOLVABLE
    case 'tooEarly':
      return ANSWER_TOO_EARLY
  }
}

/** Mirrors ResolutionOracle._isFinalAnswer plus the too-early answer that defers a request. */
export function decodeAnswer(value: bigint, outcomeCount: number): ResolutionAnswer | undefined {
  if (value === ANSWER_UNRESOLVABLE) return { kind: 'unresolvable' }
  if (value === ANSWER_TOO_EARLY) return { kind: 'tooEarly' }
  if (value >= 0n && value < BigInt(outcomeCount)) return { kind: 'outcome', index: Number(value) }
  return undefined
}
