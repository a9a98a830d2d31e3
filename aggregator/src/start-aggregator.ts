/**
 * main() of the aggregator: config in, every dependency built and wired, the shared durable consumer read
 * until a signal, then a clean stop (stop pulling, finish commits in flight, drain NATS). The wait for work in
 * flight is bounded (`stopGraceMs` in the config): with the chain or NATS gone for good a sweep never returns, and
 * a stop that waited for it would never end; what is cut short is picked up by the next start (round records in KV).
 *
 * Several aggregators share one durable pull consumer: JetStream hands each message to one of them (the
 * queue-group behaviour), and the round records in KV let any of them finish a round another started.
 */
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream'
import { nanos } from '@nats-io/nats-core'
import type { Logger } from 'pino'
import { readDeployment } from '@sibyl/protocol/deployment'
import { roundsBucket, streams, SUBJECT_PREFIX } from '@sibyl/protocol/subjects'
import { FeedAggregator__factory } from '@sibyl/contracts/typechain'
import { loadSigner } from '@sibyl/service-kit/config/load-signer'
import { createLogger } from '@sibyl/service-kit/log/create-logger'
import { createProvider } from '@sibyl/service-kit/chain/create-provider'
import { connectNats } from '@sibyl/service-kit/nats/connect-nats'
import { natsAuthFromConfig } from '@sibyl/service-kit/config/config-parts'
import { ensureStreams } from '@sibyl/service-kit/nats/ensure-streams'
import { serveMetrics } from '@sibyl/service-kit/metrics/serve-metrics'
import { monitorEventLoop } from '@sibyl/service-kit/metrics/monitor-event-loop'
import { sleepUnlessAborted } from '@sibyl/service-kit/time/sleep-unless-aborted'
import { drainWithin } from '@sibyl/service-kit/nats/drain-within'
import { waitWithin } from '@sibyl/service-kit/time/wait-within'
import { FetchRequest, JsonRpcProvider, parseUnits } from 'ethers'
import type { AggregatorConfig } from './config/aggregator-config.ts'
import { createAggregator, type Aggregator } from './create-aggregator.ts'
import type { FeedInfo } from './phases/context.ts'
import type { HandleResult } from './phases/intake.ts'
import { settleObservation } from './consume/settle-observation.ts'
import { createAggregatorMetrics, type AggregatorMetrics } from './metrics/aggregator-metrics.ts'
import { createOperatorRegistry } from './registry/operator-registry.ts'
import { createGovernanceEventWatcher } from './registry/watch-governance-events.ts'
import { openRoundStore } from './rounds/round-store.ts'
import { createTxSender, sendBudgetMs } from './commit/tx-sender.ts'
import { createFinalityKeeper } from './finality/finalize-due-requests.ts'
import { createChainReads } from './phases/chain-reads.ts'

export type StartedAggregator = { aggregator: Aggregator; metrics: AggregatorMetrics; logger: Logger; stop: () => Promise<void>; metricsPort?: number }

export type StartAggregatorParameters = {
  config: AggregatorConfig
  env: Record<string, string | undefined>
  logger?: Logger
}

/** With settle-observation's delays (0.5 s doubling to 30 s), about 8 hours of retries. */
const MAX_DELIVER = 1000
/** Messages handled at once; the round store's compare-and-set keeps concurrent writers correct. */
const HANDLER_CONCURRENCY = 8

export async function startAggregator({ config, env, logger: given }: StartAggregatorParameters): Promise<StartedAggregator> {
  const wallet = await loadSigner(config.key, env)
  const nowMs = () => Date.now()
  const logger = given ?? createLogger({ level: config.log.level, bindings: { service: 'sibyl-aggregator', aggregator: config.name, sender: wallet.address } })
  const deployment = readDeployment(config.chain.deploymentFile)
  const chainId = BigInt(deployment.chainId)
  const provider = createProvider(config.chain, Number(chainId))
  const metrics = createAggregatorMetrics({ aggregator: config.name })
  monitorEventLoop({ registry: metrics.registry, onStall: (stall) => logger.warn(stall, `the event loop was held for ${stall.ownMs} ms`) })
  const feeds: FeedInfo[] = []
  for (const f of deployment.contracts.feeds) {
    const feed = FeedAggregator__factory.connect(f.address, provider)
    const [minAnswer, maxAnswer] = await Promise.all([feed.minAnswer(), feed.maxAnswer()])
    feeds.push({ address: f.address, feedId: f.feedId, description: f.description, minAnswer, maxAnswer })
  }
  const registry = createOperatorRegistry({
    provider,
    stakingAddress: deployment.contracts.staking,
    fromBlock: deployment.deployedAtBlock,
    confirmations: config.chain.confirmations,
    maxBlockRange: config.chain.maxBlockRange,
  })
  await registry.sync()
  // Slashes, rotations, disputes: one log line each, from the confirmed head at start on (polled in the sweep loop).
  const governanceEvents = createGovernanceEventWatcher({ provider, stakingAddress: deployment.contracts.staking, disputeGovernanceAddress: deployment.contracts.disputeGovernance, confirmations: config.chain.confirmations, maxBlockRange: config.chain.maxBlockRange, metrics, logger, nowMs })
  await governanceEvents.poll()
  const sender = createTxSender({
    wallet,
    rpcUrls: config.chain.rpcUrls,
    chainId,
    stuckAfterMs: config.transactions.stuckAfterMs,
    feeBumpPercent: config.transactions.feeBumpPercent,
    maxFeeBumps: config.transactions.maxFeeBumps,
    maxFeePerGasWei: parseUnits(config.transactions.maxFeePerGasGwei, 'gwei'),
    confirmations: config.chain.confirmations,
    requestTimeoutMs: config.chain.requestTimeoutMs,
    logger,
    nowMs,
  })
  const finality = config.finality.enabled
    ? createFinalityKeeper({ provider, sender, deployment, metrics, logger: logger.child({ phase: 'finality' }), delaySec: config.finality.delaySec, maxPerPass: config.finality.maxPerSweep, maxBlockRange: config.chain.maxBlockRange, gasLimitPercent: config.transactions.gasLimitPercent, maxCallbackGas: config.finality.maxCallbackGas })
    : undefined
  // One reader per RPC URL: a final decision (refuse for good, stand down) needs them all to agree.
  const viewProviders = config.chain.rpcUrls.length > 1 ? config.chain.rpcUrls.map((url) => viewProvider(url, chainId, config.chain.requestTimeoutMs)) : []
  const confirmViews = viewProviders.map((runner) => createChainReads({ runner, oracleAddress: deployment.contracts.resolutionOracle }))

  const nc = await connectNats({
    servers: config.nats.servers,
    name: `sibyl-aggregator-${config.name}`,
    logger,
    ...natsAuthFromConfig(config.nats, env),
  })
  await ensureStreams(nc)
  const store = await openRoundStore({
    nc,
    bucket: roundsBucket.name(chainId),
    ttlMs: roundsBucket.ttlMs,
    onQuarantine: (roundKey, reason) => {
      metrics.roundRecordsQuarantined.inc()
      logger.error({ roundKey, reason, keptAs: `quarantine.${roundKey}` }, 'unreadable round record moved to quarantine; the round is rebuilt from redelivered observations')
    },
  })
  const js = jetstream(nc)
  const jsm = await jetstreamManager(nc)
  // One durable consumer per chain, shared by every aggregator; adding it again with the same config is a
  // no-op, so aggregators starting together do not conflict.
  await jsm.consumers
    .add(streams.observations.name, {
      durable_name: config.nats.durableName,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: `${SUBJECT_PREFIX}.obs.${chainId}.>`,
      ack_wait: nanos(config.nats.ackWaitMs),
      max_ack_pending: config.nats.maxInFlight * 4,
      max_deliver: MAX_DELIVER,
    })
    .catch(async (error: unknown) => {
      await jsm.consumers.info(streams.observations.name, config.nats.durableName).catch(() => {
        throw error
      })
    })

  const aggregator = createAggregator(
    { provider, sender, store, js, registry, metrics, logger, nowMs, ...(confirmViews.length > 0 ? { confirmViews } : {}) },
    {
      id: config.name,
      deployment,
      feeds,
      deadlineMs: config.rounds.deadlineMs,
      commitLeaseMs: config.rounds.commitLeaseMs,
      maxCommitAttempts: config.rounds.maxCommitAttempts,
      maxCommitBackoffMs: config.rounds.maxCommitBackoffMs,
      sendLeaseMs: sendBudgetMs({ ...config.transactions, confirmations: config.chain.confirmations }) + config.rounds.commitLeaseMs,
      confirmations: config.chain.confirmations,
      maxConcurrentCommits: config.rounds.maxConcurrentCommits,
      madMultiplierMilli: config.outliers.madMultiplierMilli,
      minDeviationBps: config.outliers.minDeviationBps,
      gasLimitPercent: config.transactions.gasLimitPercent,
    },
  )

  const consumer = await js.consumers.get(streams.observations.name, config.nats.durableName)
  const messages: ConsumerMessages = await consumer.consume({ max_messages: config.nats.maxInFlight })
  const inFlight = new Set<Promise<void>>()

  async function handle(m: JsMsg): Promise<void> {
    let result: HandleResult
    try {
      result = await aggregator.handleMessage(m.data)
    } catch (error) {
      // Intake returns dependency failures as `retry`; a throw is a bug. The message still comes back.
      metrics.chainErrors.inc({ operation: 'handle' })
      logger.error({ err: error, seq: m.seq }, 'observation handler threw')
      result = { status: 'retry', error: (error as Error).message }
    }
    settleObservation(m, result, logger)
  }

  const reading = (async () => {
    for await (const m of messages) {
      const p = handle(m).finally(() => inFlight.delete(p))
      inFlight.add(p)
      if (inFlight.size >= HANDLER_CONCURRENCY) await Promise.race(inFlight)
    }
  })().catch((error: unknown) => logger.error({ err: error }, 'consumer stopped'))

  const controller = new AbortController()
  const sweeping = (async () => {
    while (!controller.signal.aborted) {
      try {
        await aggregator.sweep()
      } catch (error) {
        logger.warn({ err: (error as Error).message }, 'sweep failed')
      }
      await governanceEvents.poll()
      await sleepUnlessAborted(config.rounds.sweepIntervalMs, controller.signal)
    }
  })()
  // Its own loop: each finalize waits for its receipt and confirmations (a minute or more), which must not
  // hold up deadlines and commits in the sweep. It shares the commit key's nonces: a finalize stuck at the fee
  // cap delays the commits behind it by at most one send budget, and the sender then moves on.
  const finalizing = (async () => {
    while (finality && !controller.signal.aborted) {
      try {
        await finality.pass(controller.signal)
      } catch (error) {
        logger.warn({ err: (error as Error).message }, 'finality pass failed')
      }
      await sleepUnlessAborted(config.rounds.sweepIntervalMs, controller.signal)
    }
  })()

  const server = config.metrics ? await serveMetrics(metrics.registry, config.metrics.host, config.metrics.port) : undefined
  const address = server?.address()
  const metricsPort = typeof address === 'object' && address ? address.port : undefined
  logger.info({ chainId: deployment.chainId, oracle: deployment.contracts.resolutionOracle, feeds: feeds.length, activeOperators: registry.activeCount(), metricsPort }, 'aggregator started')

  let stopped = false
  const stop = async () => {
    if (stopped) return
    stopped = true
    controller.abort()
    messages.stop()
    const settle = async () => {
      await reading
      await Promise.allSettled([...inFlight])
      await sweeping
      await finalizing
      await aggregator.idle()
    }
    // A failure of that work (a report that NATS refused as the server went away) is logged, and the stop goes on:
    // a stop that threw here would leave the connection dialling and the providers open.
    const waited = await waitWithin(settle(), config.stopGraceMs)
    if (waited.status === 'failed') logger.warn({ err: (waited.error as Error).message }, 'work in flight failed while stopping')
    if (waited.status === 'timed-out') logger.warn({ graceMs: config.stopGraceMs, handlersInFlight: inFlight.size }, 'stopping with work still in flight: a dependency is not answering; the next start picks it up')
    // Drain lets acknowledgements in flight reach the server; with the server gone it would wait forever.
    await drainWithin(nc)
    sender.destroy()
    provider.destroy()
    for (const p of viewProviders) p.destroy()
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
    logger.info('aggregator stopped')
  }
  return { aggregator, metrics, logger, stop, ...(metricsPort === undefined ? {} : { metricsPort }) }
}

/** A reader of one RPC URL alone, giving up after the configured request timeout. */
function viewProvider(url: string, chainId: bigint, timeoutMs: number): JsonRpcProvider {
  const request = new FetchRequest(url)
  request.timeout = timeoutMs
  return new JsonRpcProvider(request, chainId, { staticNetwork: true, cacheTimeout: -1 })
}
