/**
 * The fail-over provider alone, against small JSON-RPC servers standing in for nodes: reads go to the freshest
 * backend (a lagging one listed first is not asked first), but neither the head nor the reads follow a backend
 * far ahead of the others or one of another chain; a backend that stops answering is passed over, and a revert
 * is an answer, not a reason to ask another backend.
 */
import test from 'ava'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createProvider } from './create-provider.ts'

type Backend = { url: string; head: number; callResult: string; revert: boolean; calls: number; close: () => Promise<void> }

async function backend(head: number, callResult: string, chainId = 31337): Promise<Backend> {
  const b = { head, callResult, revert: false, calls: 0 } as Backend
  const server: Server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk) => (body += chunk))
    req.on('end', () => {
      const parsed = JSON.parse(body) as { id: number; method: string } | { id: number; method: string }[]
      const answer = (r: { id: number; method: string }) => {
        if (r.method === 'eth_blockNumber') return { jsonrpc: '2.0', id: r.id, result: `0x${b.head.toString(16)}` }
        if (r.method === 'eth_chainId') return { jsonrpc: '2.0', id: r.id, result: `0x${chainId.toString(16)}` }
        if (r.method === 'eth_call') {
          b.calls++
          if (b.revert) return { jsonrpc: '2.0', id: r.id, error: { code: 3, message: 'execution reverted', data: '0x' } }
          return { jsonrpc: '2.0', id: r.id, result: b.callResult }
        }
        return { jsonrpc: '2.0', id: r.id, error: { code: -32601, message: 'method not found' } }
      }
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify(Array.isArray(parsed) ? parsed.map(answer) : answer(parsed)))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  b.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  b.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return b
}

const call = { to: '0x00000000000000000000000000000000000000aa', data: '0x' }

test('a backend reporting a head far above the others is not trusted for the head nor asked first', async (t) => {
  const honest = await backend(1000, '0x01')
  const liar = await backend(2 ** 40, '0x66')
  t.teardown(async () => {
    await honest.close()
    await liar.close()
  })
  const provider = createProvider({ rpcUrls: [honest.url, liar.url], pollIntervalMs: 50, requestTimeoutMs: 1000 }, 31337)
  t.teardown(() => provider.destroy())
  t.is(await provider.getBlockNumber(), 1000, 'the head is one the other backend agrees with, not the outlier')
  t.is(await provider.call(call), '0x01', 'answered by the honest backend')
  t.is(liar.calls, 0)
})

test('a backend of another chain is never asked, however high its head', async (t) => {
  const honest = await backend(1000, '0x01')
  const other = await backend(1010, '0x66', 1)
  t.teardown(async () => {
    await honest.close()
    await other.close()
  })
  const provider = createProvider({ rpcUrls: [honest.url, other.url], pollIntervalMs: 50, requestTimeoutMs: 1000 }, 31337)
  t.teardown(() => provider.destroy())
  t.is(await provider.call(call), '0x01')
  t.is(await provider.getBlockNumber(), 1000)
  t.is(other.calls, 0, 'the other chain is refused')
  await honest.close()
  await t.throwsAsync(provider.call(call), undefined, 'with the only backend of this chain gone, nothing answers')
  t.is(other.calls, 0)
})

test('reads go to the freshest backend, fail over when it stops answering, and a revert is returned as it is', async (t) => {
  const lagging = await backend(5, '0x01')
  const current = await backend(10, '0x02')
  t.teardown(async () => {
    await lagging.close()
    await current.close()
  })
  // The lagging backend is listed first: a plain priority fail-over would ask it first.
  const provider = createProvider({ rpcUrls: [lagging.url, current.url], pollIntervalMs: 50, requestTimeoutMs: 1000 }, 31337)
  t.teardown(() => provider.destroy())
  t.is(await provider.call(call), '0x02', 'answered by the backend at the highest head')
  // The head is the lower of two: which of them is right cannot be told, and believing the higher one is what let a
  // lying backend move every reader's head. Reads still go to the fresher one (it is within MAX_AHEAD_BLOCKS).
  t.is(await provider.getBlockNumber(), 5)
  t.is(lagging.calls, 0)

  current.revert = true
  await t.throwsAsync(provider.call(call), { message: /revert/ })
  t.is(lagging.calls, 0, 'a revert is the answer; the lagging backend is not asked instead')

  await current.close()
  t.is(await provider.call(call), '0x01', 'the remaining backend answers when the freshest is gone')
})
