/**
 * A JSON-RPC proxy in front of a real node (anvil), for tests of how the aggregator rides out a bad RPC:
 *
 * - `down()`: every request is cut off (the socket is destroyed), as when the RPC host is unreachable;
 *   `up()` serves again.
 * - `lagAt(block)`: a backend stuck at an old block. It answers from that block's state: `eth_blockNumber`
 *   says `block`, reads at "latest" (or later) are read at `block`, logs stop there, and receipts of later
 *   transactions are not found. Transactions are still relayed, as a lagging node still gossips them.
 *
 * Everything else is forwarded unchanged to the real node.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export type RpcProxy = {
  url: string
  down: () => void
  up: () => void
  /** Serve the chain as it was at this block; undefined serves the head again. */
  lagAt: (block: number | undefined) => void
  stop: () => Promise<void>
}

type RpcRequest = { jsonrpc: '2.0'; id: unknown; method: string; params?: unknown[] }
type RpcResponse = { jsonrpc: '2.0'; id: unknown; result?: unknown; error?: unknown }

const TAGS = new Set(['latest', 'pending', 'safe', 'finalized'])
/** Methods whose last parameter is a block tag. */
const TAGGED = new Set(['eth_call', 'eth_getBalance', 'eth_getCode', 'eth_getTransactionCount', 'eth_getStorageAt', 'eth_estimateGas'])

const hex = (n: number) => `0x${n.toString(16)}`

/** A tag at or below the lag point stays; "latest" or a later block becomes the lag point. */
function capTag(tag: unknown, lag: number): unknown {
  if (typeof tag !== 'string') return hex(lag)
  if (TAGS.has(tag)) return hex(lag)
  if (tag.startsWith('0x') && tag.length < 20 && Number.parseInt(tag, 16) > lag) return hex(lag)
  return tag
}

export async function startRpcProxy(target: string): Promise<RpcProxy> {
  let isDown = false
  let lag: number | undefined

  async function forward(body: RpcRequest | RpcRequest[]): Promise<RpcResponse | RpcResponse[]> {
    const res = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    return (await res.json()) as RpcResponse | RpcResponse[]
  }

  async function handleOne(request: RpcRequest): Promise<RpcResponse> {
    if (lag === undefined) return (await forward(request)) as RpcResponse
    const at = lag
    const params = [...(request.params ?? [])]
    switch (request.method) {
      case 'eth_blockNumber':
        return { jsonrpc: '2.0', id: request.id, result: hex(at) }
      case 'eth_getBlockByNumber':
        params[0] = capTag(params[0], at)
        break
      case 'eth_getLogs': {
        const filter = { ...(params[0] as Record<string, unknown>) }
        filter.toBlock = capTag(filter.toBlock ?? 'latest', at)
        params[0] = filter
        break
      }
      case 'eth_getTransactionReceipt': {
        const response = (await forward(request)) as RpcResponse
        const receipt = response.result as { blockNumber?: string } | null | undefined
        if (receipt?.blockNumber && Number.parseInt(receipt.blockNumber, 16) > at) return { ...response, result: null }
        return response
      }
      default:
        if (TAGGED.has(request.method)) {
          const minArgs = request.method === 'eth_call' || request.method === 'eth_estimateGas' ? 1 : request.method === 'eth_getStorageAt' ? 2 : 1
          if (params.length > minArgs) params[params.length - 1] = capTag(params[params.length - 1], at)
          else params.push(hex(at))
        }
    }
    return (await forward({ ...request, params })) as RpcResponse
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (isDown) {
      req.socket.destroy()
      return
    }
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as RpcRequest | RpcRequest[]
    const out = Array.isArray(body) ? await Promise.all(body.map(handleOne)) : await handleOne(body)
    if (isDown) {
      req.socket.destroy()
      return
    }
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify(out))
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => req.socket.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    down: () => {
      isDown = true
      // Connections kept alive from before the outage are cut too.
      server.closeAllConnections()
    },
    up: () => void (isDown = false),
    lagAt: (block) => void (lag = block),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
