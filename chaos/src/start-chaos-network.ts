/**
 * The devnet the chaos suite runs on, every component its own OS process: a three-server secured NATS cluster
 * (operator-mode identities, TLS, streams at three replicas), anvil with the contracts and four staked
 * operators, the demo sites and the hostile site, an RPC proxy in front of anvil, and — as `sibyl node` /
 * `sibyl aggregator` processes with config files an operator would write — four oracle nodes (the last one
 * lying, through chaos/src/lying-node-entry.ts) and two aggregators sharing the work. One honest node keeps
 * its state on a small tmpfs, for the full-disk fault.
 *
 * Nothing here starts the services: the run does, and kills and restarts them. Every child process is
 * reported to `onSpawn` as soon as it exists, so the run's cleanup can kill it whatever happens.
 */
import type { ChildProcess } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseEther } from 'ethers'
import { freePort } from '@sibyl/contracts/anvil'
import { startLocalNetwork, setBalance, localWallet, type LocalNetwork } from '@sibyl/devnet/local-network'
import { startNatsCluster, DEVNET_READER, type NatsCluster } from '@sibyl/devnet/start-nats-cluster'
import { startDemoSites, type DemoSites } from '@sibyl/devnet/serve-demo-sites'
import { resolveTestModelsDir } from '@sibyl/oracle-node/testing/test-models-dir'
import { startHostileSite, type HostileSite } from './hostile-site.ts'
import { startRpcProxy, type RpcProxy } from './rpc-proxy.ts'
import { mountStateDisk, type StateDisk } from './fill-disk.ts'
import { createServiceProcess, type ServiceCrash, type ServiceProcess } from './service-process.ts'

export const CHAOS_CHAIN_ID = 31337
export const CHAOS_DURABLE = 'sibyl-aggregator'
/** The node whose state directory is a tmpfs (an honest one: a full disk must not turn it into a liar). */
export const DISK_NODE_INDEX = 1
const STATE_DISK_BYTES = 16 * 1024 * 1024

export type ChaosNode = { index: number; name: string; lying: boolean; signer: string; identity: string; process: ServiceProcess }

export type ChaosNetwork = {
  net: LocalNetwork
  cluster: NatsCluster
  sites: DemoSites
  hostile: HostileSite
  proxy: RpcProxy
  stateDisk: StateDisk
  nodes: ChaosNode[]
  aggregators: ServiceProcess[]
  readerIdentity: string
  /** Stops what this file started (not the service processes: the run owns those). */
  close: () => Promise<void>
}

export type StartChaosNetworkParameters = {
  workDir: string
  repoRoot: string
  nodes: number
  aggregators: number
  onSpawn: (child: ChildProcess) => void
  /** A service exited on its own (it is started again: see service-process.ts). */
  onCrash: (crash: ServiceCrash) => void
  onStep: (line: string) => void
}

export async function startChaosNetwork(p: StartChaosNetworkParameters): Promise<ChaosNetwork> {
  const undo: (() => Promise<unknown> | unknown)[] = []
  const close = async () => {
    for (const u of undo.splice(0).reverse()) await Promise.resolve().then(u).catch(() => undefined)
  }
  try {
    // Signers are deterministic (devnet's localWallet), so the NATS identities can be made before the chain is up.
    const signers = Array.from({ length: p.nodes }, (_, i) => localWallet('signer', i).address)
    const nodeNames = signers.map((_, i) => `node-${i + 1}`)
    const aggregatorNames = Array.from({ length: p.aggregators }, (_, i) => `aggregator-${i + 1}`)
    p.onStep('starting a 3-server secured NATS cluster and anvil (deploying the contracts, staking 4 operators)')
    const natsDir = join(p.workDir, 'nats')
    mkdirSync(natsDir, { recursive: true })
    const [clusterResult, netResult] = await Promise.allSettled([
      startNatsCluster({
        size: 3,
        workDir: natsDir,
        chainIds: [CHAOS_CHAIN_ID],
        durableName: CHAOS_DURABLE,
        identities: [
          ...nodeNames.map((name, i) => ({ role: 'node' as const, name, signer: signers[i]! })),
          ...aggregatorNames.map((name) => ({ role: 'aggregator' as const, name })),
        ],
        onSpawn: p.onSpawn,
      }),
      startLocalNetwork({ operators: p.nodes }),
    ])
    if (clusterResult.status === 'fulfilled') undo.push(() => clusterResult.value.stop())
    if (netResult.status === 'fulfilled') {
      p.onSpawn(netResult.value.anvil.process)
      undo.push(() => netResult.value.stop())
    }
    if (clusterResult.status === 'rejected') throw clusterResult.reason
    if (netResult.status === 'rejected') throw netResult.reason
    const cluster = clusterResult.value
    const net = netResult.value

    p.onStep('serving the demo sites and the hostile site; the RPC proxy in front of anvil')
    const sites = await startDemoSites()
    undo.push(() => sites.close())
    const hostile = await startHostileSite()
    undo.push(() => hostile.close())
    const proxy = await startRpcProxy({ targetHost: '127.0.0.1', targetPort: net.anvil.port })
    undo.push(() => proxy.close())

    const deploymentFile = join(p.workDir, 'deployment.json')
    writeFileSync(deploymentFile, JSON.stringify(net.deployment, null, 2))
    const configDir = join(p.workDir, 'config')
    const logDir = join(p.workDir, 'logs')
    mkdirSync(configDir, { recursive: true })
    mkdirSync(logDir, { recursive: true })
    const natsSection = (name: string) => {
      const c = cluster.connectionFor(name)
      return { servers: c.servers, credentialsFile: c.credentialsFile, ...(c.tls ? { tls: c.tls } : {}) }
    }
    // Every process reaches the chain only through the proxy: an outage there is an outage for all of them.
    const chain = { rpcUrls: [proxy.url], deploymentFile, confirmations: 0, pollIntervalMs: 500 }
    const cli = join(p.repoRoot, 'cli', 'bin', 'sibyl.js')
    const lyingEntry = join(p.repoRoot, 'chaos', 'src', 'lying-node-entry.ts')

    const stateDisk = mountStateDiskFor(join(p.workDir, nodeNames[DISK_NODE_INDEX]!))
    undo.push(() => stateDisk.unmount())

    // Each service's metrics port: probed free, and never handed out twice in this run (a port closed after the
    // probe may be offered again; two services on one port would leave one unable to start while the other's
    // answer made it look ready).
    const metricsPorts = new Set<number>()
    const uniquePort = async (): Promise<number> => {
      for (;;) {
        const port = await freePort()
        if (!metricsPorts.has(port)) {
          metricsPorts.add(port)
          return port
        }
      }
    }

    const nodes: ChaosNode[] = []
    for (const [i, name] of nodeNames.entries()) {
      const lying = i === p.nodes - 1
      const port = await uniquePort()
      const stateDir = join(p.workDir, name)
      mkdirSync(stateDir, { recursive: true })
      const configFile = join(configDir, `${name}.json`)
      writeFileSync(
        configFile,
        JSON.stringify(
          {
            name,
            chain,
            nats: natsSection(name),
            key: { source: 'env', env: 'SIBYL_NODE_KEY' },
            stateDir,
            // The demo and hostile sites are on 127.0.0.1: the only reason this is ever true.
            sources: { allowPrivateAddresses: true, timeoutMs: 10_000 },
            model: { modelsDir: resolveTestModelsDir(), device: 'cpu' },
            metrics: { host: '127.0.0.1', port },
            log: { level: 'info' },
          },
          null,
          2,
        ),
      )
      // Node.js flags for the oracle nodes only, to diagnose a run (e.g. "--cpu-prof --cpu-prof-dir=DIR", "--trace-gc").
      const nodeFlags = (process.env.SIBYL_CHAOS_NODE_FLAGS ?? '').split(/\s+/).filter((f) => f !== '')
      const args = lying ? [...nodeFlags, '--import', 'tsx', lyingEntry, '--config', configFile] : [...nodeFlags, cli, 'node', '--config', configFile]
      nodes.push({
        index: i,
        name,
        lying,
        signer: signers[i]!,
        identity: name,
        process: createServiceProcess({
          name,
          command: process.execPath,
          args,
          env: { ...process.env, SIBYL_NODE_KEY: localWallet('signer', i).privateKey },
          cwd: p.repoRoot,
          logFile: join(logDir, `${name}.log`),
          metricsUrl: `http://127.0.0.1:${port}/metrics`,
          readyTimeoutMs: 180_000,
          onSpawn: p.onSpawn,
          onCrash: p.onCrash,
          restartDelayMs: 2000,
        }),
      })
    }

    const aggregators: ServiceProcess[] = []
    for (const [i, name] of aggregatorNames.entries()) {
      const wallet = localWallet('chaos aggregator', i)
      await setBalance(net.provider, wallet.address, parseEther('1000'))
      const port = await uniquePort()
      const configFile = join(configDir, `${name}.json`)
      writeFileSync(
        configFile,
        JSON.stringify(
          {
            name,
            chain,
            nats: { ...natsSection(name), durableName: CHAOS_DURABLE, ackWaitMs: 5000 },
            key: { source: 'env', env: 'SIBYL_AGGREGATOR_KEY' },
            // The default deadline; a commit lease short enough that a killed aggregator's claim is taken over
            // within the run (the default 60 s would only make the quick run longer).
            rounds: { deadlineMs: 60_000, commitLeaseMs: 20_000, sweepIntervalMs: 500 },
            transactions: { stuckAfterMs: 10_000 },
            metrics: { host: '127.0.0.1', port },
            log: { level: 'info' },
          },
          null,
          2,
        ),
      )
      aggregators.push(
        createServiceProcess({
          name,
          command: process.execPath,
          args: [cli, 'aggregator', '--config', configFile],
          env: { ...process.env, SIBYL_AGGREGATOR_KEY: wallet.privateKey },
          cwd: p.repoRoot,
          logFile: join(logDir, `${name}.log`),
          metricsUrl: `http://127.0.0.1:${port}/metrics`,
          readyTimeoutMs: 120_000,
          onSpawn: p.onSpawn,
          onCrash: p.onCrash,
          restartDelayMs: 2000,
        }),
      )
    }
    return { net, cluster, sites, hostile, proxy, stateDisk, nodes, aggregators, readerIdentity: DEVNET_READER, close }
  } catch (error) {
    await close()
    throw error
  }
}

function mountStateDiskFor(dir: string): StateDisk {
  mkdirSync(dir, { recursive: true })
  return mountStateDisk(dir, STATE_DISK_BYTES)
}
