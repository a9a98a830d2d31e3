/**
 * Dissent that came after the commit still counts: a node slower than the quorum signed another answer of the
 * committed round, and the contract should learn it (ResolutionOracle.contest), or an answer reached over the
 * objection of several staked operators would become final as fast as a unanimous one. The commit carries the
 * dissent held when it was built (commit.ts); this posts the fuller proof later, while the request's dispute
 * window is open, when it proves more dissenting signers than the chain records. Anyone may call contest, so
 * an aggregator that leaves dissent out cannot hide it; this is the honest aggregator doing it itself.
 *
 * Only rounds this aggregator committed are contested (it knows their signer list, which contest checks). The
 * call is simulated first: a refusal (NoNewDissent, the window closed, another answer now on record) costs a
 * read, not a transaction.
 */
import { ResolutionOracle__factory } from '@sibyl/contracts/typechain'
import { describeContractError } from '@sibyl/contracts/decode-error'
import type { ObservationDomain, SignedObservation } from '@sibyl/protocol/eip712'
import { buildCommitDissent } from '@sibyl/protocol/report'
import type { RoundRecord, StoredObservation } from '../rounds/round-record.ts'
import type { Scrutiny } from './chain-reads.ts'
import { domainOf, recovererFor, type AggregatorContext } from './context.ts'

const oracleInterface = ResolutionOracle__factory.createInterface()

export type PostDissentReturnType = { posted: false; why: string } | { posted: true; txHash: string; dissenters: number }

/** Dissent the contract can take without knowing the outcome count: reserved answers (-2, -1) or an index. */
const plausible = (answer: bigint) => answer >= -2n

/** Counting signers (the registry's view) whose observation of the round, on time or late, has another answer. */
function dissentOf(ctx: Pick<AggregatorContext, 'registry'>, record: RoundRecord, answer: string, signers: ReadonlySet<string>): StoredObservation[] {
  return record.observations.filter((o) => o.answer !== answer && !signers.has(o.signer.toLowerCase()) && ctx.registry.isActive(o.signer))
}

export async function postDissent(ctx: AggregatorContext, record: RoundRecord, scrutiny: Scrutiny, nowSec: bigint): Promise<PostDissentReturnType> {
  const commit = record.commit
  if (record.kind !== 'resolution' || record.state !== 'committed' || !commit || commit.byOther || commit.signers.length === 0) return { posted: false, why: 'not our commit' }
  if (nowSec >= scrutiny.disputeEndsAt) return { posted: false, why: 'dispute window closed' }
  const dissent = dissentOf(ctx, record, commit.answer, new Set(commit.signers.map((s) => s.toLowerCase())))
  if (dissent.length <= scrutiny.dissentCount) return { posted: false, why: 'nothing new' }

  const domain: ObservationDomain = domainOf(ctx, record.contract)
  const recover = (_: ObservationDomain, o: SignedObservation['observation'], signature: string) => recovererFor(ctx, record.contract)(o, signature)
  const signed: SignedObservation[] = dissent.map((o) => ({
    observation: { requestId: record.requestId, round: record.round, answer: BigInt(o.answer), confidenceBps: o.confidenceBps, evidenceHash: o.evidenceHash, modelHash: o.modelHash },
    signer: o.signer,
    signature: o.signature,
  }))
  const report = { requestId: record.requestId, round: record.round, answer: BigInt(commit.answer), signers: commit.signers }
  const built = buildCommitDissent(domain, report, signed, plausible, recover)
  if (built.dissent.length <= scrutiny.dissentCount) return { posted: false, why: 'nothing new' }
  const data = oracleInterface.encodeFunctionData('contest', [record.requestId, commit.signers, built.dissent])
  const call = { to: record.contract, data, from: ctx.sender.address }
  let gasLimit: bigint
  try {
    await ctx.provider.call(call)
    gasLimit = ((await ctx.provider.estimateGas(call)) * BigInt(ctx.options.gasLimitPercent)) / 100n
  } catch (error) {
    return { posted: false, why: `refused: ${describeContractError(error)}` }
  }
  const { receipt } = await ctx.sender.send({ to: record.contract, data, gasLimit })
  if (receipt.status !== 1) return { posted: false, why: `contest ${receipt.hash} reverted` }
  return { posted: true, txHash: receipt.hash, dissenters: built.dissenters.length }
}
