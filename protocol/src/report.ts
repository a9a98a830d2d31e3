/**
 * The calldata of a commit: ResolutionOracle.commitReport(requestId, round, answer, observations) (or
 * commitReportWithDissent(..., dissent) when signed dissent of the round is known) and
 * FeedAggregator.transmit(roundId, values). The contracts recover each signer and require them strictly
 * ascending, so this is where the order is made.
 */
import { getAddress, keccak256, toUtf8Bytes } from 'ethers'
import { BaseError } from './errors.ts'
import {
  recoverObservationSigner,
  toCompactSignature,
  type ObservationDomain,
  type SignedObservation,
} from './eip712.ts'

export type ReportObservation = {
  confidenceBps: number
  evidenceHash: string
  modelHash: string
  r: string
  yParityAndS: string
}

export type CommitReport = {
  requestId: string
  round: number
  answer: bigint
  observations: ReportObservation[]
  /** The recovered signers, in report order. */
  signers: string[]
}

/**
 * One dissenting observation of ResolutionOracle.commitReportWithDissent / contest: another answer of the same
 * request and round, with its own signature (the answer is part of what was signed).
 */
export type ReportDissent = ReportObservation & { answer: bigint }

export type CommitDissent = {
  dissent: ReportDissent[]
  /** The recovered dissenters, in report order (ascending). */
  dissenters: string[]
}

/** One signed value of FeedAggregator.transmit: a FeedObservation's fields and its compact signature. */
export type FeedValue = ReportObservation & { answer: bigint; observedAt: bigint }

export type FeedTransmit = {
  roundId: number
  values: FeedValue[]
  signers: string[]
}

export class ReportError extends BaseError {
  override name = 'ReportError' as const
}

/** The requestId every observation of a feed signs, as FeedAggregator.feedId(). */
export function feedIdOf(description: string): string {
  return keccak256(toUtf8Bytes(description))
}

type Recovered = { signed: SignedObservation; signer: string }

/** Recovers an observation's signer under a domain; ethers' path by default, a faster one may be given. */
export type RecoverSigner = (domain: ObservationDomain, observation: SignedObservation['observation'], signature: string) => string

/** Recovers every signer (so a bad signature fails here, not in a reverted transaction) and sorts. */
function recoverAndSort(domain: ObservationDomain, signed: readonly SignedObservation[], recover: RecoverSigner): Recovered[] {
  const recovered = signed.map((s) => {
    const signer = recover(domain, s.observation, s.signature)
    if (getAddress(s.signer) !== signer) {
      throw new ReportError('Observation signature does not match its claimed signer.', {
        details: `claimed ${s.signer}, recovered ${signer}`,
      })
    }
    return { signed: s, signer }
  })
  recovered.sort((a, b) => (BigInt(a.signer) < BigInt(b.signer) ? -1 : BigInt(a.signer) > BigInt(b.signer) ? 1 : 0))
  for (let i = 1; i < recovered.length; i++) {
    if (recovered[i]!.signer === recovered[i - 1]!.signer) {
      throw new ReportError('Two observations from one signer.', { details: recovered[i]!.signer })
    }
  }
  return recovered
}

function toReportObservation({ signed }: Recovered): ReportObservation {
  const { r, yParityAndS } = toCompactSignature(signed.signature)
  const { confidenceBps, evidenceHash, modelHash } = signed.observation
  return { confidenceBps, evidenceHash, modelHash, r, yParityAndS }
}

/** A commitReport from observations that agree on request, round and answer. */
export function buildCommitReport(
  domain: ObservationDomain,
  signed: readonly SignedObservation[],
  recover: RecoverSigner = recoverObservationSigner,
): CommitReport {
  const first = signed[0]
  if (!first) throw new ReportError('A report needs at least one observation.')
  const { requestId, round, answer } = first.observation
  for (const s of signed) {
    const o = s.observation
    if (o.requestId !== requestId || o.round !== round || o.answer !== answer) {
      throw new ReportError('Observations in one report must agree on request, round and answer.', {
        details: `${s.signer} signed ${o.requestId}/${o.round}/${o.answer}, expected ${requestId}/${round}/${answer}`,
      })
    }
  }
  const recovered = recoverAndSort(domain, signed, recover)
  return {
    requestId,
    round,
    answer,
    observations: recovered.map(toReportObservation),
    signers: recovered.map((r) => r.signer),
  }
}

/**
 * The dissent of a report: observations of the same request and round as `report` with another answer,
 * recovered and sorted as the contract walks them. Signers of the committed answer are left out (the contract
 * counts such a signer once, as agreeing), as are answers the contract refuses in dissent: `acceptsAnswer`
 * says which (ResolutionOracle: "too early" or a final answer of the request).
 */
export function buildCommitDissent(
  domain: ObservationDomain,
  report: Pick<CommitReport, 'requestId' | 'round' | 'answer' | 'signers'>,
  signed: readonly SignedObservation[],
  acceptsAnswer: (answer: bigint) => boolean = () => true,
  recover: RecoverSigner = recoverObservationSigner,
): CommitDissent {
  const agreeing = new Set(report.signers.map((s) => getAddress(s)))
  const kept = signed.filter((s) => {
    const o = s.observation
    if (o.requestId !== report.requestId || o.round !== report.round) {
      throw new ReportError('Dissent must be of the report\'s request and round.', {
        details: `${s.signer} signed ${o.requestId}/${o.round}, expected ${report.requestId}/${report.round}`,
      })
    }
    return o.answer !== report.answer && acceptsAnswer(o.answer) && !agreeing.has(getAddress(s.signer))
  })
  const recovered = recoverAndSort(domain, kept, recover)
  return {
    dissent: recovered.map((r) => ({ ...toReportObservation(r), answer: r.signed.observation.answer })),
    dissenters: recovered.map((r) => r.signer),
  }
}

/** A FeedAggregator.transmit from each node's own signed value for one feed round. */
export function buildFeedTransmit(
  domain: ObservationDomain,
  feedId: string,
  signed: readonly SignedObservation[],
  recover: RecoverSigner = recoverObservationSigner,
): FeedTransmit {
  const first = signed[0]
  if (!first) throw new ReportError('A transmit needs at least one observation.')
  const roundId = first.observation.round
  for (const s of signed) {
    if (s.observation.requestId !== feedId || s.observation.round !== roundId) {
      throw new ReportError('Feed observations must all be for this feed and round.', {
        details: `${s.signer} signed ${s.observation.requestId}/${s.observation.round}`,
      })
    }
    // FeedAggregator verifies FeedObservation signatures, which sign the observation time.
    if (s.observation.observedAt === undefined) {
      throw new ReportError('A feed observation must carry the time it was observed (observedAt).', { details: s.signer })
    }
  }
  const recovered = recoverAndSort(domain, signed, recover)
  return {
    roundId,
    values: recovered.map((r) => ({
      ...toReportObservation(r),
      answer: r.signed.observation.answer,
      observedAt: BigInt(r.signed.observation.observedAt!),
    })),
    signers: recovered.map((r) => r.signer),
  }
}
