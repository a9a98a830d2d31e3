import { createSourceFetcher, type SourceFetcher } from '../sources/create-source-fetcher.ts'
import type { NodeConfig } from '../config/node-config.ts'

/** The source fetcher under the node's configured policy. */
export function createConfiguredFetcher(sources: NodeConfig['sources']): SourceFetcher {
  return createSourceFetcher(
    {},
    {
      timeoutMs: sources.timeoutMs,
      maxBytes: sources.maxBytes,
      maxRedirects: sources.maxRedirects,
      retries: sources.retries,
      allowPrivateAddresses: sources.allowPrivateAddresses,
      maxConcurrentPerHost: sources.perHostConcurrency,
    },
  )
}
