/**
 * Starts a real anvil (the binary shipped inside the @foundry-rs/anvil npm package) on a free loopback
 * port, for tests, benchmarks and the local demo.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { dirname, join } from 'node:path'
import { BaseError } from '@sibyl/protocol/errors'

const require = createRequire(import.meta.url)

export class AnvilStartError extends BaseError {
  override name = 'AnvilStartError' as const
}

const platformPackages: Record<string, string> = {
  'linux-x64': 'linux-amd64',
  'linux-arm64': 'linux-arm64',
  'darwin-x64': 'darwin-amd64',
  'darwin-arm64': 'darwin-arm64',
}

/** The anvil binary: the platform package of @foundry-rs/anvil, else `anvil` on PATH. */
export function anvilBinary(): string {
  const suffix = platformPackages[`${process.platform}-${process.arch}`]
  if (suffix) {
    try {
      const dir = dirname(require.resolve(`@foundry-rs/anvil-${suffix}/package.json`))
      const bin = join(dir, 'bin', 'anvil')
      if (existsSync(bin)) return bin
    } catch {
      // not installed for this platform; fall through to PATH
    }
  }
  return 'anvil'
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      server.close(() => resolve(port))
    })
  })
}

export type StartAnvilParameters = {
  port?: number
  chainId?: number
  /** Seconds between blocks; omitted = a block per transaction. */
  blockTimeSec?: number
  /** Block gas limit; large reports at n = 31 fit the default, the e2e bench wants more. */
  gasLimit?: bigint
  startTimeoutMs?: number
  extraArgs?: string[]
}

export type Anvil = {
  rpcUrl: string
  port: number
  chainId: number
  process: ChildProcess
  stop: () => Promise<void>
}

export async function startAnvil(parameters: StartAnvilParameters = {}): Promise<Anvil> {
  const port = parameters.port ?? (await freePort())
  const chainId = parameters.chainId ?? 31337
  const args = ['--host', '127.0.0.1', '--port', String(port), '--chain-id', String(chainId), '--silent']
  if (parameters.blockTimeSec !== undefined) args.push('--block-time', String(parameters.blockTimeSec))
  if (parameters.gasLimit !== undefined) args.push('--gas-limit', parameters.gasLimit.toString())
  args.push(...(parameters.extraArgs ?? []))
  const child = spawn(anvilBinary(), args, { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000)
  })
  const rpcUrl = `http://127.0.0.1:${port}`
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000)
      child.once('exit', () => {
        clearTimeout(timer)
        resolve()
      })
      child.kill('SIGTERM')
    })
  }
  const deadline = Date.now() + (parameters.startTimeoutMs ?? 15_000)
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new AnvilStartError('anvil exited during start-up.', { details: stderr.trim() || `exit code ${child.exitCode}` })
    }
    try {
      const res = await fetch(rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
        signal: AbortSignal.timeout(1000),
      })
      if (res.ok) return { rpcUrl, port, chainId, process: child, stop }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  await stop()
  throw new AnvilStartError(`anvil did not answer on ${rpcUrl} in time.`, { details: stderr.trim() })
}
