/**
 * Sends the aggregator's transactions: nonces managed locally (one sender key, many concurrent commits),
 * EIP-1559 fees capped by config, a transaction not mined in time replaced at the same nonce with higher
 * fees, and every RPC call failing over between the configured URLs. A revert is a value the caller
 * inspects; only a transaction that could not be sent or confirmed within bounds is an error.
 */
import { JsonRpcProvider, Transaction, type TransactionReceipt, type Wallet } from 'ethers'
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
}

export type TxSender = {
  address: string
  send: (tx: SendTransactionParameters) => Promise<SendTransactionReturnType>
  /** Runs a read against the first RPC URL that answers. */
  read: <T>(fn: (provider: JsonRpcProvider) => Promise<T>) => Promise<T>
  destroy: () => void
}

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
    const p = new JsonRpcProvider(url, chainId, { staticNetwork: true, cacheTimeout: -1 })
    p.pollingInterval = pollMs
    return p
  })
  let preferred = 0
  let nextNonce: number | undefined
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

  /** Serializes nonce allocation and broadcast, so concurrent commits never share or skip a nonce. */
  async function withNonce<T>(fn: (nonce: number) => Promise<T>): Promise<T> {
    const previous = nonceLock
    let release!: () => void
    nonceLock = new Promise((r) => (release = r))
    await previous
    try {
      nextNonce ??= await read((p) => p.getTransactionCount(wallet.address, 'pending'))
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
    let bumps = 0
    let bumpAt = nowMs() + parameters.stuckAfterMs
    const giveUpAt = nowMs() + parameters.stuckAfterMs * (parameters.maxFeeBumps + 2)
    while (nowMs() < giveUpAt) {
      for (const hash of sent) {
        const receipt = await read((p) => p.getTransactionReceipt(hash)).catch(() => null)
        if (receipt) return { receipt, bumps }
      }
      if (nowMs() >= bumpAt && bumps < parameters.maxFeeBumps) {
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
    throw new TxSendError(`Transaction at nonce ${nonce} not mined after ${bumps} fee bumps.`, { details: sent.join(', ') })
  }

  return {
    address: wallet.address,
    send,
    read,
    destroy: () => providers.forEach((p) => p.destroy()),
  }
}
