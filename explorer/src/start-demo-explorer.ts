/**
 * The explorer over the demo's network (`sibyl demo`): its anvil, its deployment, its feed spec, and NATS as the
 * network's read-only identity. The network is described by shape, not imported, so the explorer never depends
 * on the devnet package.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Logger } from 'pino'
import type { Deployment } from '@sibyl/protocol/deployment'
import { feedSpecSchema } from '@sibyl/protocol/question-spec'
import type { NatsAuthParameters } from '@sibyl/service-kit/nats/connect-nats'
import { DEFAULT_STATIC_DIR } from './server/create-explorer-server.ts'
import { startExplorer, type StartedExplorer } from './start-explorer.ts'

export type DemoNetworkShape = {
  net: { anvil: { rpcUrl: string }; deployment: Deployment }
  natsReader: { servers: string[] } & NatsAuthParameters
  feedSpecFile: string | undefined
}

export type StartDemoExplorerParameters = {
  network: DemoNetworkShape
  /** 0: a free port. */
  port: number
  logger: Logger
  /** Told when the web app is not built (the API still serves). */
  warn?: (text: string) => void
  staticDir?: string
}

export async function startDemoExplorer({ network, port, logger, warn, staticDir = DEFAULT_STATIC_DIR }: StartDemoExplorerParameters): Promise<StartedExplorer> {
  if (!existsSync(join(staticDir, 'index.html'))) warn?.(`the explorer's web app is not built (${staticDir}): run \`npm run build\`; its JSON API serves without it`)
  const feedSpecs = network.feedSpecFile ? [feedSpecSchema.parse(JSON.parse(readFileSync(network.feedSpecFile, 'utf8')))] : []
  return startExplorer({
    rpcUrls: [network.net.anvil.rpcUrl],
    deployment: network.net.deployment,
    nats: network.natsReader,
    port,
    host: '127.0.0.1',
    // The demo's chain moves in seconds: follow it closely.
    pollIntervalMs: 250,
    feedSpecs,
    staticDir,
    logger,
  })
}
