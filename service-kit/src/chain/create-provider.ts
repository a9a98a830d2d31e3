/**
 * The chain client of a Sibyl service: one JSON-RPC provider per URL, failing over between them.
 *
 * No single backend is believed about the chain: a lying or misconfigured one must not pick the head nor
 * answer every read. Each URL's chain id is asked once; a backend of another chain is never asked anything
 * (until it answers eth_chainId, a backend is not asked either). The trusted head is the second-highest head
 * reported (the median of three; with two backends, the lower one): one backend reporting a head far ahead
 * cannot move it. getBlockNumber answers that trusted head, so a scan cursor never passes a block another
 * backend has not seen. With two URLs a stuck backend therefore holds the head back: list three for both
 * safety and progress.
 *
 * Reads go to the backend with the highest head first among those at most MAX_AHEAD_BLOCKS above the
 * trusted head, not simply the first listed: a backend that lags (stuck syncing, a stale cache) would
 * otherwise be asked first and say "no such request" about a chain it has not seen. A backend further ahead
 * is not asked at all. Heads are read again at most every pollIntervalMs; a backend that fails at the
 * transport level is passed over (its head counts as unknown until the next read) and the next one is
 * asked. A revert or another answer of the node is an answer, not a transport failure, and is returned as
 * it is. Transactions are broadcast to every backend (ethers' FallbackProvider). Every request gives up
 * after requestTimeoutMs.
 */
import { FallbackProvider, FetchRequest, JsonRpcProvider, type AbstractProvider, type PerformActionRequest, type Provider } from 'ethers'

export type CreateProviderParameters = { rpcUrls: readonly string[]; pollIntervalMs: number; requestTimeoutMs: number }

function isTransportError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  if (code === 'NETWORK_ERROR' || code === 'SERVER_ERROR' || code === 'TIMEOUT' || code === 'UNKNOWN_ERROR') return true
  const message = error instanceof Error ? error.message : String(error)
  return /ECONNREFUSED|ECONNRESET|socket hang up|fetch failed|timeout/i.test(message)
}

/** Blocks a backend's head may be above the trusted head and still be asked (honest nodes differ by a few). */
export const MAX_AHEAD_BLOCKS = 64

/** The second-highest of the known heads (the only one when one is known); -1 when none is known. */
export function trustedHead(heads: readonly number[]): number {
  const known = heads.filter((h) => h >= 0).sort((a, b) => b - a)
  return known.length >= 2 ? known[1]! : (known[0] ?? -1)
}

/** Freshest trusted backend first; see the top of this file. */
class FreshestFirstProvider extends FallbackProvider {
  readonly #backends: readonly JsonRpcProvider[]
  readonly #refreshMs: number
  readonly #chainId: bigint
  #heads: number[]
  /** Per backend: true once its eth_chainId matched, false once it named another chain (never asked again). */
  #chainOk: (boolean | undefined)[]
  #headsAtMs = Number.NEGATIVE_INFINITY
  #refreshing: Promise<void> | undefined

  constructor(backends: readonly JsonRpcProvider[], chainId: number, refreshMs: number, stallTimeout: number) {
    super(
      backends.map((provider, i) => ({ provider, priority: i + 1, weight: 1, stallTimeout })),
      chainId,
      { quorum: 1 },
    )
    this.#backends = backends
    this.#refreshMs = refreshMs
    this.#heads = backends.map(() => -1)
    this.#chainOk = backends.map(() => undefined)
    this.#chainId = BigInt(chainId)
  }

  /** Its head, or -1 when it cannot be trusted to serve this chain (or did not answer). */
  async #headOf(i: number): Promise<number> {
    const backend = this.#backends[i]!
    if (this.#chainOk[i] === undefined) this.#chainOk[i] = BigInt((await backend.send('eth_chainId', [])) as string) === this.#chainId
    return this.#chainOk[i] ? await backend.getBlockNumber() : -1
  }

  async #order(): Promise<number[]> {
    if (Date.now() - this.#headsAtMs >= this.#refreshMs) {
      this.#refreshing ??= (async () => {
        const heads = await Promise.allSettled(this.#backends.map((_, i) => this.#headOf(i)))
        this.#heads = heads.map((h) => (h.status === 'fulfilled' ? h.value : -1))
        this.#headsAtMs = Date.now()
      })().finally(() => (this.#refreshing = undefined))
      await this.#refreshing
    }
    const ceiling = trustedHead(this.#heads) + MAX_AHEAD_BLOCKS
    return this.#backends
      .map((_, i) => i)
      .filter((i) => this.#chainOk[i] === true && this.#heads[i]! <= ceiling)
      .sort((a, b) => this.#heads[b]! - this.#heads[a]! || a - b)
  }

  override async _perform<T = unknown>(req: PerformActionRequest): Promise<T> {
    if (req.method === 'broadcastTransaction') return super._perform<T>(req)
    const order = await this.#order()
    const head = trustedHead(this.#heads)
    if (req.method === 'getBlockNumber' && head >= 0) return head as T
    let lastError: unknown = new Error('No RPC backend of this chain answered (fetch failed).')
    for (const i of order) {
      try {
        return (await this._translatePerform(this.#backends[i] as AbstractProvider, req)) as T
      } catch (error) {
        if (!isTransportError(error)) throw error
        lastError = error
        this.#heads[i] = -1
      }
    }
    throw lastError
  }
}

export function createProvider(config: CreateProviderParameters, chainId: number): Provider {
  const providers = config.rpcUrls.map((url) => {
    const request = new FetchRequest(url)
    request.timeout = config.requestTimeoutMs
    // cacheTimeout -1: ethers' short request cache otherwise hands back a stale nonce between sends.
    const p = new JsonRpcProvider(request, chainId, { staticNetwork: true, cacheTimeout: -1 })
    p.pollingInterval = Math.min(config.pollIntervalMs, 4000)
    return p
  })
  if (providers.length === 1) return providers[0]!
  return new FreshestFirstProvider(providers, chainId, config.pollIntervalMs, config.requestTimeoutMs)
}
