/**
 * The consumer's side of the demo and the end-to-end tests: open an example PredictionMarket on a question,
 * back outcomes, close it and ask the oracle, then follow the request on-chain: the commit, the end of the
 * dispute window, finalize (anyone may call it; the demo does, as a keeper would), the market's payout.
 *
 * Every contract is a TypeChain binding (@sibyl/contracts/typechain): arguments, results and events are typed.
 * Every wait has a stated bound (service-kit's pollUntil); a bound that runs out throws PollTimeoutError.
 */
import type { ContractTransactionReceipt, JsonRpcProvider, Wallet } from 'ethers'
import { LinkToken__factory, PredictionMarket__factory, ResolutionOracle__factory, type PredictionMarket, type ResolutionOracle } from '@sibyl/contracts/typechain'
import { findEvent, mined } from '@sibyl/contracts/requests'
import { BaseError } from '@sibyl/protocol/errors'
import { REQUEST_STATUS } from '@sibyl/protocol/request-status'
import { pollUntil } from '@sibyl/service-kit/time/poll-until'
import { sleepUnlessAborted } from '@sibyl/service-kit/time/sleep-unless-aborted'
import { localWallet, setBalance, type LocalNetwork } from './local-network.ts'

export class DemoFlowError extends BaseError {
  override name = 'DemoFlowError' as const
}

export type Position = { wallet: Wallet; outcome: number; amountWei: bigint }

export type OpenMarketParameters = {
  /** The spec as posted on-chain (its keccak256 is the request's specHash). */
  specJson: string
  outcomes: readonly string[]
  /** Chain time (s) after which no more positions are taken and the market may ask for its resolution. */
  closeTime: number
  /** Chain time (s) from which nodes may answer (>= closeTime). */
  resolveAfter: number
  feeWei: bigint
  positions: readonly Position[]
}

/** The network's oracle, typed, sending as `runner` (default the deployer). */
function oracleOf(net: LocalNetwork, runner: Wallet = net.deployer): ResolutionOracle {
  return ResolutionOracle__factory.connect(net.deployment.contracts.resolutionOracle, runner)
}

/** Deploys a market as the network's deployer, funds its oracle fee in the network token, and takes the positions. */
export async function openMarket(net: LocalNetwork, p: OpenMarketParameters): Promise<PredictionMarket> {
  const { resolutionOracle, token } = net.deployment.contracts
  const deployed = await new PredictionMarket__factory(net.deployer).deploy(resolutionOracle, token, p.specJson, [...p.outcomes], p.closeTime, p.resolveAfter, p.feeWei)
  await deployed.waitForDeployment()
  const market = PredictionMarket__factory.connect(await deployed.getAddress(), net.deployer)
  await mined(LinkToken__factory.connect(token, net.deployer).mint(market.target, p.feeWei))
  for (const position of p.positions) {
    await mined(market.connect(position.wallet).buy(position.outcome, { value: position.amountWei }))
  }
  return market
}

/** A deterministic local wallet with ETH for positions and gas. */
export async function fundedWallet(net: LocalNetwork, label: string, index: number, wei = 10n ** 20n): Promise<Wallet> {
  const wallet = localWallet(label, index, net.provider)
  await setBalance(net.provider, wallet.address, wei)
  return wallet
}

/** Asks the oracle to resolve a closed market; returns the request id. */
export async function requestMarketResolution(net: LocalNetwork, market: PredictionMarket): Promise<{ requestId: string; txHash: string }> {
  const receipt = await mined(market.requestResolution())
  const requestId = findEvent(oracleOf(net), receipt, 'ResolutionRequested').args.requestId
  return { requestId, txHash: receipt.hash }
}

export type CommitEvent = { requestId: string; round: number; answer: bigint; signers: string[]; txHash: string; blockNumber: number }

/** Every ReportCommitted of a request (exactly one is the rule). */
export async function readCommits(net: LocalNetwork, requestId: string): Promise<CommitEvent[]> {
  const oracle = oracleOf(net)
  const logs = await oracle.queryFilter(oracle.filters.ReportCommitted(requestId), net.deployment.deployedAtBlock)
  return logs.map((log) => ({
    requestId,
    round: Number(log.args.round),
    answer: log.args.answer,
    signers: [...log.args.signers],
    txHash: log.transactionHash,
    blockNumber: log.blockNumber,
  }))
}

export type RequestState = { status: bigint; answer: bigint; round: number; committedAt: number }

export async function readRequest(net: LocalNetwork, requestId: string): Promise<RequestState> {
  const r = await oracleOf(net).getRequest(requestId)
  return { status: r.status, answer: r.answer, round: Number(r.round), committedAt: Number(r.committedAt) }
}

/** Waits (at most `timeoutMs`, default 60 s) for the request's commit and returns its ReportCommitted. */
export async function waitForCommit(net: LocalNetwork, requestId: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<CommitEvent> {
  return pollUntil(
    `the commit of ${requestId}`,
    async () => {
      const state = await readRequest(net, requestId)
      if (state.status === REQUEST_STATUS.Open) return undefined
      const [commit] = await readCommits(net, requestId)
      return commit
    },
    options,
  )
}

/**
 * Calls finalize once the dispute window after the commit has passed. The chain's clock moves only when a
 * block is mined, so this waits on the wall clock, offset by the chain's lead over it, and retries a finalize
 * that still lands inside the window (for at most `timeoutMs` after the window, default 30 s).
 */
export async function finalizeAfterWindow(
  net: LocalNetwork,
  commit: CommitEvent,
  disputeWindowSec: number,
  options: { signal?: AbortSignal; caller?: Wallet; timeoutMs?: number } = {},
): Promise<{ txHash: string; receipt: ContractTransactionReceipt }> {
  // The request's own window (ResolutionOracle.disputeEndsAt): a contested one is longer than disputeWindowSec.
  const endsAtSec = Math.max(Number(await oracleOf(net).disputeEndsAt(commit.requestId)), (await readRequest(net, commit.requestId)).committedAt + disputeWindowSec)
  const offsetSec = await chainClockLeadSec(net.provider)
  await sleepUnlessAborted(Math.max(0, (endsAtSec - offsetSec) * 1000 - Date.now()), options.signal)
  const oracle = oracleOf(net, options.caller)
  return pollUntil(
    `finalize of ${commit.requestId}`,
    async () => {
      const receipt = await mined(oracle.finalize(commit.requestId, commit.signers))
      return { txHash: receipt.hash, receipt }
    },
    { timeoutMs: options.timeoutMs ?? 30_000, everyMs: 500, ...(options.signal ? { signal: options.signal } : {}) },
  )
}

/**
 * How far the local chain's clock is ahead of this machine's (seconds; evm_increaseTime moves it ahead). An
 * empty block is mined first: the latest block may be old, and its timestamp would understate the lead.
 */
export async function chainClockLeadSec(provider: JsonRpcProvider): Promise<number> {
  const before = Date.now()
  await provider.send('evm_mine', [])
  const block = await provider.getBlock('latest')
  if (!block) throw new DemoFlowError('No latest block.')
  return Math.max(0, block.timestamp - Math.floor(before / 1000))
}

/** Redeems `wallet`'s payout and returns what it received in wei (balance change plus the gas it paid). */
export async function redeem(net: LocalNetwork, market: PredictionMarket, wallet: Wallet): Promise<bigint> {
  const before = await net.provider.getBalance(wallet.address)
  const receipt = await mined(market.connect(wallet).redeem())
  const after = await net.provider.getBalance(wallet.address)
  return after - before + receipt.gasUsed * receipt.gasPrice
}

export async function marketResolution(market: PredictionMarket): Promise<{ resolved: boolean; answer: bigint }> {
  const { resolved, answer } = await market.resolution()
  return { resolved, answer }
}
