/**
 * main() of the oracle node: validated config in, every dependency built and wired, shut down cleanly on
 * a signal (stop ticking, drain NATS so in-flight publishes finish, close the journal).
 */
import { join } from 'node:path'
import { jetstream } from '@nats-io/jetstream'
import { FallbackProvider, JsonRpcProvider, type Provider } from 'ethers'
import { pino, type Logger } from 'pino'
import { readDeployment } from '@sibyl/protocol/deployment'
import { contractAt } from '@sibyl/contracts/contract-at'
import { resolutionOracleAbi } from '@sibyl/contracts/generated/ResolutionOracle'
import type { NodeConfig } from '../config/node-config.ts'
import { loadSigner } from '../config/load-signer.ts'
import { createNodeMetrics, serveMetrics } from '../metrics/node-metrics.ts'
import { connectNats } from '../transport/connect-nats.ts'
import { ensureStreams } from '../transport/ensure-streams.ts'
import { openSigningJournal } from '../signing/signing-journal.ts'
import { createOracleNode, type OracleNode } from './oracle-node.ts'
import type { Resolver } from './resolver.ts'

/** Paths pino redacts wherever they appear in a log line. */
export const REDACTED_LOG_PATHS = ['privateKey', '*.privateKey', 'key', '*.key', 'password', '*.password', 'token', '*.token', 'seed', '*.seed', 'authorization', '*.authorization']

export function createLogger(level: NodeConfig['log']['level'], bindings: Record<string, unknown>): Logger {
  return pino({ level, base: bindings, redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' } })
}

export function createProvider(config: NodeConfig['chain'], chainId: number): Provider {
  const providers = config.rpcUrls.map((url) => {
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

export type StartedNode = { node: OracleNode; logger: Logger; stop: () => Promise<void>; metricsPort?: number }

export type StartOracleNodeParameters = {
  config: NodeConfig
  env: Record<string, string | undefined>
  /** Builds the judge; called once with the logger so model loading is logged. */
  createResolver: (context: { config: NodeConfig; logger: Logger }) => Promise<Resolver>
  logger?: Logger
}

export async function startOracleNode({ config, env, createResolver, logger: given }: StartOracleNodeParameters): Promise<StartedNode> {
  const signer = await loadSigner(config.key, env)
  const logger = given ?? createLogger(config.log.level, { service: 'sibyl-node', node: config.name, signer: signer.address })
  const deployment = readDeployment(config.chain.deploymentFile)
  const provider = createProvider(config.chain, Number(deployment.chainId))
  const metrics = createNodeMetrics({ node: config.name })
  const resolver = await createResolver({ config, logger })
  const nc = await connectNats({
    servers: config.nats.servers,
    name: `sibyl-node-${config.name}`,
    logger,
    ...(config.nats.tokenEnv && env[config.nats.tokenEnv] ? { token: env[config.nats.tokenEnv]! } : {}),
  })
  await ensureStreams(nc)
  const journal = openSigningJournal(join(config.stateDir, 'signing-journal.jsonl'))
  const node = createOracleNode(
    {
      provider,
      signer,
      oracle: contractAt(resolutionOracleAbi, deployment.contracts.resolutionOracle, provider),
      js: jetstream(nc),
      journal,
      resolver,
      metrics,
      logger,
      nowMs: () => Date.now(),
    },
    {
      deployment,
      stateFile: join(config.stateDir, 'node-state.json'),
      confirmations: config.chain.confirmations,
      maxBlockRange: config.chain.maxBlockRange,
      maxConcurrentRequests: config.maxConcurrentRequests,
      pollIntervalMs: config.chain.pollIntervalMs,
    },
  )
  const server = config.metrics ? await serveMetrics(metrics.registry, config.metrics.host, config.metrics.port) : undefined
  const address = server?.address()
  const metricsPort = typeof address === 'object' && address ? address.port : undefined
  const controller = new AbortController()
  const running = node.run(controller.signal)
  logger.info({ oracle: deployment.contracts.resolutionOracle, chainId: deployment.chainId, metricsPort }, 'oracle node started')

  let stopped = false
  const stop = async () => {
    if (stopped) return
    stopped = true
    controller.abort()
    await running
    await nc.drain()
    journal.close()
    provider.destroy()
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
    logger.info('oracle node stopped')
  }
  return { node, logger, stop, ...(metricsPort === undefined ? {} : { metricsPort }) }
}
