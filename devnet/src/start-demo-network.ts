/**
 * A whole Sibyl network on this machine, for the demo, the end-to-end tests and the end-to-end benchmark:
 * nats-server with JetStream (temporary store; open, or secured: operator-mode identities for every node, the
 * aggregator and a reader, TLS, one server or a three-server cluster, see `natsSecurity`), anvil with the contracts deployed (the demo feed included),
 * n funded, staked and registered operators, the demo's fictional source sites, n oracle nodes (the last
 * `lyingNodes` of them lying) and an aggregator.
 *
 * Nodes and the aggregator run in this process (one model copy per node, no process start-up per node);
 * anvil and nats-server are child processes, each reported through `onSpawn` as soon as it exists so a
 * caller can kill them on exit whatever happens. `stop()` tears everything down in reverse order, and a
 * start that fails or is aborted half-way stops what it had started before throwing.
 */
import type { ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseEther } from 'ethers'
import { pino, type Logger } from 'pino'
import { BaseError } from '@sibyl/protocol/errors'
import { localWallet, setBalance, startLocalNetwork, type LocalNetwork, type LocalOperator } from './local-network.ts'
import { nodeConfigSchema, type NodeConfig } from '@sibyl/oracle-node/config/node-config'
import { startOracleNode, type StartedNode, type StartOracleNodeParameters } from '@sibyl/oracle-node/node/start-oracle-node'
import { createPipelineResolver } from '@sibyl/oracle-node/node/create-pipeline-resolver'
import { resolveAggregatorConfig, type AggregatorConfig, type AggregatorConfigInput } from '@sibyl/aggregator/config/aggregator-config'
import { startAggregator, type StartedAggregator } from '@sibyl/aggregator/start-aggregator'
import { startDemoSites, type DemoSites } from './serve-demo-sites.ts'
import { buildDemoFeedSpec, DEMO_FEED } from './demo-questions.ts'
import { createLyingFeedValueReader, createLyingResolver } from './lying-resolver.ts'
import { startNatsServer, type NatsServer } from './start-nats-server.ts'
import { startNatsCluster, type NatsCluster, type NatsConnectionSpec } from './start-nats-cluster.ts'

export class DemoNetworkError extends BaseError {
  override name = 'DemoNetworkError' as const
}

export type StartDemoNetworkParameters = {
  /** Oracle nodes, one staked operator each (default 4). */
  operators?: number
  /** How many nodes lie (the last ones; default 1). They judge honestly, then report the next outcome and 10x feed values. */
  lyingNodes?: number
  /**
   * How long each lying node holds every answer back (default 0). Longer than the aggregator's round deadline,
   * its dissent arrives after the round was reported: the slow-liar case a loaded machine produces by chance.
   */
  lyingDelayMs?: number
  /** ResolutionOracle's dispute window (default 30 s). */
  disputeWindowSec?: number
  /** DisputeGovernance's voting period (default 1 h). */
  votingPeriodSec?: number
  /**
   * The nodes' `model.modelsDir`. Omitted: none, so each node takes the default resolution (the npm-installed
   * model, converted into the model cache on first use).
   */
  modelsDir?: string
  /** The nodes' execution provider (default 'cpu'). */
  device?: NodeConfig['model']['device']
  /** Run the demo's NWC / USD feed on every node (default true). */
  feed?: boolean
  /** Chain and feed polling of nodes and aggregator (default 200 ms). */
  pollIntervalMs?: number
  /** Node config fields to override (every node), e.g. `{ maxConcurrentRequests: 8 }`. */
  nodeOverrides?: Partial<Pick<NodeConfig, 'maxConcurrentRequests' | 'questionTypes' | 'stopGraceMs'>> & { minConfidenceBps?: number }
  /** Aggregator config fields to override. */
  aggregatorOverrides?: Partial<Pick<AggregatorConfigInput, 'rounds' | 'outliers' | 'transactions' | 'stopGraceMs'>>
  /** Working folder for the deployment file, node state, feed spec and the NATS store; default a new temporary one, removed by stop(). */
  workDir?: string
  /** A logger per component ('node-1', 'aggregator'); default silent. */
  createLogger?: (component: string) => Logger
  /**
   * The message bus (default `open`: one server, no auth, as the tests that read it anonymously expect).
   * `secured`: every node, the aggregator and the watcher connect with identities of their own (least privilege by
   * subject; no anonymous client), over TLS, to `natsServers` servers (1, or a three-server cluster with every
   * stream at three replicas).
   */
  natsSecurity?: 'open' | 'secured'
  /** Servers of a secured bus: 1 or 3 (default 1). */
  natsServers?: 1 | 3
  /** Told about each child process (anvil, nats-server) as soon as it is spawned. */
  onSpawn?: (child: ChildProcess) => void
  /** Aborts the start: what was started is stopped and the start throws. */
  signal?: AbortSignal
  /** Progress of the start, one short line per step. */
  onStep?: (step: string) => void
}

export type DemoNode = {
  index: number
  name: string
  lying: boolean
  operator: LocalOperator
  config: NodeConfig
  /** The running node; replaced by restart(). */
  started: StartedNode
  stop: () => Promise<void>
  restart: () => Promise<void>
}

export type DemoNetwork = {
  net: LocalNetwork
  /** The running nats-server (the first one of a secured bus); replaced by restartNats(). */
  nats: NatsServer
  /** The first server's URL. An open bus takes anyone there; a secured one needs `natsReader` / `natsAdmin`. */
  natsUrl: string
  /** How a read-only client connects (every server; on a secured bus its creds and CA): the demo's watcher. */
  natsReader: NatsConnectionSpec | { servers: string[] }
  /** How an administrator connects (look at streams and KV in tests; provisioning). */
  natsAdmin: NatsConnectionSpec | { servers: string[] }
  /** The secured bus (identities, servers to kill and restart); undefined when open. */
  natsCluster: NatsCluster | undefined
  sites: DemoSites
  workDir: string
  deploymentFile: string
  /** The feed spec file the nodes report (undefined when the feed is off). */
  feedSpecFile: string | undefined
  nodes: DemoNode[]
  /** Signing addresses of the lying nodes. */
  liars: string[]
  disputeWindowSec: number
  aggregatorConfig: AggregatorConfig
  /** The running aggregator; replaced by restartAggregator(), undefined between stopAggregator() and startAggregator(). */
  aggregator: StartedAggregator | undefined
  stopAggregator: () => Promise<void>
  startAggregator: () => Promise<StartedAggregator>
  restartAggregator: () => Promise<StartedAggregator>
  /** Stops nats-server and starts it again on the same port and store; clients reconnect by themselves. */
  restartNats: () => Promise<void>
  stop: () => Promise<void>
}

const silent = pino({ level: 'silent' })

/** Keys of the demo's aggregator (funded on the local chain; never used anywhere else). */
export function demoAggregatorWallet(index = 0) {
  return localWallet('aggregator', index)
}

export async function startDemoNetwork(parameters: StartDemoNetworkParameters = {}): Promise<DemoNetwork> {
  const operatorCount = parameters.operators ?? 4
  const lyingNodes = parameters.lyingNodes ?? 1
  if (!Number.isInteger(operatorCount) || operatorCount < 1 || operatorCount > 64) throw new DemoNetworkError(`operators must be 1..64, got ${operatorCount}`)
  if (!Number.isInteger(lyingNodes) || lyingNodes < 0 || lyingNodes > operatorCount) throw new DemoNetworkError(`lyingNodes must be 0..${operatorCount}, got ${lyingNodes}`)
  const disputeWindowSec = parameters.disputeWindowSec ?? 30
  const votingPeriodSec = parameters.votingPeriodSec ?? 3600
  const pollIntervalMs = parameters.pollIntervalMs ?? 200
  const withFeed = parameters.feed ?? true
  const loggerFor = parameters.createLogger ?? (() => silent)
  const step = parameters.onStep ?? (() => undefined)
  const ownsWorkDir = parameters.workDir === undefined
  const workDir = parameters.workDir ?? mkdtempSync(join(tmpdir(), 'sibyl-demo-'))
  mkdirSync(workDir, { recursive: true })

  // Undo stack: whatever started is stopped, last first, on a failed start and by stop().
  const undo: (() => Promise<unknown>)[] = []
  const unwind = async () => {
    for (const u of undo.splice(0).reverse()) await u().catch(() => undefined)
    if (ownsWorkDir) rmSync(workDir, { recursive: true, force: true })
  }
  let natsServer: NatsServer | undefined
  let natsCluster: NatsCluster | undefined
  // Secured unless a caller asks for an open bus (a test of the open mode itself).
  const secured = (parameters.natsSecurity ?? 'secured') === 'secured'
  const checkAborted = () => {
    if (parameters.signal?.aborted) throw new DemoNetworkError('The demo network start was aborted.')
  }

  try {
    step(secured ? `starting ${parameters.natsServers ?? 1} secured nats-server(s) (JetStream, TLS, identities) and anvil` : 'starting nats-server (JetStream) and anvil')
    const natsStore = join(workDir, 'nats')
    mkdirSync(natsStore, { recursive: true })
    const spawnHook = parameters.onSpawn ? { onSpawn: parameters.onSpawn } : {}
    // anvil's chain id (startLocalNetwork's default): the identities' permissions and the rounds bucket name it.
    const chainId = 31337
    const natsStart = secured
      ? startNatsCluster({ size: parameters.natsServers ?? 1, workDir: natsStore, chainIds: [chainId], ...spawnHook }).then((cluster) => {
          natsCluster = cluster
          return cluster.servers[0]!
        })
      : startNatsServer({ storeDir: natsStore, ...spawnHook })
    const netStart = startLocalNetwork({
      operators: operatorCount,
      config: {
        disputeWindowSec,
        votingPeriodSec,
        // A contested request's window is the deploy config's multiplier (10 at most) times the plain one.
        unbondingDelaySec: Math.max(7 * 24 * 3600, disputeWindowSec * 10 + votingPeriodSec),
        feeds: withFeed ? [DEMO_FEED] : [],
      },
    })
    const [natsResult, netResult] = await Promise.allSettled([natsStart, netStart])
    if (natsResult.status === 'fulfilled') {
      natsServer = natsResult.value
      undo.push(async () => (natsCluster ? natsCluster.stop() : natsServer!.stop()))
    }
    if (netResult.status === 'fulfilled') {
      // startLocalNetwork takes no spawn hook: anvil is reported once the chain is up (it stops anvil itself if
      // deploying fails).
      parameters.onSpawn?.(netResult.value.anvil.process)
      undo.push(() => netResult.value.stop())
    }
    if (natsResult.status === 'rejected') throw natsResult.reason
    if (netResult.status === 'rejected') throw netResult.reason
    const net = netResult.value
    const nats = natsResult.value as NatsServer
    if (Number(net.deployment.chainId) !== chainId) throw new DemoNetworkError(`The local chain is ${net.deployment.chainId}, not ${chainId}.`)
    checkAborted()
    // Each component's NATS section: on a secured bus its own identity (creds file, CA) and every server.
    const natsSection = async (spec: Parameters<NatsCluster['addIdentity']>[0]) => {
      if (!natsCluster) return { servers: [nats.url] }
      const c = await natsCluster.addIdentity(spec)
      return { servers: c.servers, credentialsFile: c.credentialsFile, ...(c.tls ? { tls: c.tls } : {}) }
    }

    step('serving the demo sites')
    const sites = await startDemoSites()
    undo.push(() => sites.close())
    const deploymentFile = join(workDir, 'deployment.json')
    writeFileSync(deploymentFile, JSON.stringify(net.deployment, null, 2))
    const feedSpecFile = withFeed ? join(workDir, 'nwc-usd.feed.json') : undefined
    if (feedSpecFile) writeFileSync(feedSpecFile, JSON.stringify(buildDemoFeedSpec(sites.url), null, 2))

    const aggregatorWallet = demoAggregatorWallet(0)
    await setBalance(net.provider, aggregatorWallet.address, parseEther('1000'))
    const aggregatorConfig = resolveAggregatorConfig(
      {
        name: 'demo-aggregator',
        chain: { rpcUrls: [net.anvil.rpcUrl], deploymentFile, pollIntervalMs },
        nats: { ...(await natsSection({ role: 'aggregator', name: 'demo-aggregator' })), ackWaitMs: 5000 },
        key: { source: 'env', env: 'AGGREGATOR_KEY' },
        // Every node answers within seconds here: a short deadline gets the outlier reports out quickly.
        rounds: { deadlineMs: 20_000, commitLeaseMs: 5000, sweepIntervalMs: 200 },
        transactions: { stuckAfterMs: 10_000 },
        // The demo finalizes its markets itself, as a keeper would (demo-markets.ts finalizeAfterWindow).
        finality: { enabled: false },
        log: { level: 'info' },
        ...parameters.aggregatorOverrides,
      },
      workDir,
    )

    const handle: DemoNetwork = {
      net,
      get nats() {
        return natsServer!
      },
      natsUrl: nats.url,
      natsReader: natsCluster ? natsCluster.reader : { servers: [nats.url] },
      natsAdmin: natsCluster ? natsCluster.admin : { servers: [nats.url] },
      natsCluster,
      sites,
      workDir,
      deploymentFile,
      feedSpecFile,
      nodes: [],
      liars: [],
      disputeWindowSec,
      aggregatorConfig,
      aggregator: undefined,
      stopAggregator: async () => {
        const running = handle.aggregator
        handle.aggregator = undefined
        await running?.stop()
      },
      startAggregator: async () => {
        if (handle.aggregator) return handle.aggregator
        handle.aggregator = await startAggregator({
          config: aggregatorConfig,
          env: { AGGREGATOR_KEY: aggregatorWallet.privateKey },
          logger: loggerFor('aggregator'),
        })
        return handle.aggregator
      },
      restartAggregator: async () => {
        await handle.stopAggregator()
        return handle.startAggregator()
      },
      restartNats: async () => {
        if (natsCluster) {
          for (let i = 0; i < natsCluster.servers.length; i++) await natsCluster.restart(i)
          natsServer = natsCluster.servers[0]
        } else {
          natsServer = await natsServer!.restart()
        }
      },
      stop: async () => unwind(),
    }

    step(`starting ${operatorCount} oracle nodes (${lyingNodes} lying) and loading their models`)
    // The nodes' environment: their keys, and where the model cache is if the person running the demo said so.
    const nodeEnv: Record<string, string | undefined> = { SIBYL_MODEL_CACHE: process.env.SIBYL_MODEL_CACHE, XDG_CACHE_HOME: process.env.XDG_CACHE_HOME }
    for (const op of net.operators) nodeEnv[`NODE_KEY_${op.index}`] = op.signer.privateKey
    const { minConfidenceBps, ...nodeOverrides } = parameters.nodeOverrides ?? {}
    const lyingOptions = { delayMs: parameters.lyingDelayMs ?? 0 }
    // The nodes stop together, each within its own stopGraceMs: one after another, a stop took the sum of their
    // graces (about 8 s of the demo's 15 s after Ctrl-C).
    undo.push(() => Promise.all(handle.nodes.map((node) => node.stop().catch(() => undefined))))
    for (const op of net.operators) {
      checkAborted()
      const name = `node-${op.index + 1}`
      const lying = op.index >= operatorCount - lyingNodes
      const config = nodeConfigSchema.parse({
        name,
        chain: { rpcUrls: [net.anvil.rpcUrl], deploymentFile, confirmations: 0, pollIntervalMs },
        nats: await natsSection({ role: 'node', name, signer: op.signer.address }),
        key: { source: 'env', env: `NODE_KEY_${op.index}` },
        stateDir: join(workDir, name),
        // The demo sites are on 127.0.0.1: the only reason this is ever true.
        sources: { allowPrivateAddresses: true, timeoutMs: 10_000 },
        model: { ...(parameters.modelsDir ? { modelsDir: parameters.modelsDir } : {}), device: parameters.device ?? 'cpu', ...(minConfidenceBps === undefined ? {} : { minConfidenceBps }) },
        feeds: feedSpecFile ? [feedSpecFile] : [],
        log: { level: 'info' },
        ...nodeOverrides,
      })
      const startParameters: StartOracleNodeParameters = {
        config,
        env: nodeEnv,
        logger: loggerFor(name),
        createResolver: lying ? async (context) => createLyingResolver(await createPipelineResolver(context), lyingOptions) : createPipelineResolver,
        ...(lying ? { wrapFeedValueReader: (read) => createLyingFeedValueReader(read, 10n, lyingOptions) } : {}),
      }
      const node: DemoNode = {
        index: op.index,
        name,
        lying,
        operator: op,
        config,
        started: await startOracleNode(startParameters),
        stop: async () => node.started.stop(),
        restart: async () => {
          await node.started.stop()
          node.started = await startOracleNode(startParameters)
        },
      }
      handle.nodes.push(node)
      if (lying) handle.liars.push(op.signer.address)
    }

    checkAborted()
    step('starting the aggregator')
    await handle.startAggregator()
    undo.push(() => handle.stopAggregator())
    return handle
  } catch (error) {
    await unwind()
    throw error
  }
}
