/**
 * A JSON-RPC backend that forwards to a real node (anvil) except where `lie` answers instead: the dishonest or
 * broken backend of the RPC-trust tests (a made-up head or nonce, blocks it does not have). Batches are answered
 * request by request.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export type RpcRequest = { jsonrpc: '2.0'; id: unknown; method: string; params?: unknown[] }

export type LyingRpc = { url: string; stop: () => Promise<void> }

/** `lie` returns the `result` to answer with, or undefined to forward the request unchanged. */
export async function startLyingRpc(target: string, lie: (request: RpcRequest) => { result: unknown } | undefined): Promise<LyingRpc> {
  const answer = async (r: RpcRequest) => {
    const told = lie(r)
    if (told) return { jsonrpc: '2.0', id: r.id, result: told.result }
    const res = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(r) })
    return (await res.json()) as unknown
  }
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk) => (body += chunk))
    req.on('end', async () => {
      try {
        const parsed = JSON.parse(body) as RpcRequest | RpcRequest[]
        const result = Array.isArray(parsed) ? await Promise.all(parsed.map(answer)) : await answer(parsed)
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify(result))
      } catch {
        res.destroy()
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  }
}
