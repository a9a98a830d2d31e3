/**
 * A TCP proxy between the node and aggregator processes and anvil, that can go down the two ways an RPC provider
 * goes down: `drop` closes every open connection and resets new ones at once (a crashed or restarting backend);
 * `stall` accepts and keeps connections but moves no byte either way until the outage ends (a hung load
 * balancer: the clients' own timeouts have to fire). `restore` lets the held bytes through again.
 */
import { createServer, createConnection, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'

export type RpcProxyMode = 'pass' | 'drop' | 'stall'

export type RpcProxy = {
  /** http://127.0.0.1:<port>: what the processes are configured with. */
  url: string
  mode: () => RpcProxyMode
  setMode: (mode: RpcProxyMode) => void
  close: () => Promise<void>
}

export type StartRpcProxyParameters = { targetHost: string; targetPort: number }

export async function startRpcProxy(parameters: StartRpcProxyParameters): Promise<RpcProxy> {
  let mode: RpcProxyMode = 'pass'
  const pairs = new Set<{ client: Socket; upstream: Socket }>()
  const server = createServer((client) => {
    if (mode === 'drop') {
      client.resetAndDestroy()
      return
    }
    const upstream = createConnection({ host: parameters.targetHost, port: parameters.targetPort })
    const pair = { client, upstream }
    pairs.add(pair)
    const end = () => {
      pairs.delete(pair)
      client.destroy()
      upstream.destroy()
    }
    client.on('error', end).on('close', end)
    upstream.on('error', end).on('close', end)
    client.pipe(upstream)
    upstream.pipe(client)
    if (mode === 'stall') hold(pair)
  })
  // A stalled pair reads nothing: the kernel buffers fill and both ends wait, as behind a hung middlebox.
  const hold = (pair: { client: Socket; upstream: Socket }) => {
    pair.client.unpipe(pair.upstream)
    pair.upstream.unpipe(pair.client)
    pair.client.pause()
    pair.upstream.pause()
  }
  const release = (pair: { client: Socket; upstream: Socket }) => {
    pair.client.pipe(pair.upstream)
    pair.upstream.pipe(pair.client)
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    mode: () => mode,
    setMode: (next) => {
      if (next === mode) return
      const previous = mode
      mode = next
      if (next === 'drop') for (const p of [...pairs]) { p.client.resetAndDestroy(); p.upstream.destroy() }
      if (next === 'stall') for (const p of pairs) hold(p)
      if (next === 'pass' && previous === 'stall') for (const p of pairs) release(p)
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const p of pairs) { p.client.destroy(); p.upstream.destroy() }
        server.close(() => resolve())
      }),
  }
}
