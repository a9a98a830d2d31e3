/**
 * How the explorer names a request's state and answer, from what the chain stores (protocol/request-status.ts,
 * protocol/answers.ts): the contract's four stored statuses plus the two reserved answers, so that a reader
 * sees "too-early" for a request deferred to a later round and "unresolvable" for one finalized (or expired)
 * without an outcome.
 */
import { decodeAnswer } from '@sibyl/protocol/answers'
import type { RequestStatusName } from '@sibyl/protocol/request-status'
import type { ExplorerRequestStatus } from './explorer-types.ts'

export type RequestStateInput = {
  chainStatus: RequestStatusName
  /** The answer stored on-chain (committed, settled or final); null when none. */
  answerValue: bigint | null
  /** The last round was answered "too early" and the request waits for its next round. */
  deferred: boolean
}

/** The explorer's status of a request (one of REQUEST_STATUSES). */
export function explorerRequestStatus({ chainStatus, answerValue, deferred }: RequestStateInput): ExplorerRequestStatus {
  switch (chainStatus) {
    case 'None':
    case 'Open':
      return deferred ? 'too-early' : 'open'
    case 'Committed':
      return 'committed'
    case 'Disputed':
      return 'disputed'
    case 'Finalized':
      // -1 is final like any outcome (ResolutionOracle.ANSWER_UNRESOLVABLE); an expired request ends there too.
      return answerValue === -1n ? 'unresolvable' : 'final'
  }
}

/** The label of an answer: the outcome's text, "too early" / "unresolvable" for the reserved answers, else the number. */
export function answerLabel(value: bigint | null, outcomes: readonly string[]): string | null {
  if (value === null) return null
  const decoded = decodeAnswer(value, outcomes.length)
  if (!decoded) return value.toString()
  if (decoded.kind === 'unresolvable') return 'unresolvable'
  if (decoded.kind === 'tooEarly') return 'too early'
  return outcomes[decoded.index] ?? value.toString()
}
