/**
 * A real nats-server with JetStream on a free loopback port and a temporary store, for the demo, the tests
 * and the benchmarks. `restart()` brings it back on the same port and store, so JetStream streams, KV buckets
 * and durable consumers survive (a crash and restart of the server, as the services see it).
 *
 * Several networks may start at once on one machine (two demos, parallel test files). A free port is free
 * only until someone binds it, so the server counts as started when it says it listens ("Listening for client
 * connections on <host>:<port>" on its own stderr), not when something answers on the port: that could be
 * another network's server. A server that lost the port to another ("address already in use") is started
 * again on a new free port, up to PORT_ATTEMPTS times, unless the caller asked for that port.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createConnection } from 'node:net'
import { delimiter, join } from 'node:path'
import { BaseError } from '@sibyl/protocol/errors'
import { freePort } from '@sibyl/contracts/anvil'
import { removeTemporaryDir, temporaryDir } from '@sibyl/service-kit/fs/temporary-dir'

export class NatsServerStartError extends BaseError {
  override name = 'NatsServerStartError' as const
}

export type NatsServer = {
  url: string
  port: number
  storeDir: string
  process: ChildProcess
  stop: () => Promise<void>
  /** SIGKILL: the server dies as in a crash (no clean shutdown, no store flush). */
  kill: () => Promise<void>
  restart: () => Promise<NatsServer>
}

export type StartNatsServerParameters = {
  /** 0 or omitted: a free port. */
  port?: number
  /** JetStream store; omitted: a new temporary folder, removed when this process exits (or by removeNatsStore). */
  storeDir?: string
  /** The binary; omitted: `nats-server` on PATH, else the Debian package's /usr/sbin/nats-server. */
  binary?: string
  startTimeoutMs?: number
  /** Told about the child as soon as it is spawned, so a caller can kill it on exit whatever happens next. */
  onSpawn?: (child: ChildProcess) => void
  /** Picks a port when none is given (default: a free loopback port from the OS); tests pass their own. */
  pickPort?: () => Promise<number>
  /**
   * A nats-server config file (a secured server: `start-nats-cluster.ts` writes them); its JetStream store must
   * be `storeDir`. Without one the server runs open (no auth, no TLS): what the single-server tests use.
   */
  configFile?: string
}

/** Tries at a free port before giving up (a port taken between picking and binding it). */
export const PORT_ATTEMPTS = 5

/** Where the Debian package installs it; /usr/sbin is not on every user's PATH. */
const KNOWN_PATHS = ['/usr/sbin/nats-server', '/usr/local/bin/nats-server', '/usr/bin/nats-server']

export function natsServerBinary(path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (dir && existsSync(join(dir, 'nats-server'))) return join(dir, 'nats-server')
  }
  return KNOWN_PATHS.find((p) => existsSync(p))
}

async function canConnect(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' }, () => {
      socket.destroy()
      resolve(true)
    })
    socket.on('error', () => {
      socket.destroy()
      resolve(false)
    })
  })
}

export async function startNatsServer(parameters: StartNatsServerParameters = {}): Promise<NatsServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(parameters)
    } catch (error) {
      const portTaken = error instanceof NatsServerStartError && /address already in use/.test(error.details ?? '')
      if (!portTaken || parameters.port || attempt >= PORT_ATTEMPTS) throw error
    }
  }
}

async function startOnce(parameters: StartNatsServerParameters): Promise<NatsServer> {
  const binary = parameters.binary ?? natsServerBinary()
  if (!binary) {
    throw new NatsServerStartError('nats-server was not found.', {
      details: `Install it (Debian/Ubuntu: apt-get install nats-server) or put it on PATH; looked on PATH and in ${KNOWN_PATHS.join(', ')}.`,
    })
  }
  const port = parameters.port || (await (parameters.pickPort ?? freePort)())
  // Made here: it outlives stop(), so that restart() finds its streams, and goes when this process exits.
  const storeDir = parameters.storeDir ?? temporaryDir('sibyl-nats-')
  const args = parameters.configFile ? ['-c', parameters.configFile, '-a', '127.0.0.1', '-p', String(port)] : ['-js', '-sd', storeDir, '-a', '127.0.0.1', '-p', String(port)]
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] })
  parameters.onSpawn?.(child)
  const listeningLine = `Listening for client connections on 127.0.0.1:${port}`
  let listening = false
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000)
    if (!listening && stderr.includes(listeningLine)) listening = true
  })
  let spawnError: Error | undefined
  child.on('error', (error) => {
    spawnError = error
  })
  const exited = () => child.exitCode !== null || child.signalCode !== null
  const stop = async () => {
    if (exited() || spawnError) return
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      child.once('exit', () => {
        clearTimeout(timer)
        resolve()
      })
      child.kill('SIGTERM')
    })
  }

  const kill = async () => {
    if (exited() || spawnError) return
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve())
      child.kill('SIGKILL')
    })
  }

  const deadline = Date.now() + (parameters.startTimeoutMs ?? 10_000)
  for (;;) {
    if (spawnError || exited()) {
      if (parameters.storeDir === undefined) removeNatsStore({ storeDir })
      throw new NatsServerStartError('nats-server did not start.', { cause: spawnError, details: stderr.trim() || `exit code ${child.exitCode}` })
    }
    // Our own server said it listens: what answers on the port is this server.
    if (listening && (await canConnect(port))) break
    if (Date.now() >= deadline) {
      await stop()
      throw new NatsServerStartError(`nats-server did not listen on port ${port} in time.`, { details: stderr.trim() })
    }
    await new Promise((r) => setTimeout(r, 50))
  }

  const server: NatsServer = {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    process: child,
    stop,
    kill,
    restart: async () => {
      await stop()
      return startNatsServer({ ...parameters, port, storeDir, binary })
    },
  }
  return server
}

/** Deletes a server's JetStream store (after stop()). */
export function removeNatsStore(server: Pick<NatsServer, 'storeDir'>): void {
  removeTemporaryDir(server.storeDir)
}
