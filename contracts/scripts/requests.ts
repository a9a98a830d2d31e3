/**
 * Small verbs over a deployed network, shared by tests, benchmarks and the demo: ask a question, have
 * operators sign, commit the report, read events back.
 */
import { keccak256, toUtf8Bytes, type Contract, type ContractTransactionReceipt, type Log, type Wallet } from 'ethers'
import { signObservation, type Observation, type ObservationDomain, type SignedObservation } from '@sibyl/protocol/eip712'
import { buildCommitReport, buildFeedTransmit, type CommitReport, type FeedTransmit } from '@sibyl/protocol/report'

/** An operator's two keys: the one that holds stake, and the node's signing key. */
export type OperatorKeys = { index: number; operator: Wallet; signer: Wallet }

export type QuestionParameters = {
  spec: string
  outcomes: string[]
  resolveAfter: number | bigint
  feeWei: bigint
  callbackGasLimit?: number
}

export function requestParams(q: QuestionParameters) {
  return {
    specHash: keccak256(toUtf8Bytes(q.spec)),
    spec: q.spec,
    outcomes: q.outcomes,
    resolveAfter: BigInt(q.resolveAfter),
    feeWei: q.feeWei,
    callbackGasLimit: q.callbackGasLimit ?? 0,
  }
}

/** The first log of `eventName` emitted by `contract` in a receipt, decoded. */
export function findEvent(contract: Contract, receipt: ContractTransactionReceipt | null, eventName: string) {
  if (!receipt) throw new Error('no receipt')
  for (const log of receipt.logs as Log[]) {
    if (log.address.toLowerCase() !== String(contract.target).toLowerCase()) continue
    const parsed = contract.interface.parseLog(log)
    if (parsed?.name === eventName) return parsed
  }
  throw new Error(`no ${eventName} event in transaction ${receipt.hash}`)
}

/** Approves the fee from `requester` and asks the oracle; returns the request id. */
export async function requestResolution(
  token: Contract,
  oracle: Contract,
  requester: Wallet,
  q: QuestionParameters,
): Promise<{ requestId: string; receipt: ContractTransactionReceipt }> {
  const t = token.connect(requester) as Contract
  const o = oracle.connect(requester) as Contract
  await (await t.getFunction('approve')(oracle.target, q.feeWei)).wait()
  const receipt = (await (await o.getFunction('requestResolution')(requestParams(q))).wait()) as ContractTransactionReceipt
  const event = findEvent(oracle, receipt, 'ResolutionRequested')
  return { requestId: event.args.getValue('requestId') as string, receipt }
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
        observation: {
          confidenceBps: 9000,
          evidenceHash: keccak256(toUtf8Bytes(`evidence ${op.index}`)),
          modelHash: keccak256(toUtf8Bytes('model')),
          ...observation,
        },
      }),
    ),
  )
}

export async function commitReport(oracle: Contract, report: CommitReport) {
  return oracle.getFunction('commitReport')(report.requestId, report.round, report.answer, report.observations)
}

/** The EIP-712 domain of an oracle or feed contract: its chain and its address. */
export async function domainOf(contract: Contract): Promise<ObservationDomain> {
  const provider = contract.runner?.provider
  if (!provider) throw new Error('contract has no provider')
  const { chainId } = await provider.getNetwork()
  return { chainId, verifyingContract: String(contract.target) }
}

/** Signs and commits in one go: the path a test or the demo takes when it stands in for the aggregator. */
export async function signAndCommit(
  oracle: Contract,
  operators: readonly OperatorKeys[],
  observation: Pick<Observation, 'requestId' | 'round' | 'answer'> & ObservationFields,
): Promise<{ report: CommitReport; receipt: ContractTransactionReceipt }> {
  const domain = await domainOf(oracle)
  const report = buildCommitReport(domain, await signByOperators(operators, domain, observation))
  const receipt = (await (await commitReport(oracle, report)).wait()) as ContractTransactionReceipt
  return { report, receipt }
}

/** Each operator signs its own value for a feed round; the transmit carries them sorted by signer. */
export async function signFeedValues(
  feed: Contract,
  operators: readonly OperatorKeys[],
  feedId: string,
  roundId: number,
  values: readonly bigint[],
): Promise<FeedTransmit> {
  const domain = await domainOf(feed)
  const signed = await Promise.all(
    operators.map((op, i) =>
      signObservation({
        signer: op.signer,
        domain,
        observation: {
          requestId: feedId,
          round: roundId,
          answer: values[i]!,
          confidenceBps: 10_000,
          evidenceHash: keccak256(toUtf8Bytes(`feed evidence ${op.index}`)),
          modelHash: keccak256(toUtf8Bytes('structured:price@1')),
        },
      }),
    ),
  )
  return buildFeedTransmit(domain, feedId, signed)
}
