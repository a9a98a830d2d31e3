/** A real nats-server with JetStream on a free loopback port and a temporary store. */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createConnection } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '@sibyl/contracts/anvil'

export type NatsServer = { url: string; port: number; storeDir: string; process: ChildProcess; stop: () => Promise<void>; restart: () => Promise<NatsServer> }

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' }, () => {
        socket.end()
        resolve(true)
      })
      socket.on('error', () => resolve(false))
    })
    if (ok) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`nats-server did not listen on ${port} within ${timeoutMs} ms`)
}

export async function startNatsServer(options: { port?: number; storeDir?: string } = {}): Promise<NatsServer> {
  const port = options.port ?? (await freePort())
  const storeDir = options.storeDir ?? mkdtempSync(join(tmpdir(), 'sibyl-nats-'))
  const child = spawn('nats-server', ['-js', '-sd', storeDir, '-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' })
  await waitForPort(port, 10_000)
  const server: NatsServer = {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    process: child,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      })
    },
    restart: async () => {
      await server.stop()
      return startNatsServer({ port, storeDir })
    },
  }
  return server
}

export function removeStore(server: NatsServer): void {
  rmSync(server.storeDir, { recursive: true, force: true })
}
