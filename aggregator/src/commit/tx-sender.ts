/**
 * Sends the aggregator's transactions: nonces managed locally (one sender key, many concurrent commits),
 * EIP-1559 fees capped by config, a transaction not mined in time replaced at the same nonce with higher
 * fees, and every RPC call failing over between the configured URLs. A revert is a value the caller
 * inspects; only a transaction that could not be sent or confirmed within bounds is an error.
 *
 * A receipt counts once it is `confirmations` blocks deep, read again there. Until then a reorg may take it
 * away: when a receipt seen before is gone, the same signed transactions are broadcast again (same nonce,
 * so at most one of them lands). Receipts, the head and the nonce are asked of every URL, since one of them
 * may lag behind the chain (it would not know a recent receipt, and would give an old nonce); no single URL
 * decides the head or the nonce, since one may also lie (see trustedHead and pendingNonce).
 */
import { FetchRequest, JsonRpcProvider, Transaction, type TransactionReceipt, type Wallet } from 'ethers'
import type { Logger } from 'pino'
import { BaseError } from '@sibyl/protocol/errors'

export class TxSendError extends BaseError {
  override name = 'TxSendError' as const
}

export type TxSenderParameters = {
  /** The key that pays for commits; its provider is not used. */
  wallet: Wallet
  rpcUrls: readonly string[]
  chainId: bigint
  stuckAfterMs: number
  feeBumpPercent: number
  maxFeeBumps: number
  maxFeePerGasWei: bigint
  logger: Logger
  pollMs?: number
  /** Each RPC call gives up after this long (an RPC that stalls must not hold a send past its budget). 10 s by default. */
  requestTimeoutMs?: number
  /** Blocks a receipt must be below the head before the send counts as done (0: as soon as it is mined). */
  confirmations?: number
  /** The clock the stuck and give-up deadlines are measured on (Date.now by default). */
  nowMs?: () => number
  /** Waits between receipt polls (a timer by default); a test passes one that moves its own clock. */
  sleep?: (ms: number) => Promise<void>
}

export type SendTransactionParameters = { to: string; data: string; gasLimit: bigint }

export type SendTransactionReturnType = {
  receipt: TransactionReceipt
  /** Replacements sent before one was mined. */
  bumps: number
  /** Times a mined transaction vanished in a reorg and was broadcast again. */
  reorgs: number
}

export type SendBudgetParameters = Pick<TxSenderParameters, 'stuckAfterMs' | 'maxFeeBumps' | 'confirmations'>

/** The longest one `send` takes before it gives up: mining (with every fee bump), then confirmations. */
export function sendBudgetMs({ stuckAfterMs, maxFeeBumps, confirmations = 0 }: SendBudgetParameters): number {
  return stuckAfterMs * (maxFeeBumps + 2) + (confirmations > 0 ? stuckAfterMs * (confirmations + 1) : 0)
}

export type TxSender = {
  address: string
  send: (tx: SendTransactionParameters) => Promise<SendTransactionReturnType>
  /** Runs a read against the first RPC URL that answers. */
  read: <T>(fn: (provider: JsonRpcProvider) => Promise<T>) => Promise<T>
  destroy: () => void
}

/** Transactions of ours that may sit in the pool at once (concurrent commits and finalizations) and then some. */
const MAX_NONCE_LEAD = 16

const sleepMs = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

function isTransportError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  if (code === 'NETWORK_ERROR' || code === 'SERVER_ERROR' || code === 'TIMEOUT' || code === 'ECONNREFUSED' || code === 'UNKNOWN_ERROR') return true
  const message = error instanceof Error ? error.message : String(error)
  return /ECONNREFUSED|ECONNRESET|socket hang up|fetch failed|timeout/i.test(message)
}

function messageOf(error: unknown): string {
  const short = (error as { shortMessage?: unknown } | null)?.shortMessage
  const inner = (error as { error?: { message?: unknown } } | null)?.error?.message
  return [short, inner, error instanceof Error ? error.message : String(error)].filter((s) => typeof s === 'string').join(' | ')
}

export function createTxSender(parameters: TxSenderParameters): TxSender {
  const { wallet, chainId, logger } = parameters
  const pollMs = parameters.pollMs ?? 100
  const nowMs = parameters.nowMs ?? Date.now
  const sleep = parameters.sleep ?? sleepMs
  const providers = parameters.rpcUrls.map((url) => {
    const request = new FetchRequest(url)
    request.timeout = parameters.requestTimeoutMs ?? 10_000
    const p = new JsonRpcProvider(request, chainId, { staticNetwork: true, cacheTimeout: -1 })
    p.pollingInterval = pollMs
    return p
  })
  const confirmations = parameters.confirmations ?? 0
  let preferred = 0
  let nextNonce: number | undefined
  // Set by destroy(): a send still waiting for its receipt gives up at once instead of polling dead providers
  // until its budget runs out (which held a stopped aggregator's process open for a minute).
  let destroyed = false
  let nonceLock: Promise<void> = Promise.resolve()

  async function read<T>(fn: (provider: JsonRpcProvider) => Promise<T>): Promise<T> {
    let lastError: unknown
    for (let i = 0; i < providers.length; i++) {
      const index = (preferred + i) % providers.length
      try {
        const result = await fn(providers[index]!)
        if (index !== preferred) {
          logger.warn({ rpc: index }, 'rpc failover: using another URL')
          preferred = index
        }
        return result
      } catch (error) {
        if (!isTransportError(error)) throw error
        lastError = error
      }
    }
    throw new TxSendError('No RPC URL answered.', { cause: lastError })
  }

  /** Every URL's answer, highest first (a lagging URL gives a lower head or an older nonce, a lying one anything). */
  async function answers(fn: (provider: JsonRpcProvider) => Promise<number>): Promise<number[]> {
    const results = await Promise.allSettled(providers.map(fn))
    const values = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))
    if (values.length === 0) throw new TxSendError('No RPC URL answered.', { cause: results.find((r) => r.status === 'rejected')?.reason })
    return values.sort((a, b) => b - a)
  }

  /** The second-highest head (the lower of two): one URL's made-up head must not count as confirmations. */
  async function trustedHead(): Promise<number> {
    const heads = await answers((p) => p.getBlockNumber())
    return heads[1] ?? heads[0]!
  }

  /**
   * The highest pending nonce (a lagging URL gives an older one), unless it is more than MAX_NONCE_LEAD above
   * the next answer: then one URL made it up, and a send at it would sit in the pool until its budget ran out.
   */
  async function pendingNonce(): Promise<number> {
    const nonces = await answers((p) => p.getTransactionCount(wallet.address, 'pending'))
    const [highest, next] = nonces as [number, number | undefined]
    if (next === undefined || highest - next <= MAX_NONCE_LEAD) return highest
    logger.warn({ highest, next }, 'one RPC URL reports a pending nonce far above the others; not used')
    return next
  }

  /**
   * A receipt of any of `hashes` from any URL (a lagging one does not know it yet); `answered` is false when
   * no URL could be asked, which says nothing about the transaction (it is no reorg).
   */
  async function findReceipt(hashes: readonly string[]): Promise<{ receipt?: TransactionReceipt; answered: boolean }> {
    let answered = false
    for (const provider of providers) {
      for (const hash of hashes) {
        try {
          const receipt = await provider.getTransactionReceipt(hash)
          answered = true
          if (receipt) return { receipt, answered }
        } catch {
          break
        }
      }
    }
    return { answered }
  }

  /** Serializes nonce allocation and broadcast, so concurrent commits never share or skip a nonce. */
  async function withNonce<T>(fn: (nonce: number) => Promise<T>): Promise<T> {
    const previous = nonceLock
    let release!: () => void
    nonceLock = new Promise((r) => (release = r))
    await previous
    try {
      nextNonce ??= await pendingNonce()
      const nonce = nextNonce
      const result = await fn(nonce)
      nextNonce = nonce + 1
      return result
    } catch (error) {
      // The nonce may or may not have been used: ask the chain next time.
      nextNonce = undefined
      throw error
    } finally {
      release()
    }
  }

  async function fees(): Promise<{ maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }> {
    const data = await read((p) => p.getFeeData())
    const priority = data.maxPriorityFeePerGas ?? 1_000_000_000n
    let maxFee = data.maxFeePerGas ?? (data.gasPrice ?? priority) * 2n
    if (maxFee > parameters.maxFeePerGasWei) maxFee = parameters.maxFeePerGasWei
    return { maxFeePerGas: maxFee, maxPriorityFeePerGas: priority > maxFee ? maxFee : priority }
  }

  async function broadcast(signed: string): Promise<void> {
    try {
      await read((p) => p.broadcastTransaction(signed))
    } catch (error) {
      const text = messageOf(error)
      // Already in the pool (a retry after a timeout that did reach the node) is success.
      if (/already known|known transaction|already imported/i.test(text)) return
      throw error
    }
  }

  async function send(tx: SendTransactionParameters): Promise<SendTransactionReturnType> {
    let fee = await fees()
    const sent: string[] = []
    const { nonce, signed } = await withNonce(async (n) => {
      const signedTx = await wallet.signTransaction({ type: 2, chainId, nonce: n, to: tx.to, data: tx.data, gasLimit: tx.gasLimit, ...fee })
      await broadcast(signedTx)
      return { nonce: n, signed: signedTx }
    })
    sent.push(Transaction.from(signed).hash!)
    const raws = [signed]
    let bumps = 0
    let reorgs = 0
    let mined: TransactionReceipt | undefined
    let bumpAt = nowMs() + parameters.stuckAfterMs
    const giveUpAt = nowMs() + sendBudgetMs({ ...parameters, confirmations })
    while (nowMs() < giveUpAt && !destroyed) {
      const { receipt, answered } = await findReceipt(sent)
      if (receipt && confirmations === 0) return { receipt, bumps, reorgs }
      if (receipt) {
        mined = receipt
        const head = await trustedHead().catch(() => receipt.blockNumber)
        if (head - receipt.blockNumber >= confirmations) {
          // Read again at depth: still the same block, so the reorg window has passed.
          const again = (await findReceipt([receipt.hash])).receipt
          if (again && again.blockHash === receipt.blockHash) return { receipt: again, bumps, reorgs }
        }
      } else if (mined && answered) {
        // It was mined and is gone: a reorg took its block. The same signed transactions go out again.
        reorgs++
        logger.warn({ nonce, tx: mined.hash, block: mined.blockNumber }, 'commit transaction vanished in a reorg; broadcasting it again')
        mined = undefined
        for (const raw of raws) await broadcast(raw).catch((error: unknown) => logger.warn({ nonce, err: messageOf(error) }, 're-broadcast not accepted'))
        bumpAt = nowMs() + parameters.stuckAfterMs
      }
      if (!receipt && answered && nowMs() >= bumpAt && bumps < parameters.maxFeeBumps) {
        const raise = (x: bigint) => (x * BigInt(100 + parameters.feeBumpPercent)) / 100n + 1n
        let maxFeePerGas = raise(fee.maxFeePerGas)
        if (maxFeePerGas > parameters.maxFeePerGasWei) maxFeePerGas = parameters.maxFeePerGasWei
        const maxPriorityFeePerGas = raise(fee.maxPriorityFeePerGas) > maxFeePerGas ? maxFeePerGas : raise(fee.maxPriorityFeePerGas)
        if (maxFeePerGas > fee.maxFeePerGas) {
          fee = { maxFeePerGas, maxPriorityFeePerGas }
          const replacement = await wallet.signTransaction({ type: 2, chainId, nonce, to: tx.to, data: tx.data, gasLimit: tx.gasLimit, ...fee })
          try {
            await broadcast(replacement)
            sent.push(Transaction.from(replacement).hash!)
            raws.push(replacement)
            bumps++
            logger.warn({ nonce, bumps, maxFeePerGas: String(fee.maxFeePerGas), hashes: sent }, 'transaction stuck: replaced with higher fees')
          } catch (error) {
            // "nonce too low": one of ours was mined between our look and the replacement; the loop finds it.
            logger.warn({ nonce, err: messageOf(error) }, 'fee bump not accepted')
          }
        } else {
          logger.warn({ nonce, cap: String(parameters.maxFeePerGasWei) }, 'transaction stuck at the fee cap')
        }
        bumpAt = nowMs() + parameters.stuckAfterMs
      }
      await sleep(pollMs)
    }
    // The nonce is spent in the pool; the next send asks the chain again.
    nextNonce = undefined
    if (destroyed) throw new TxSendError(`The sender stopped with the transaction at nonce ${nonce} in flight.`, { details: sent.join(', ') })
    const what = mined ? `mined in block ${mined.blockNumber} but not ${confirmations} blocks deep` : `not mined after ${bumps} fee bumps`
    throw new TxSendError(`Transaction at nonce ${nonce} ${what}.`, { details: sent.join(', ') })
  }

  return {
    address: wallet.address,
    send,
    read,
    destroy: () => {
      destroyed = true
      providers.forEach((p) => p.destroy())
    },
  }
}
