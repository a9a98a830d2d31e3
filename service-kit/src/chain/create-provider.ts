/** The chain client of a Sibyl service: one JSON-RPC provider per URL, failing over between them. */
import { FallbackProvider, JsonRpcProvider, type Provider } from 'ethers'

export type CreateProviderParameters = { rpcUrls: readonly string[]; pollIntervalMs: number; requestTimeoutMs: number }

export function createProvider(config: CreateProviderParameters, chainId: number): Provider {
  const providers = config.rpcUrls.map((url) => {
    // cacheTimeout -1: ethers' short request cache otherwise hands back a stale nonce between sends.
    const p = new JsonRpcProvider(url, chainId, { staticNetwork: true, cacheTimeout: -1 })
    p.pollingInterval = Math.min(config.pollIntervalMs, 4000)
    return p
  })
  if (providers.length === 1) return providers[0]!
  // Fail over between RPC URLs: one answer is enough (quorum 1), the first healthy provider is asked first.
  return new FallbackProvider(
    providers.map((provider, i) => ({ provider, priority: i + 1, weight: 1, stallTimeout: config.requestTimeoutMs })),
    chainId,
    { quorum: 1 },
  )
}
