/**
 * The consumer's side of the demo and the end-to-end tests: open an example PredictionMarket on a question,
 * back outcomes, close it and ask the oracle, then follow the request on-chain: the commit, the end of the
 * dispute window, finalize (anyone may call it; the demo does, as a keeper would), the market's payout.
 */
import { REQUEST_STATUS } from '@sibyl/protocol/request-status'
import { ContractFactory, type Contract, type ContractTransactionReceipt, type JsonRpcProvider, type Wallet } from 'ethers'
import { contractAt } from '@sibyl/contracts/contract-at'
import { localWallet, setBalance, type LocalNetwork } from './local-network.ts'
import { findEvent } from '@sibyl/contracts/requests'
import { predictionMarketAbi, predictionMarketBytecode } from '@sibyl/contracts/generated/PredictionMarket'
import { BaseError } from '@sibyl/protocol/errors'

export class DemoFlowError extends BaseError {
  override name = 'DemoFlowError' as const
}

/** ResolutionOracle.Status */

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

/** Deploys a market as the network's deployer, funds its oracle fee in the network token, and takes the positions. */
export async function openMarket(net: LocalNetwork, p: OpenMarketParameters): Promise<Contract> {
  const deployed = await new ContractFactory(predictionMarketAbi, predictionMarketBytecode, net.deployer).deploy(
    net.contracts.oracle.target,
    net.contracts.token.target,
    p.specJson,
    [...p.outcomes],
    p.closeTime,
    p.resolveAfter,
    p.feeWei,
  )
  await deployed.waitForDeployment()
  const market = contractAt(predictionMarketAbi, String(deployed.target), net.deployer)
  await (await net.contracts.token.getFunction('mint')(market.target, p.feeWei)).wait()
  for (const position of p.positions) {
    await (await (market.connect(position.wallet) as Contract).getFunction('buy')(position.outcome, { value: position.amountWei })).wait()
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
export async function requestMarketResolution(net: LocalNetwork, market: Contract): Promise<{ requestId: string; txHash: string }> {
  const receipt = (await (await market.getFunction('requestResolution')()).wait()) as ContractTransactionReceipt
  const requestId = findEvent(net.contracts.oracle, receipt, 'ResolutionRequested').args.getValue('requestId') as string
  return { requestId, txHash: receipt.hash }
}

export type CommitEvent = { requestId: string; round: number; answer: bigint; signers: string[]; txHash: string; blockNumber: number }

/** Every ReportCommitted of a request (exactly one is the rule). */
export async function readCommits(net: LocalNetwork, requestId: string): Promise<CommitEvent[]> {
  const oracle = net.contracts.oracle
  const logs = await oracle.queryFilter(oracle.filters.ReportCommitted!(requestId), net.deployment.deployedAtBlock)
  return logs.map((log) => {
    const parsed = oracle.interface.parseLog(log)!
    return {
      requestId,
      round: Number(parsed.args.getValue('round')),
      answer: parsed.args.getValue('answer') as bigint,
      signers: [...(parsed.args.getValue('signers') as string[])],
      txHash: log.transactionHash,
      blockNumber: log.blockNumber,
    }
  })
}

export type RequestState = { status: bigint; answer: bigint; round: number; committedAt: number }

export async function readRequest(net: LocalNetwork, requestId: string): Promise<RequestState> {
  const r = await net.contracts.oracle.getFunction('getRequest')(requestId)
  return { status: BigInt(r.status), answer: BigInt(r.answer), round: Number(r.round), committedAt: Number(r.committedAt) }
}

/** Polls until `fn` returns a value (not undefined/false), or throws after `timeoutMs`. */
export async function pollUntil<T>(what: string, fn: () => Promise<T | undefined | false>, options: { timeoutMs?: number; everyMs?: number; signal?: AbortSignal } = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000)
  let last: unknown
  while (Date.now() < deadline) {
    if (options.signal?.aborted) throw new DemoFlowError(`Stopped while waiting for ${what}.`)
    try {
      const value = await fn()
      if (value !== undefined && value !== false) return value
    } catch (error) {
      last = error
    }
    await new Promise((r) => setTimeout(r, options.everyMs ?? 200))
  }
  throw new DemoFlowError(`Timed out waiting for ${what}.`, last === undefined ? {} : { cause: last })
}

/** Waits for the request's commit and returns its ReportCommitted. */
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
 * that still lands inside the window.
 */
export async function finalizeAfterWindow(
  net: LocalNetwork,
  commit: CommitEvent,
  disputeWindowSec: number,
  options: { signal?: AbortSignal; caller?: Wallet; timeoutMs?: number } = {},
): Promise<{ txHash: string; receipt: ContractTransactionReceipt }> {
  const { committedAt } = await readRequest(net, commit.requestId)
  const endsAtSec = committedAt + disputeWindowSec
  const offsetSec = await chainClockLeadSec(net.provider)
  const waitMs = Math.max(0, (endsAtSec - offsetSec) * 1000 - Date.now())
  await sleep(waitMs, options.signal)
  const oracle = (options.caller ? net.contracts.oracle.connect(options.caller) : net.contracts.oracle) as Contract
  return pollUntil(
    `finalize of ${commit.requestId}`,
    async () => {
      const tx = await oracle.getFunction('finalize')(commit.requestId, commit.signers)
      const receipt = (await tx.wait()) as ContractTransactionReceipt
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
export async function redeem(net: LocalNetwork, market: Contract, wallet: Wallet): Promise<bigint> {
  const before = await net.provider.getBalance(wallet.address)
  const receipt = (await (await (market.connect(wallet) as Contract).getFunction('redeem')()).wait()) as ContractTransactionReceipt
  const after = await net.provider.getBalance(wallet.address)
  return after - before + receipt.gasUsed * receipt.gasPrice
}

export async function marketResolution(market: Contract): Promise<{ resolved: boolean; answer: bigint }> {
  const [resolved, answer] = await market.getFunction('resolution')()
  return { resolved: resolved as boolean, answer: answer as bigint }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new DemoFlowError('Stopped.'))
    const timer = setTimeout(done, ms)
    function done() {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }
    function onAbort() {
      clearTimeout(timer)
      reject(new DemoFlowError('Stopped.'))
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
