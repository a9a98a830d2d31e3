/**
 * The seam between the node's chain/NATS plumbing and its judgement: given a request (and its parsed spec),
 * produce what the node will sign. Implementations: the NLP pipeline (sources + models) in production.
 */
import type { Logger } from 'pino'
import type { QuestionSpec } from '@sibyl/protocol/question-spec'
import type { ResolutionRequest } from '../chain/fetch-requests.ts'

export type ResolvedObservation = {
  /** Outcome index, -1 unresolvable, -2 too early. */
  answer: bigint
  confidenceBps: number
  /** keccak256 of exactly the bytes the judgement used. */
  evidenceHash: string
  modelId: string
  modelHash: string
  reason: string
}

export type ResolveRequestContext = { nowSec: number; logger: Logger }

export type ResolveOutcome =
  | ({ kind: 'observed' } & ResolvedObservation)
  /** Nothing to sign yet (every source failed): try again on a later tick. */
  | { kind: 'retry'; reason: string }
  /** This node does not answer this question (a type it does not serve). */
  | { kind: 'skip'; reason: string }

/** `spec` is undefined when the on-chain spec could not be parsed or did not match its hash. */
export type Resolver = (request: ResolutionRequest, spec: QuestionSpec | undefined, context: ResolveRequestContext) => Promise<ResolveOutcome>
