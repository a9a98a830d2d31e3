import test from 'ava'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { createExplorerStore } from '../store/explorer-store.ts'
import { createExplorerServer } from './create-explorer-server.ts'

const logger = pino({ level: 'silent' })

function requestId(n: number): string {
  return `0x${n.toString(16).padStart(64, '0')}`
}

/** A built-app folder with a secret next to it (outside), and a link from inside pointing at the secret. */
function makeSite(): { root: string; dist: string } {
  const root = mkdtempSync(join(tmpdir(), 'sibyl-explorer-'))
  const dist = join(root, 'dist')
  mkdirSync(join(dist, 'assets'), { recursive: true })
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Sibyl explorer</title>')
  writeFileSync(join(dist, 'assets', 'app-1234.js'), 'console.log(1)')
  writeFileSync(join(dist, '.env'), 'HIDDEN=1')
  writeFileSync(join(root, 'secret.txt'), 'TOP SECRET')
  symlinkSync(join(root, 'secret.txt'), join(dist, 'leak.txt'))
  return { root, dist }
}

async function start(t: { teardown: (fn: () => unknown) => void }, options: { staticDir?: string; requests?: number; pingIntervalMs?: number } = {}) {
  const store = createExplorerStore()
  for (let i = 1; i <= (options.requests ?? 0); i++) {
    store.upsertRequest({ requestId: requestId(i), specText: JSON.stringify({ version: 1, type: 'text', question: `Question ${i}?`, outcomes: ['Yes', 'No'], sources: [{ url: 'https://example.org/' }] }), outcomes: ['Yes', 'No'], requestedAt: 1_700_000_000 + i })
  }
  const server = createExplorerServer({ store, logger, staticDir: options.staticDir ?? '/nonexistent/explorer-dist', ...(options.pingIntervalMs ? { pingIntervalMs: options.pingIntervalMs } : {}) })
  const { port, url } = await server.listen(0)
  t.teardown(() => server.close())
  return { store, server, port, url }
}

/** Sends a raw request line (no URL normalization by a client library) and returns status line and body. */
function raw(port: number, requestLine: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(`${requestLine}\r\nHost: localhost\r\nConnection: close\r\n\r\n`))
    let data = ''
    socket.on('data', (chunk) => (data += chunk.toString('utf8')))
    socket.on('end', () => resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0), text: data }))
    socket.on('error', reject)
  })
}

test('GET /api/requests pages newest first with limit and cursor', async (t) => {
  const { url } = await start(t, { requests: 7 })
  const first = (await (await fetch(`${url}api/requests?limit=3`)).json()) as { requests: { requestId: string; question: string; status: string }[]; nextCursor: string | null }
  t.deepEqual(first.requests.map((r) => r.requestId), [7, 6, 5].map(requestId))
  t.like(first.requests[0], { question: 'Question 7?', status: 'open' })
  const rest = (await (await fetch(`${url}api/requests?limit=500&cursor=${first.nextCursor}`)).json()) as { requests: { requestId: string }[]; nextCursor: string | null }
  t.deepEqual(rest.requests.map((r) => r.requestId), [4, 3, 2, 1].map(requestId))
  t.is(rest.nextCursor, null)
})

for (const [query, message] of [
  ['limit=banana', 'limit must be an integer from 1 to 500'],
  ['limit=0', 'limit must be an integer from 1 to 500'],
  ['limit=501', 'limit must be an integer from 1 to 500'],
  ['limit=1.5', 'limit must be an integer from 1 to 500'],
  ['limit=', 'limit must be an integer from 1 to 500'],
  ['limit=1&limit=2', 'limit is given more than once'],
  ['status=pending', 'status must be one of open, committed, disputed, final, too-early, unresolvable'],
  ['cursor=zzz', 'cursor is not one this server returned'],
  [`cursor=${'a'.repeat(65)}`, 'cursor is too long'],
  ['sort=asc', 'unknown parameter: sort'],
] as const) {
  test(`GET /api/requests?${query.slice(0, 40)} is a 400 with a clear message`, async (t) => {
    const { url } = await start(t, { requests: 2 })
    const res = await fetch(`${url}api/requests?${query}`)
    t.is(res.status, 400)
    t.is(res.headers.get('content-type'), 'application/json; charset=utf-8')
    t.deepEqual(await res.json(), { error: message })
  })
}

test('a request by id: 400 for a malformed id, 404 for an unknown one, the detail for a known one', async (t) => {
  const { url } = await start(t, { requests: 1 })
  t.is((await fetch(`${url}api/requests/0x1234`)).status, 400)
  const missing = await fetch(`${url}api/requests/${requestId(9)}`)
  t.is(missing.status, 404)
  t.regex(((await missing.json()) as { error: string }).error, /no request/)
  const found = (await (await fetch(`${url}api/requests/${requestId(1).toUpperCase().replace('0X', '0x')}`)).json()) as { requestId: string; nodes: unknown[]; sources: string[] }
  t.is(found.requestId, requestId(1))
  t.deepEqual(found.sources, ['https://example.org/'])
  t.deepEqual(found.nodes, [])
})

test('the other API routes answer JSON; unknown API paths are a 404', async (t) => {
  const { url } = await start(t)
  t.deepEqual(await (await fetch(`${url}api/feeds`)).json(), { feeds: [] })
  t.deepEqual(await (await fetch(`${url}api/disputes`)).json(), { disputes: [] })
  t.deepEqual(await (await fetch(`${url}api/operators`)).json(), { operators: [], modelDiversity: { distinctModelHashes: 0, byModelHash: {} } })
  t.like(await (await fetch(`${url}api/health`)).json(), { ok: false, natsConnected: false })
  t.is((await fetch(`${url}api/feeds/0x0000000000000000000000000000000000000001/rounds`)).status, 404)
  t.is((await fetch(`${url}api/feeds/nope/rounds`)).status, 400)
  t.is((await fetch(`${url}api/nothing`)).status, 404)
})

test('only GET and HEAD: other methods get a 405 with Allow', async (t) => {
  const { url } = await start(t)
  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
    const res = await fetch(`${url}api/requests`, { method })
    t.is(res.status, 405, method)
    t.is(res.headers.get('allow'), 'GET, HEAD')
  }
  const head = await fetch(`${url}api/requests`, { method: 'HEAD' })
  t.is(head.status, 200)
  t.is(await head.text(), '')
})

test('every answer has a content type, nosniff and a restrictive CSP; long URLs are refused', async (t) => {
  const { url, port } = await start(t)
  for (const path of ['api/requests', 'api/requests?limit=banana', 'index.html', 'api/nothing']) {
    const res = await fetch(`${url}${path}`)
    t.truthy(res.headers.get('content-type'), path)
    t.is(res.headers.get('x-content-type-options'), 'nosniff', path)
    const csp = res.headers.get('content-security-policy') ?? ''
    t.regex(csp, /default-src 'none'/)
    t.regex(csp, /script-src 'self'(;|$)/)
    t.regex(csp, /connect-src 'self'(;|$)/)
    t.notRegex(csp, /https?:|\*/)
  }
  const long = await raw(port, `GET /api/requests?cursor=${'a'.repeat(5000)} HTTP/1.1`)
  t.is(long.status, 414)
})

test('static files: the app is served, nothing outside its folder is (.., encoded .., backslashes, hidden files, links out)', async (t) => {
  const { root, dist } = makeSite()
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  const { url, port } = await start(t, { staticDir: dist })
  const index = await fetch(url)
  t.is(index.status, 200)
  t.is(index.headers.get('content-type'), 'text/html; charset=utf-8')
  t.regex(await index.text(), /Sibyl explorer/)
  const asset = await fetch(`${url}assets/app-1234.js`)
  t.is(asset.headers.get('content-type'), 'text/javascript; charset=utf-8')
  t.regex(asset.headers.get('cache-control') ?? '', /immutable/)
  for (const path of ['/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/%2e%2e%2fsecret.txt', '/..%5csecret.txt', '/assets/..%2f..%2fsecret.txt', '/.env', '/leak.txt', '/%00index.html', '/%zz']) {
    const res = await raw(port, `GET ${path} HTTP/1.1`)
    t.true(res.status === 400 || res.status === 404, `${path} → ${res.status}`)
    t.false(res.text.includes('TOP SECRET'), path)
    t.false(res.text.includes('HIDDEN'), path)
  }
})

test('without a built app, the page says to run npm run build; the API still works', async (t) => {
  const { url } = await start(t)
  const res = await fetch(url)
  t.is(res.status, 503)
  t.regex(await res.text(), /npm run build/)
  t.is((await fetch(`${url}api/requests`)).status, 200)
})

test('SSE: events stream to clients; a client that drops its socket mid-stream is removed and the server keeps serving', async (t) => {
  const { url, port, store, server } = await start(t, { requests: 1, pingIntervalMs: 50 })
  // Client A: reads the stream through node:http, then destroys its socket mid-stream.
  const firstEvent = await new Promise<string>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/api/events' }, (res) => {
      t.is(res.headers['content-type'], 'text/event-stream; charset=utf-8')
      let text = ''
      res.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8')
        if (text.includes('event: request')) {
          req.destroy()
          resolve(text)
        }
      })
      res.on('error', () => undefined)
      // Once subscribed, make the store produce an event.
      setTimeout(() => store.upsertRequest({ requestId: requestId(2), specText: 'a new question arrives' }), 20)
    })
    req.on('error', (e) => (e.message.includes('socket hang up') || e.message.includes('aborted') ? undefined : reject(e)))
    req.end()
  })
  t.regex(firstEvent, /event: request\ndata: \{"requestId":"0x0{63}2"/)
  // Client B: a raw socket that sends the request, reads a little, then is destroyed with data in flight.
  await new Promise<void>((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write('GET /api/events HTTP/1.1\r\nHost: x\r\n\r\n'))
    socket.once('data', () => {
      for (let i = 0; i < 50; i++) store.upsertRequest({ requestId: requestId(100 + i), specText: `burst ${i}` })
      socket.destroy()
      resolve()
    })
  })
  // Both clients are gone: the server drops them (and their store listeners) and keeps serving.
  for (let i = 0; i < 100 && (server.eventClientCount() > 0 || store.listenerCount() > 0); i++) await new Promise((r) => setTimeout(r, 20))
  t.is(server.eventClientCount(), 0)
  t.is(store.listenerCount(), 0)
  for (let i = 0; i < 5; i++) store.upsertRequest({ requestId: requestId(200 + i), specText: 'after the disconnects' })
  const res = await fetch(`${url}api/requests?limit=1`)
  t.is(res.status, 200)
  t.is(((await res.json()) as { requests: { requestId: string }[] }).requests[0]!.requestId, requestId(204))
})

test('SSE: pings keep the stream alive', async (t) => {
  const { port } = await start(t, { pingIntervalMs: 30 })
  const text = await new Promise<string>((resolve) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/api/events' }, (res) => {
      let body = ''
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8')
        if (body.includes(': ping')) {
          req.destroy()
          resolve(body)
        }
      })
      res.on('error', () => undefined)
    })
    req.on('error', () => undefined)
    req.end()
  })
  t.regex(text, /retry: 3000/)
  t.regex(text, /: ping\n\n/)
})
