/**
 * The calldata of a commit, from the observations that make a round's quorum: ResolutionOracle.commitReport
 * for a resolution round, FeedAggregator.transmit for a feed round, encoded with the TypeChain interfaces.
 * The report builders recover every signer again and sort them as the contracts require. A feed value signed
 * the time it was taken (FeedObservation.observedAt, seconds), which its message carries as observedAtMs.
 */
import { FeedAggregator__factory, ResolutionOracle__factory } from '@sibyl/contracts/typechain'
import { recoverObservationSigner, type ObservationDomain, type SignedObservation } from '@sibyl/protocol/eip712'
import { buildCommitReport, buildFeedTransmit, type RecoverSigner } from '@sibyl/protocol/report'
import type { RoundRecord, StoredObservation } from '../rounds/round-record.ts'

const oracleInterface = ResolutionOracle__factory.createInterface()
const feedInterface = FeedAggregator__factory.createInterface()

export type BuildCommitCallParameters = {
  domain: ObservationDomain
  record: Pick<RoundRecord, 'kind' | 'requestId' | 'round'>
  /** The observations of the quorum (decideRound's `signers`). */
  observations: readonly StoredObservation[]
  recover: RecoverSigner
}

export type BuildCommitCallReturnType = { data: string; signers: string[] }

export function buildCommitCall({ domain, record, observations, recover }: BuildCommitCallParameters): BuildCommitCallReturnType {
  const signed: SignedObservation[] = observations.map((o) => ({
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
  }))
  if (record.kind === 'resolution') {
    const report = buildCommitReport(domain, signed, recover)
    return { data: oracleInterface.encodeFunctionData('commitReport', [report.requestId, report.round, report.answer, report.observations]), signers: report.signers }
  }
  // Feeds are few values a round: recovered through the reference path, which knows FeedObservation.
  const transmit = buildFeedTransmit(domain, record.requestId, signed, recoverObservationSigner)
  return { data: feedInterface.encodeFunctionData('transmit', [transmit.roundId, transmit.values]), signers: transmit.signers }
}
