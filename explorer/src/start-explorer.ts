/**
 * A running explorer: the chain indexer and the NATS indexer fill one store, and the HTTP server serves it (the
 * JSON API, the event stream and the built web app). `sibyl explorer --config FILE` and the demo start it.
 *
 * It only reads: the chain through the failing-over provider of service-kit, the bus as a read-only identity
 * (the `reader` role; `credentialsFile` on a secured deployment). It holds no key.
 */
import type { Logger } from 'pino'
import type { Deployment } from '@sibyl/protocol/deployment'
import type { FeedSpec } from '@sibyl/protocol/question-spec'
import { createProvider } from '@sibyl/service-kit/chain/create-provider'
import { connectNats, type NatsAuthParameters } from '@sibyl/service-kit/nats/connect-nats'
import { indexChain } from './index/index-chain.ts'
import { indexNats } from './index/index-nats.ts'
import { createExplorerServer } from './server/create-explorer-server.ts'
import { createExplorerStore, type ExplorerStore } from './store/explorer-store.ts'
import { drainWithin } from '@sibyl/service-kit/nats/drain-within'

export type StartExplorerParameters = {
  /** JSON-RPC URLs (several fail over); `rpcUrl` for one. */
  rpcUrls?: readonly string[]
  rpcUrl?: string
  deployment: Deployment
  /** The bus: its servers and the reader identity's auth (creds file, TLS). `natsServers` + `natsCreds` also work. */
  nats?: { servers: string[] } & NatsAuthParameters
  natsServers?: string[]
  natsCreds?: string
  port: number
  host?: string
  /** Blocks behind the head that events are read at (default 0: the devnet). */
  confirmations?: number
  pollIntervalMs?: number
  maxBlockRange?: number
  requestTimeoutMs?: number
  feedSpecs?: readonly Pick<FeedSpec, 'description' | 'deviationBps' | 'heartbeatSec'>[]
  /** The built web app (default explorer/dist). */
  staticDir?: string
  logger: Logger
}

export type StartedExplorer = {
  url: string
  port: number
  store: ExplorerStore
  close: () => Promise<void>
}

export async function startExplorer(p: StartExplorerParameters): Promise<StartedExplorer> {
  const logger = p.logger.child({ component: 'explorer' })
  const rpcUrls = p.rpcUrls ?? (p.rpcUrl ? [p.rpcUrl] : [])
  if (rpcUrls.length === 0) throw new TypeError('startExplorer: rpcUrls (or rpcUrl) is required')
  const nats = p.nats ?? { servers: p.natsServers ?? [], ...(p.natsCreds ? { credentialsFile: p.natsCreds } : {}) }
  if (nats.servers.length === 0) throw new TypeError('startExplorer: nats.servers (or natsServers) is required')
  const pollIntervalMs = p.pollIntervalMs ?? 1000
  const chainId = BigInt(p.deployment.chainId)

  const store = createExplorerStore()
  const controller = new AbortController()
  const provider = createProvider({ rpcUrls, pollIntervalMs, requestTimeoutMs: p.requestTimeoutMs ?? 10_000 }, Number(chainId))
  const nc = await connectNats({ ...nats, name: 'sibyl-explorer', logger: logger.child({ unit: 'nats' }) })
  const contracts = new Set([p.deployment.contracts.resolutionOracle, ...p.deployment.contracts.feeds.map((f) => f.address)].map((a) => a.toLowerCase()))
  const natsIndexer = indexNats({ nc, store, chainId, contracts, logger, signal: controller.signal })
  const chainIndexer = indexChain({
    provider,
    deployment: p.deployment,
    store,
    confirmations: p.confirmations ?? 0,
    pollIntervalMs,
    maxBlockRange: p.maxBlockRange ?? 2000,
    ...(p.feedSpecs ? { feedSpecs: p.feedSpecs } : {}),
    logger,
    signal: controller.signal,
  })
  const server = createExplorerServer({ store, logger, ...(p.staticDir ? { staticDir: p.staticDir } : {}) })
  let listening: { port: number; url: string }
  try {
    listening = await server.listen(p.port, p.host ?? '127.0.0.1')
  } catch (error) {
    controller.abort()
    await nc.close().catch(() => undefined)
    throw error
  }
  logger.info({ url: listening.url }, 'explorer serving')

  let closing: Promise<void> | undefined
  return {
    ...listening,
    store,
    close: () =>
      (closing ??= (async () => {
        controller.abort()
        await server.close()
        await Promise.all([natsIndexer.done, chainIndexer.done]).catch(() => undefined)
        await drainWithin(nc, 2000)
        provider.destroy()
      })()),
  }
}
