/**
 * Small verbs over a deployed network, shared by tests, benchmarks and the demo: ask a question, have
 * operators sign, commit the report, read events back. Every contract is a TypeChain binding, so arguments,
 * results and event fields are typed.
 */
import {
  keccak256,
  toUtf8Bytes,
  type BaseContract,
  type ContractTransactionReceipt,
  type ContractTransactionResponse,
  type LogDescription,
  type Result,
  type Signer,
  type Wallet,
} from 'ethers'
import {
  signObservation,
  signSignerRegistration,
  type Observation,
  type ObservationDomain,
  type SignedObservation,
} from '@sibyl/protocol/eip712'
import { buildCommitReport, buildFeedTransmit, type CommitReport, type FeedTransmit } from '@sibyl/protocol/report'
import { buildObservation } from '@sibyl/protocol/testing/build-observation'
import type { FeedAggregator, LinkToken, ResolutionOracle, Staking } from '../generated/typechain/index.ts'
import type { TypedContractEvent, TypedLogDescription } from '../generated/typechain/common.ts'
import type { IResolutionOracle } from '../generated/typechain/ResolutionOracle.ts'

/** An operator's two keys: the one that holds stake, and the node's signing key. */
export type OperatorKeys = { index: number; operator: Wallet; signer: Wallet }

export type QuestionParameters = {
  spec: string
  outcomes: string[]
  resolveAfter: number | bigint
  feeWei: bigint
  callbackGasLimit?: number
}

/** The argument of ResolutionOracle.requestResolution. */
export function requestParams(q: QuestionParameters): IResolutionOracle.RequestParamsStruct {
  return {
    specHash: keccak256(toUtf8Bytes(q.spec)),
    spec: q.spec,
    outcomes: q.outcomes,
    resolveAfter: BigInt(q.resolveAfter),
    feeWei: q.feeWei,
    callbackGasLimit: q.callbackGasLimit ?? 0,
  }
}

/** Waits for a sent transaction to be mined; a receipt that never comes is an error, not a null. */
export async function mined(tx: Promise<ContractTransactionResponse> | ContractTransactionResponse): Promise<ContractTransactionReceipt> {
  const response = await tx
  const receipt = await response.wait()
  if (!receipt) throw new Error(`transaction ${response.hash} has no receipt`)
  return receipt
}

/** The names (and full signatures) of a typed contract's events. */
export type ContractEventName<C extends BaseContract> = Extract<keyof C['filters'], string>

/**
 * A decoded event of a typed contract: `args` has the event's named, typed fields (and is still an ethers
 * Result, so `getValue` keeps working).
 */
export type FoundEvent<C extends BaseContract, N extends ContractEventName<C>> = C['filters'][N] extends TypedContractEvent
  ? Omit<TypedLogDescription<C['filters'][N]>, 'args'> & { args: TypedLogDescription<C['filters'][N]>['args'] & Result }
  : LogDescription

/** The first log of `eventName` emitted by `contract` in a receipt, decoded. */
export function findEvent<C extends BaseContract, N extends ContractEventName<C>>(
  contract: C,
  receipt: ContractTransactionReceipt | null,
  eventName: N,
): FoundEvent<C, N> {
  if (!receipt) throw new Error('no receipt')
  const address = String(contract.target).toLowerCase()
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== address) continue
    const parsed = contract.interface.parseLog(log)
    // ethers decodes by the contract's ABI at run time; the binding's event type names the same fields.
    if (parsed && (parsed.name === eventName || parsed.signature === eventName)) return parsed as unknown as FoundEvent<C, N>
  }
  throw new Error(`no ${eventName} event in transaction ${receipt.hash}`)
}

/** Approves the fee from `requester` and asks the oracle; returns the request id. */
export async function requestResolution(
  token: LinkToken,
  oracle: ResolutionOracle,
  requester: Signer,
  q: QuestionParameters,
): Promise<{ requestId: string; receipt: ContractTransactionReceipt }> {
  await mined(token.connect(requester).approve(oracle.target, q.feeWei))
  const receipt = await mined(oracle.connect(requester).requestResolution(requestParams(q)))
  return { requestId: findEvent(oracle, receipt, 'ResolutionRequested').args.requestId, receipt }
}

export type ObservationFields = Partial<Omit<Observation, 'requestId' | 'round' | 'answer'>>

/** Every given operator signs the same request, round and answer (each with its own evidence fields). */
export async function signByOperators(
  operators: readonly OperatorKeys[],
  domain: ObservationDomain,
  observation: Pick<Observation, 'requestId' | 'round' | 'answer'> & ObservationFields,
): Promise<SignedObservation[]> {
  return Promise.all(
    operators.map((op) =>
      signObservation({
        signer: op.signer,
        domain,
        observation: buildObservation({
          evidenceHash: keccak256(toUtf8Bytes(`evidence ${op.index}`)),
          modelHash: keccak256(toUtf8Bytes('model')),
          ...observation,
        }),
      }),
    ),
  )
}

export function commitReport(oracle: ResolutionOracle, report: CommitReport): Promise<ContractTransactionResponse> {
  return oracle.commitReport(report.requestId, report.round, report.answer, report.observations)
}

/** The EIP-712 domain of an oracle or feed contract: its chain and its address. */
export async function domainOf(contract: BaseContract): Promise<ObservationDomain> {
  const provider = contract.runner?.provider
  if (!provider) throw new Error('contract has no provider')
  const { chainId } = await provider.getNetwork()
  return { chainId, verifyingContract: await contract.getAddress() }
}

/** Signs and commits in one go: the path a test or the demo takes when it stands in for the aggregator. */
export async function signAndCommit(
  oracle: ResolutionOracle,
  operators: readonly OperatorKeys[],
  observation: Pick<Observation, 'requestId' | 'round' | 'answer'> & ObservationFields,
): Promise<{ report: CommitReport; receipt: ContractTransactionReceipt }> {
  const domain = await domainOf(oracle)
  const report = buildCommitReport(domain, await signByOperators(operators, domain, observation))
  const receipt = await mined(commitReport(oracle, report))
  return { report, receipt }
}

/**
 * Registers `signer` as the operator's signing key: the signing key signs its consent (the proof
 * Staking.registerSigner checks), the operator key sends it.
 */
export async function registerSigner(staking: Staking, operator: Signer, signer: Signer): Promise<ContractTransactionReceipt> {
  const provider = staking.runner?.provider
  if (!provider) throw new Error('staking contract has no provider')
  const { chainId } = await provider.getNetwork()
  const proof = await signSignerRegistration({
    signer,
    operator: await operator.getAddress(),
    chainId,
    stakingAddress: await staking.getAddress(),
  })
  return mined(staking.connect(operator).registerSigner(await signer.getAddress(), proof))
}

/**
 * Each operator signs its own value for a feed round, observed at `observedAt` (unix seconds; default: the
 * latest block's time, the clock FeedAggregator judges freshness by); the transmit carries them sorted by signer.
 */
export async function signFeedValues(
  feed: FeedAggregator,
  operators: readonly OperatorKeys[],
  feedId: string,
  roundId: number,
  values: readonly bigint[],
  observedAt?: number,
): Promise<FeedTransmit> {
  const domain = await domainOf(feed)
  const at = observedAt ?? (await feed.runner!.provider!.getBlock('latest'))!.timestamp
  const signed = await Promise.all(
    operators.map((op, i) =>
      signObservation({
        signer: op.signer,
        domain,
        observation: buildObservation({
          requestId: feedId,
          round: roundId,
          answer: values[i]!,
          observedAt: at,
          confidenceBps: 10_000,
          evidenceHash: keccak256(toUtf8Bytes(`feed evidence ${op.index}`)),
          modelHash: keccak256(toUtf8Bytes('structured:price@1')),
        }),
      }),
    ),
  )
  return buildFeedTransmit(domain, feedId, signed)
}
