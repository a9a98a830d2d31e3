/**
 * The calldata of a commit, from the observations that make a round's quorum: ResolutionOracle.commitReport
 * for a resolution round, FeedAggregator.transmit for a feed round, encoded with the TypeChain interfaces.
 * The report builders recover every signer again and sort them as the contracts require. A feed value signed
 * the time it was taken (FeedObservation.observedAt, seconds), which its message carries as observedAtMs.
 */
import { FeedAggregator__factory, ResolutionOracle__factory } from '@sibyl/contracts/typechain'
import { recoverObservationSigner, type ObservationDomain, type SignedObservation } from '@sibyl/protocol/eip712'
import { buildCommitDissent, buildCommitReport, buildFeedTransmit, type RecoverSigner } from '@sibyl/protocol/report'
import type { RoundRecord, StoredObservation } from '../rounds/round-record.ts'

const oracleInterface = ResolutionOracle__factory.createInterface()
const feedInterface = FeedAggregator__factory.createInterface()

export type BuildCommitCallParameters = {
  domain: ObservationDomain
  record: Pick<RoundRecord, 'kind' | 'requestId' | 'round'>
  /** The observations of the quorum (decideRound's `signers`). */
  observations: readonly StoredObservation[]
  recover: RecoverSigner
  /**
   * Resolution rounds: signed observations of the round with another answer (decideRound's dissenting votes).
   * Non-empty, the call is commitReportWithDissent, so the contract learns the dissent (and may mark the
   * request contested); empty or absent, the plain commitReport.
   */
  dissent?: readonly StoredObservation[]
}

export type BuildCommitCallReturnType = { data: string; signers: string[]; dissenters: string[] }

/** Answers ResolutionOracle takes in dissent without knowing the outcome count: reserved (-2, -1) or an index. */
const plausibleDissentAnswer = (answer: bigint) => answer >= -2n

export function buildCommitCall({ domain, record, observations, recover, dissent = [] }: BuildCommitCallParameters): BuildCommitCallReturnType {
  const toSigned = (o: StoredObservation): SignedObservation => ({
    observation: {
      requestId: record.requestId,
      round: record.round,
      answer: BigInt(o.answer),
      ...(record.kind === 'feed' ? { observedAt: Math.floor(o.observedAtMs / 1000) } : {}),
      confidenceBps: o.confidenceBps,
      evidenceHash: o.evidenceHash,
      modelHash: o.modelHash,
    },
    signer: o.signer,
    signature: o.signature,
  })
  const signed = observations.map(toSigned)
  if (record.kind === 'resolution') {
    const report = buildCommitReport(domain, signed, recover)
    const { dissent: against, dissenters } = buildCommitDissent(domain, report, dissent.map(toSigned), plausibleDissentAnswer, recover)
    const data =
      against.length === 0
        ? oracleInterface.encodeFunctionData('commitReport', [report.requestId, report.round, report.answer, report.observations])
        : oracleInterface.encodeFunctionData('commitReportWithDissent', [report.requestId, report.round, report.answer, report.observations, against])
    return { data, signers: report.signers, dissenters }
  }
  // Feeds are few values a round: recovered through the reference path, which knows FeedObservation.
  const transmit = buildFeedTransmit(domain, record.requestId, signed, recoverObservationSigner)
  return { data: feedInterface.encodeFunctionData('transmit', [transmit.roundId, transmit.values]), signers: transmit.signers, dissenters: [] }
}
