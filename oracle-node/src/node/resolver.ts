/**
 * The seam between the node's chain/NATS plumbing and its judgement: given a request (and its parsed spec),
 * produce what the node will sign. Implementations: the NLP pipeline (sources + models) in production.
 */
import type { Logger } from 'pino'
import type { QuestionSpec } from '@sibyl/protocol/question-spec'
import type { EvidenceBundle } from '@sibyl/protocol/evidence-bundle'
import type { ResolutionRequest } from '../chain/fetch-requests.ts'

export type ResolvedObservation = {
  /** Outcome index, -1 unresolvable, -2 too early. */
  answer: bigint
  confidenceBps: number
  /** [low, high] bps around confidenceBps, and the pages read: published with the observation, bound by the evidence bundle. */
  confidenceInterval?: [number, number]
  articlesRead?: number
  /**
   * What the node signs as its evidence hash: the hash (Merkle root) of `evidence` when there is one
   * (protocol/src/evidence-bundle.ts), else a resolver's own commitment to what it read.
   */
  evidenceHash: string
  /**
   * The evidence bundle and its canonical bytes: what was read and what the judge computed, with the judge's own
   * answer. The node stores it (locally, then in the network) before it signs and publishes.
   */
  evidence?: {
    bundle: EvidenceBundle
    bytes: Uint8Array
    /** hashEvidenceBundle(bundle), where it was computed already (a page worker): the store need not hash it again. */
    bundleHash?: string
  }
  modelId: string
  modelHash: string
  reason: string
}

export type ResolveRequestContext = {
  nowSec: number
  logger: Logger
  /** Who asks and for which round: bound into the evidence bundle's header (defaults: round 0, zero addresses). */
  round?: number
  chainId?: bigint
  contract?: string
  signer?: string
}

export type ResolveOutcome =
  | ({ kind: 'observed' } & ResolvedObservation)
  /** Nothing to sign yet (every source failed): try again on a later tick. */
  | { kind: 'retry'; reason: string }
  /** This node does not answer this question (a type it does not serve). */
  | { kind: 'skip'; reason: string }

/** `spec` is undefined when the on-chain spec could not be parsed or did not match its hash. */
export type Resolver = (request: ResolutionRequest, spec: QuestionSpec | undefined, context: ResolveRequestContext) => Promise<ResolveOutcome>
