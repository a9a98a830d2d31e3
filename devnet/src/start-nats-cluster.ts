/**
 * A secured NATS deployment on this machine, for the demo, the tests and the chaos suite: one server, or a
 * three-server cluster, each a real `nats-server` process on loopback ports with JetStream in a store of its own;
 * operator-mode auth (no anonymous client), TLS on client and route connections with a CA made for this network,
 * and the streams and rounds buckets provisioned by the admin identity with their limits at 1 or 3 replicas.
 *
 * The security material is made by the same code as `sibyl nats init` (service-kit's `nats-deployment.ts`),
 * in `<workDir>/nats-auth`. Identities can be added once they are known (a node's signer address exists only
 * after the local chain is up): `addIdentity` signs a new user; the servers need no change for that.
 *
 * Ports: all of them (client, route, monitoring) are picked first, since each server's routes name the others;
 * a port lost to another process before a server bound it makes the whole start begin again on new ports, up
 * to PORT_ATTEMPTS times.
 */
import type { ChildProcess } from 'node:child_process'
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { type NatsConnection } from '@nats-io/transport-node'
import { freePort } from '@sibyl/contracts/anvil'
import { BaseError } from '@sibyl/protocol/errors'
import { connectNats, type NatsAuthParameters } from '@sibyl/service-kit/nats/connect-nats'
import { provisionEvidenceBucket, provisionJetStream } from '@sibyl/service-kit/nats/ensure-streams'
import { addNatsIdentity, initNatsDeployment, revokeNatsIdentity, type NatsDeploymentPaths } from '@sibyl/service-kit/nats/nats-deployment'
import type { NatsIdentitySpec } from '@sibyl/service-kit/nats/nats-permissions'
import { pino } from 'pino'
import { NatsServerStartError, PORT_ATTEMPTS, startNatsServer, type NatsServer } from './start-nats-server.ts'

export class NatsClusterError extends BaseError {
  override name = 'NatsClusterError' as const
}

/** How a component connects: every server's URL, its creds file, the CA. */
export type NatsConnectionSpec = { servers: string[] } & Required<Pick<NatsAuthParameters, 'credentialsFile'>> & Pick<NatsAuthParameters, 'tls'>

export type NatsCluster = {
  /** Client URLs of every server, in order. */
  urls: string[]
  /** The running servers; an entry is replaced by restart(i). */
  servers: NatsServer[]
  /** Monitoring (HTTP) URL of each server, loopback only. */
  monitorUrls: string[]
  paths: NatsDeploymentPaths
  tls: boolean
  /** The admin identity (provisioning; tests use it to look at state). */
  admin: NatsConnectionSpec
  /** A read-only identity (the devnet's watcher). */
  reader: NatsConnectionSpec
  /** Signs a user for a new identity and returns how it connects. */
  addIdentity: (spec: NatsIdentitySpec) => Promise<NatsConnectionSpec>
  /** How an identity added before connects. */
  connectionFor: (name: string) => NatsConnectionSpec
  /** Revokes an identity and reloads every server: its connections close, it cannot connect again. */
  revoke: (name: string) => Promise<void>
  /** Connects as an identity (tests, tools). */
  connectAs: (name: string, options?: { name?: string }) => Promise<NatsConnection>
  /** SIGKILL of server i (a crash). */
  kill: (index: number) => Promise<void>
  /** Starts server i again on its ports and store (after kill or stop). */
  restart: (index: number) => Promise<NatsServer>
  stop: () => Promise<void>
}

export type StartNatsClusterParameters = {
  /** 1 or 3 (default 3). */
  size?: 1 | 3
  /** Folder for the security material and the stores; the caller removes it. */
  workDir: string
  chainIds: readonly (bigint | number)[]
  /** Identities known at start (more with addIdentity). The admin and a reader are always made. */
  identities?: readonly NatsIdentitySpec[]
  /** The aggregators' shared durable consumer (default sibyl-aggregator). */
  durableName?: string
  /** TLS on client and route connections (default true). */
  tls?: boolean
  /** Told about each server process as soon as it is spawned. */
  onSpawn?: (child: ChildProcess) => void
  binary?: string
  startTimeoutMs?: number
}

const silent = pino({ level: 'silent' })
export const DEVNET_ADMIN = 'devnet-admin'
export const DEVNET_READER = 'devnet-reader'

export async function startNatsCluster(parameters: StartNatsClusterParameters): Promise<NatsCluster> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(parameters)
    } catch (error) {
      const portTaken = error instanceof NatsServerStartError && /address already in use/.test(error.details ?? '')
      if (!portTaken || attempt >= PORT_ATTEMPTS) throw error
    }
  }
}

async function startOnce(parameters: StartNatsClusterParameters): Promise<NatsCluster> {
  const size = parameters.size ?? 3
  const tls = parameters.tls ?? true
  const authDir = join(parameters.workDir, 'nats-auth')
  rmSync(authDir, { recursive: true, force: true })
  const ports: { client: number; cluster: number; monitor: number }[] = []
  const taken = new Set<number>()
  const pick = async () => {
    for (;;) {
      const port = await freePort()
      if (!taken.has(port)) {
        taken.add(port)
        return port
      }
    }
  }
  for (let i = 0; i < size; i++) ports.push({ client: await pick(), cluster: await pick(), monitor: await pick() })
  const names = ports.map((_, i) => `nats-${i + 1}`)
  const storeDirs = names.map((n) => join(parameters.workDir, 'nats-store', n))
  for (const d of storeDirs) mkdirSync(d, { recursive: true })
  const deployment = await initNatsDeployment({
    dir: authDir,
    chainIds: parameters.chainIds,
    tls,
    ...(parameters.durableName ? { durableName: parameters.durableName } : {}),
    clusterName: 'sibyl-devnet',
    servers: names.map((name, i) => ({
      name,
      hosts: ['127.0.0.1', 'localhost'],
      listenHost: '127.0.0.1',
      clientPort: ports[i]!.client,
      clusterPort: ports[i]!.cluster,
      monitor: { host: '127.0.0.1', port: ports[i]!.monitor },
      storeDir: storeDirs[i]!,
    })),
    identities: [{ role: 'admin', name: DEVNET_ADMIN }, { role: 'reader', name: DEVNET_READER }, ...(parameters.identities ?? [])],
  })
  const paths = deployment.paths
  const urls = ports.map((p) => `nats://127.0.0.1:${p.client}`)
  const tlsFiles = tls ? { tls: { caFile: paths.caFile } } : {}
  const connectionFor = (name: string): NatsConnectionSpec => ({ servers: [...urls], credentialsFile: paths.credsFile(name), ...tlsFiles })

  const startServer = (i: number) =>
    startNatsServer({
      port: ports[i]!.client,
      storeDir: storeDirs[i]!,
      configFile: paths.serverConfig(names[i]!),
      ...(parameters.onSpawn ? { onSpawn: parameters.onSpawn } : {}),
      ...(parameters.binary ? { binary: parameters.binary } : {}),
      startTimeoutMs: parameters.startTimeoutMs ?? 15_000,
    })
  const started = await Promise.allSettled(names.map((_, i) => startServer(i)))
  const servers = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (failed) {
    for (const s of servers) await s.stop()
    throw failed.reason
  }

  const cluster: NatsCluster = {
    urls,
    servers,
    monitorUrls: ports.map((p) => `http://127.0.0.1:${p.monitor}`),
    paths,
    tls,
    admin: connectionFor(DEVNET_ADMIN),
    reader: connectionFor(DEVNET_READER),
    addIdentity: async (spec) => {
      await addNatsIdentity(authDir, spec)
      // A node's evidence archive is made by the admin (nodes cannot create streams).
      if (spec.role === 'node') {
        const admin = await cluster.connectAs(DEVNET_ADMIN, { name: 'sibyl-devnet-provision' })
        try {
          await provisionEvidenceBucket(admin, spec.signer, size)
        } finally {
          await admin.drain()
        }
      }
      return connectionFor(spec.name)
    },
    connectionFor,
    revoke: async (name) => {
      await revokeNatsIdentity(authDir, name)
      for (const s of cluster.servers) s.process.kill('SIGHUP')
      // A reload is applied asynchronously; give every server a moment.
      await new Promise((r) => setTimeout(r, 500))
    },
    connectAs: async (name, options = {}) => connectNats({ ...connectionFor(name), name: options.name ?? name, logger: silent, connectTimeoutMs: 10_000 }),
    kill: async (i) => cluster.servers[i]!.kill(),
    restart: async (i) => {
      await cluster.servers[i]!.stop()
      cluster.servers[i] = await startServer(i)
      return cluster.servers[i]!
    },
    stop: async () => {
      for (const s of cluster.servers) await s.stop()
    },
  }

  // JetStream answers once the servers have elected a meta leader (a cluster takes a few seconds).
  try {
    const nc = await cluster.connectAs(DEVNET_ADMIN, { name: 'sibyl-devnet-provision' })
    try {
      const deadline = Date.now() + 30_000
      for (;;) {
        try {
          await provisionJetStream(nc, { chainIds: parameters.chainIds, replicas: size, nodeSigners: (parameters.identities ?? []).flatMap((i) => (i.role === 'node' ? [i.signer] : [])) })
          break
        } catch (error) {
          if (Date.now() >= deadline) throw new NatsClusterError('Provisioning JetStream on the devnet NATS servers failed.', { cause: error })
          await new Promise((r) => setTimeout(r, 250))
        }
      }
    } finally {
      await nc.close()
    }
  } catch (error) {
    await cluster.stop()
    throw error
  }
  return cluster
}

