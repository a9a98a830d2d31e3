/**
 * main() of the oracle node: validated config in, every dependency built and wired, shut down cleanly on
 * a signal (stop ticking, drain NATS so in-flight publishes finish, close the journal).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { homedir } from 'node:os'
import { jetstream } from '@nats-io/jetstream'
import type { Provider } from 'ethers'
import type { Logger } from 'pino'
import { readDeployment, type Deployment } from '@sibyl/protocol/deployment'
import { feedSpecSchema } from '@sibyl/protocol/question-spec'
import { DisputeGovernance__factory, FeedAggregator__factory, ResolutionOracle__factory, Staking__factory } from '@sibyl/contracts/typechain'
import { watchSignerStatus } from '../chain/watch-signer-status.ts'
import { evidenceBucket } from '@sibyl/protocol/evidence-bundle'
import { ConfigError, type NodeConfig } from '../config/node-config.ts'
import { createLogger } from '@sibyl/service-kit/log/create-logger'
import { resolveModelCacheDir } from '../nlp/model-cache-dir.ts'
import { createProvider } from '@sibyl/service-kit/chain/create-provider'
import { createFeedRunner, type FeedTarget } from '../feed-runner/feed-runner.ts'
import { createFeedValueReader } from '../feed-runner/create-feed-value-reader.ts'
import { createConfiguredFetcher } from './create-configured-fetcher.ts'
import type { SourceFetcher } from '../sources/create-source-fetcher.ts'
import { sleepUnlessAborted } from '@sibyl/service-kit/time/sleep-unless-aborted'
import { limitRepeatedWarnings } from '@sibyl/service-kit/log/limit-repeated-warnings'
import { loadSigner } from '@sibyl/service-kit/config/load-signer'
import { createNodeMetrics, type NodeMetrics } from '../metrics/node-metrics.ts'
import { serveMetrics } from '@sibyl/service-kit/metrics/serve-metrics'
import { monitorEventLoop } from '@sibyl/service-kit/metrics/monitor-event-loop'
import { connectNats } from '@sibyl/service-kit/nats/connect-nats'
import { drainWithin } from '@sibyl/service-kit/nats/drain-within'
import { waitWithin } from '@sibyl/service-kit/time/wait-within'
import { natsAuthFromConfig } from '@sibyl/service-kit/config/config-parts'
import { ensureStreams } from '@sibyl/service-kit/nats/ensure-streams'
import { openSigningJournal } from '../signing/signing-journal.ts'
import { openNodeDatabase } from '../chain/open-node-database.ts'
import { openNodeStateStore } from '../chain/node-state.ts'
import { importLegacyState } from '../chain/import-legacy-state.ts'
import { createOracleNode, type OracleNode } from './oracle-node.ts'
import { openLocalEvidenceStore } from '../evidence/local-evidence-store.ts'
import { openEvidenceBucket, type EvidenceBucket } from '../evidence/evidence-bucket.ts'
import { createEvidenceStore } from '../evidence/create-evidence-store.ts'
import type { Resolver } from './resolver.ts'
import { withholdEnvFromWorkers } from '../isolate/start-ts-worker.ts'

/** Each configured feed spec, checked and matched to its FeedAggregator in the deployment. */
export function loadFeedTargets(paths: readonly string[], deployment: Deployment, provider: Provider): FeedTarget[] {
  return paths.map((path, i) => {
    let spec
    try {
      spec = feedSpecSchema.parse(JSON.parse(readFileSync(path, 'utf8')))
    } catch (cause) {
      throw new ConfigError(`feeds.${i}: ${path} is not a valid feed spec.`, { cause })
    }
    const deployed = deployment.contracts.feeds.find((f) => f.description === spec.description)
    if (!deployed) throw new ConfigError(`feeds.${i}: the deployment has no feed "${spec.description}".`)
    if (deployed.decimals !== spec.decimals) {
      throw new ConfigError(`feeds.${i}: "${spec.description}" has ${deployed.decimals} decimals on-chain, ${spec.decimals} in ${path}.`)
    }
    return { spec, feedId: deployed.feedId, address: deployed.address, contract: FeedAggregator__factory.connect(deployed.address, provider) }
  })
}

/**
 * How long this node's evidence is kept: the protocol's default, or longer when the deployment's dispute window
 * plus voting period (read on-chain) and a week of slack for a request that waits before it is committed need it.
 */
export async function evidenceRetentionMs(deployment: Deployment, provider: Provider, logger: Logger): Promise<number> {
  try {
    const [windowSec, votingSec] = await Promise.all([
      ResolutionOracle__factory.connect(deployment.contracts.resolutionOracle, provider).disputeWindowSec(),
      DisputeGovernance__factory.connect(deployment.contracts.disputeGovernance, provider).votingPeriodSec(),
    ])
    return Math.max(evidenceBucket.ttlMs, Number(windowSec + votingSec) * 1000 + 7 * 24 * 3600 * 1000)
  } catch (error) {
    logger.warn({ err: error }, `could not read the dispute window and voting period; keeping evidence ${evidenceBucket.ttlMs / 86_400_000} days`)
    return evidenceBucket.ttlMs
  }
}

/** Ticks the feeds on the chain's clock until the signal aborts. */
async function runFeeds(
  runner: ReturnType<typeof createFeedRunner>,
  provider: Provider,
  pollIntervalMs: number,
  signal: AbortSignal,
  logger: Logger,
): Promise<void> {
  // A source that stays down fails every tick: warned when it starts, then every 5 minutes with the count.
  const repeated = limitRepeatedWarnings()
  while (!signal.aborted) {
    try {
      const block = await provider.getBlock('latest')
      const results = await runner.tick(block?.timestamp ?? Math.floor(Date.now() / 1000))
      for (const r of results) {
        if (r.action === 'failed') {
          const warn = repeated.occurred(r.feed, Date.now())
          if (warn) logger.warn({ feed: r.feed, reason: r.reason, repeatsSinceLastWarning: warn.repeats }, 'feed round failed')
        } else {
          if (repeated.recovered(r.feed)) logger.info({ feed: r.feed }, 'feed rounds succeed again')
        }
      }
    } catch (error) {
      logger.warn({ err: error }, 'feed tick failed')
    }
    await sleepUnlessAborted(pollIntervalMs, signal)
  }
}

export type StartedNode = { node: OracleNode; logger: Logger; stop: () => Promise<void>; metricsPort?: number }

export type StartOracleNodeParameters = {
  config: NodeConfig
  env: Record<string, string | undefined>
  /** Builds the judge; called once with the logger so model loading is logged. */
  createResolver: (context: { config: NodeConfig; logger: Logger; metrics: NodeMetrics; fetcher: SourceFetcher; modelCacheDir: string }) => Promise<Resolver>
  logger?: Logger
  /** Wraps the feed value reader (the demo's lying node uses it); the node's own reader by default. */
  wrapFeedValueReader?: (read: ReturnType<typeof createFeedValueReader>) => ReturnType<typeof createFeedValueReader>
}

export async function startOracleNode({ config, env, createResolver, logger: given, wrapFeedValueReader }: StartOracleNodeParameters): Promise<StartedNode> {
  const signer = await loadSigner(config.key, env)
  // The workers started below (page parsing, models) never see the variables that hold the node's secrets.
  withholdEnvFromWorkers([config.key.source === 'env' ? config.key.env : config.key.passwordEnv, config.nats.tokenEnv])
  const logger = given ?? createLogger({ level: config.log.level, bindings: { service: 'sibyl-node', node: config.name, signer: signer.address } })
  const deployment = readDeployment(config.chain.deploymentFile)
  const provider = createProvider(config.chain, Number(deployment.chainId))
  const metrics = createNodeMetrics({ node: config.name })
  const feedTargets = loadFeedTargets(config.feeds, deployment, provider)
  // One fetcher for questions and feeds: its per-host concurrency limit must see all of the node's fetches.
  const fetcher = createConfiguredFetcher(config.sources)
  // Where npm-installed models are converted to: decided here, from the environment main() was given.
  const modelCacheDir = resolveModelCacheDir({ env, homeDir: homedir() })
  const resolver = await createResolver({ config, logger, metrics, fetcher, modelCacheDir })
  // After the models load: sibyl_event_loop_max_block_ms covers serving only. A stall is logged with the monotonic
  // time it ended, to be found in a --cpu-prof profile.
  monitorEventLoop({ registry: metrics.registry, onStall: (stall) => logger.warn(stall, `the event loop was held for ${stall.ownMs} ms`) })
  const nc = await connectNats({
    servers: config.nats.servers,
    name: `sibyl-node-${config.name}`,
    logger,
    ...natsAuthFromConfig(config.nats, env),
  })
  await ensureStreams(nc)
  // Cursor, pending requests and the signing journal in one database; a node that kept them in files imports them once.
  const db = openNodeDatabase(join(config.stateDir, 'node.sqlite'))
  importLegacyState(db, { stateFile: join(config.stateDir, 'node-state.json'), journalFile: join(config.stateDir, 'signing-journal.jsonl') }, logger)
  const journal = openSigningJournal(db)
  // Evidence: the local copy beside the journal (kept as long as the network's), the bucket opened on first use
  // and again after a failure, so a node that starts while NATS is away still stores and later uploads.
  const retentionMs = await evidenceRetentionMs(deployment, provider, logger)
  const localEvidence = openLocalEvidenceStore(join(config.stateDir, 'evidence'))
  const pruned = localEvidence.prune(retentionMs, Date.now())
  if (pruned > 0) logger.info({ pruned }, 'old local evidence removed')
  let bucket: EvidenceBucket | undefined
  const evidence = createEvidenceStore({
    local: localEvidence,
    logger,
    bucket: async () => {
      if (bucket) return bucket
      const opened = await openEvidenceBucket({ nc, signer: signer.address, create: true, ttlMs: retentionMs })
      if (opened.ok) bucket = opened.value
      else logger.warn({ reason: opened.reason }, 'evidence bucket unreachable')
      return bucket
    },
  })
  const node = createOracleNode(
    {
      provider,
      signer,
      oracle: ResolutionOracle__factory.connect(deployment.contracts.resolutionOracle, provider),
      js: jetstream(nc),
      journal,
      store: openNodeStateStore(db),
      resolver,
      metrics,
      logger,
      nowMs: () => Date.now(),
      evidence,
      signerStatus: watchSignerStatus({
        staking: Staking__factory.connect(deployment.contracts.staking, provider),
        signer: signer.address,
        logger,
        gauge: metrics.signerMember,
        nowMs: () => Date.now(),
      }),
    },
    {
      deployment,
      journalRetentionMs: retentionMs,
      retryBaseMs: config.questionRetry.baseMs,
      retryMaxMs: config.questionRetry.maxMs,
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
  const feedRunner = createFeedRunner(
    {
      signer,
      journal,
      js: jetstream(nc),
      metrics,
      logger,
      nowMs: () => Date.now(),
      chainId: BigInt(deployment.chainId),
      readFeedValue: (wrapFeedValueReader ?? ((read) => read))(createFeedValueReader(fetcher, metrics)),
    },
    feedTargets,
  )
  const running = Promise.all([node.run(controller.signal), runFeeds(feedRunner, provider, config.chain.pollIntervalMs, controller.signal, logger)])
  logger.info({ oracle: deployment.contracts.resolutionOracle, chainId: deployment.chainId, metricsPort }, 'oracle node started')

  let stopped = false
  const stop = async () => {
    if (stopped) return
    stopped = true
    controller.abort()
    try {
      const waited = await waitWithin(running, config.stopGraceMs)
      if (waited.status === 'failed') throw waited.error
      if (waited.status === 'timed-out') logger.warn({ graceMs: config.stopGraceMs }, 'stopping with a round still in hand: a dependency is not answering; what was signed is journaled for the next start')
    } finally {
      // Whatever the loops ended with, the connection, the journal and the provider are let go: a client left
      // dialling a NATS server that is gone (a demo stopped by Ctrl-C stops its server too) holds the process open.
      await drainWithin(nc)
      db.close()
      provider.destroy()
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
      logger.info('oracle node stopped')
    }
  }
  return { node, logger, stop, ...(metricsPort === undefined ? {} : { metricsPort }) }
}
