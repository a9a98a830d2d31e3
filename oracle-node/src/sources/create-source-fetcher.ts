/**
 * A source fetcher: the fetch policy plus the state that must outlive one fetch (the per-host
 * concurrency limit). The node makes one at start-up and passes it to whatever reads sources.
 */
import { createHostLimiter, type HostLimiter } from './create-host-limiter.ts'
import {
  defaultSourceFetchPolicy,
  fetchSource,
  type FetchSourceDeps,
  type FetchSourceReturnType,
  type SourceFetchPolicy,
} from './fetch-source.ts'

/** Per-call overrides; the host limit is fixed when the fetcher is made. */
export type SourceFetchOverrides = Partial<Omit<SourceFetchPolicy, 'maxConcurrentPerHost'>>

export type SourceFetcher = {
  readonly policy: Readonly<SourceFetchPolicy>
  fetch(url: string, overrides?: SourceFetchOverrides): Promise<FetchSourceReturnType>
  /** Requests running or queued for a host (`host` as in URL.host); for metrics and tests. */
  load: HostLimiter['load']
}

export type CreateSourceFetcherReturnType = SourceFetcher

export function createSourceFetcher(
  deps: Omit<FetchSourceDeps, 'hostLimiter'> = {},
  policy: Partial<SourceFetchPolicy> = {},
): CreateSourceFetcherReturnType {
  const merged: SourceFetchPolicy = { ...defaultSourceFetchPolicy, ...policy }
  const hostLimiter = createHostLimiter({ maxConcurrentPerHost: merged.maxConcurrentPerHost })
  const boundDeps: FetchSourceDeps = { ...deps, hostLimiter }
  return {
    policy: Object.freeze({ ...merged }),
    fetch: (url, overrides = {}) => fetchSource(boundDeps, url, { ...merged, ...overrides, maxConcurrentPerHost: merged.maxConcurrentPerHost }),
    load: (host) => hostLimiter.load(host),
  }
}
