import test from 'ava'
import { createServer, connect, type Server, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { startRpcProxy } from './rpc-proxy.ts'

/** An echo server standing in for anvil (the proxy moves bytes; what they mean does not matter to it). */
async function startEcho(): Promise<{ server: Server; port: number }> {
  const server = createServer((s) => s.pipe(s))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  return { server, port: (server.address() as AddressInfo).port }
}

function open(url: string): Promise<Socket> {
  const { port } = new URL(url)
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port: Number(port) }, () => resolve(s))
    s.once('error', reject)
  })
}

/** What comes back within ms (empty if nothing), and whether the socket was closed on us. */
function exchange(s: Socket, text: string, ms: number): Promise<{ reply: string; closed: boolean }> {
  return new Promise((resolve) => {
    let reply = ''
    let closed = false
    const onData = (d: Buffer) => (reply += d.toString())
    const onClose = () => (closed = true)
    s.on('data', onData).once('close', onClose).once('error', onClose)
    if (!s.destroyed) s.write(text)
    setTimeout(() => {
      s.off('data', onData)
      resolve({ reply, closed })
    }, ms)
  })
}

test('pass forwards, drop cuts open connections and refuses new ones, stall holds bytes until restored', async (t) => {
  const echo = await startEcho()
  const proxy = await startRpcProxy({ targetHost: '127.0.0.1', targetPort: echo.port })
  try {
    const a = await open(proxy.url)
    t.deepEqual(await exchange(a, 'ping', 200), { reply: 'ping', closed: false })

    proxy.setMode('drop')
    t.true((await exchange(a, 'lost', 200)).closed, 'an open connection is cut')
    const b = await open(proxy.url).catch(() => undefined)
    if (b) t.true((await exchange(b, 'x', 200)).closed, 'a new connection is reset at once')

    proxy.setMode('pass')
    const c = await open(proxy.url)
    t.is((await exchange(c, 'back', 200)).reply, 'back')

    proxy.setMode('stall')
    const held = exchange(c, 'held', 300)
    const d = await open(proxy.url)
    t.deepEqual(await exchange(d, 'new', 300), { reply: '', closed: false }, 'a new connection is accepted and hangs')
    t.deepEqual(await held, { reply: '', closed: false }, 'an open connection hangs')

    proxy.setMode('pass')
    // Both read at once: a socket without a data listener drops what arrives.
    const [afterC, afterD] = await Promise.all([exchange(c, '', 300), exchange(d, '', 300)])
    t.is(afterC.reply, 'held', 'the held bytes go through once the outage ends')
    t.is(afterD.reply, 'new')
    for (const s of [a, c, d]) s.destroy()
  } finally {
    await proxy.close()
    echo.server.close()
  }
})
