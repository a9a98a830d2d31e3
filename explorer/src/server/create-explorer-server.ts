/**
 * The explorer's HTTP server (node:http): the JSON API under /api/ (explorer/README.md), server-sent events at
 * /api/events, and the built web app from `staticDir`.
 *
 * It is read-only and public, so it answers GET and HEAD alone (405 otherwise), refuses long URLs (414) before
 * parsing them, and sends with every answer a content type, `X-Content-Type-Options: nosniff` and a
 * Content-Security-Policy that lets the page load nothing but its own files and talk to nothing but this server.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import type { Logger } from 'pino'
import type { ExplorerStore } from '../store/explorer-store.ts'
import { addressSchema, emptyQuerySchema, feedRoundsQuerySchema, listRequestsQuerySchema, parseQuery, requestIdSchema } from './api-queries.ts'
import { createEventClients } from './serve-events.ts'
import { resolveStaticPath, sendStaticFile } from './serve-static.ts'

/** The built app (explorer/dist), next to this package's src/. */
export const DEFAULT_STATIC_DIR = fileURLToPath(new URL('../../dist', import.meta.url))
export const MAX_URL_CHARS = 2048
export const DEFAULT_MAX_EVENT_CLIENTS = 256

/** Everything from this server; inline styles only (uPlot and Preact set element styles). */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
}

export type CreateExplorerServerParameters = {
  store: ExplorerStore
  logger: Logger
  /** The built web app; default explorer/dist. */
  staticDir?: string
  /** Seconds between `: ping` comments on /api/events (default 15 s). */
  pingIntervalMs?: number
  maxEventClients?: number
}

export type ExplorerServer = {
  server: Server
  /** Starts listening; port 0 picks a free port. Resolves with the bound port and the URL to open. */
  listen: (port: number, host?: string) => Promise<{ port: number; url: string }>
  /** Stops accepting, ends the event streams, and closes the server. */
  close: () => Promise<void>
  eventClientCount: () => number
}

function sendJson(res: ServerResponse, status: number, body: unknown, headOnly: boolean): void {
  const text = JSON.stringify(body)
  res.statusCode = status
  res.setHeader('Content-Type', 'application/json; charset=utf-8')
  res.setHeader('Cache-Control', 'no-store')
  res.setHeader('Content-Length', Buffer.byteLength(text))
  res.end(headOnly ? undefined : text)
}

export function createExplorerServer({ store, logger, staticDir = DEFAULT_STATIC_DIR, pingIntervalMs, maxEventClients = DEFAULT_MAX_EVENT_CLIENTS }: CreateExplorerServerParameters): ExplorerServer {
  const log = logger.child({ unit: 'explorer-server' })
  const events = createEventClients({ store, logger: log, maxClients: maxEventClients, ...(pingIntervalMs === undefined ? {} : { pingIntervalMs }) })

  function api(req: IncomingMessage, res: ServerResponse, path: string, params: URLSearchParams, headOnly: boolean): void {
    const fail = (status: number, error: string): void => sendJson(res, status, { error }, headOnly)
    const parts = path.split('/').slice(2) // ['', 'api', ...]
    const route = parts[0] ?? ''
    if (route === 'events' && parts.length === 1) {
      const q = parseQuery(emptyQuerySchema, params)
      if (!q.ok) return fail(400, q.error)
      events.serve(req, res)
      return
    }
    if (route === 'requests' && parts.length === 1) {
      const q = parseQuery(listRequestsQuerySchema, params)
      if (!q.ok) return fail(400, q.error)
      const page = store.listRequests(q.value)
      if ('error' in page) return fail(400, page.error)
      return sendJson(res, 200, page, headOnly)
    }
    if (route === 'requests' && parts.length === 2) {
      const id = requestIdSchema.safeParse(parts[1])
      if (!id.success) return fail(400, id.error.issues[0]?.message ?? 'bad request id')
      const q = parseQuery(emptyQuerySchema, params)
      if (!q.ok) return fail(400, q.error)
      const detail = store.getRequest(id.data)
      if (!detail) return fail(404, `no request ${id.data.toLowerCase()} is known to this explorer`)
      return sendJson(res, 200, detail, headOnly)
    }
    if (route === 'feeds' && parts.length === 1) {
      const q = parseQuery(emptyQuerySchema, params)
      if (!q.ok) return fail(400, q.error)
      return sendJson(res, 200, { feeds: store.listFeeds() }, headOnly)
    }
    if (route === 'feeds' && parts.length === 3 && parts[2] === 'rounds') {
      const address = addressSchema.safeParse(parts[1])
      if (!address.success) return fail(400, address.error.issues[0]?.message ?? 'bad feed address')
      const q = parseQuery(feedRoundsQuerySchema, params)
      if (!q.ok) return fail(400, q.error)
      const rounds = store.listFeedRounds(address.data, q.value.limit)
      if (!rounds) return fail(404, `no feed ${address.data.toLowerCase()} is known to this explorer`)
      return sendJson(res, 200, { rounds }, headOnly)
    }
    const simple: Record<string, () => unknown> = {
      operators: () => store.listOperators(),
      disputes: () => ({ disputes: store.listDisputes() }),
      health: () => {
        const h = store.health()
        return { ok: h.natsConnected && h.indexedBlock !== null, ...h }
      },
    }
    const read = simple[route]
    if (read && parts.length === 1) {
      const q = parseQuery(emptyQuerySchema, params)
      if (!q.ok) return fail(400, q.error)
      return sendJson(res, 200, read(), headOnly)
    }
    return fail(404, `no such API path: ${path.slice(0, 100)}`)
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value)
    const method = req.method ?? ''
    if (method !== 'GET' && method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD')
      return sendJson(res, 405, { error: `method ${method.slice(0, 16)} is not allowed: this server is read-only (GET, HEAD)` }, false)
    }
    const headOnly = method === 'HEAD'
    const rawUrl = req.url ?? '/'
    if (rawUrl.length > MAX_URL_CHARS) return sendJson(res, 414, { error: `the URL is longer than ${MAX_URL_CHARS} characters` }, headOnly)
    if (!rawUrl.startsWith('/')) return sendJson(res, 400, { error: 'the request target must be a path' }, headOnly)
    const url = new URL(rawUrl, 'http://explorer.invalid')
    const path = url.pathname
    if (path === '/api' || path.startsWith('/api/')) return api(req, res, path, url.searchParams, headOnly)

    const found = await resolveStaticPath(staticDir, path)
    if (found.kind === 'file') return sendStaticFile(res, found, headOnly)
    if (found.kind === 'no-app') {
      res.statusCode = 503
      res.setHeader('Content-Type', 'text/plain; charset=utf-8')
      return void res.end(headOnly ? undefined : 'The explorer web app is not built: run `npm run build` (it builds explorer/dist). The JSON API under /api/ works without it.\n')
    }
    res.statusCode = found.kind === 'bad-path' ? 400 : 404
    res.setHeader('Content-Type', 'text/plain; charset=utf-8')
    res.end(headOnly ? undefined : found.kind === 'bad-path' ? 'Bad path.\n' : 'Not found.\n')
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log.error({ err: error, url: (req.url ?? '').slice(0, 200) }, 'request failed')
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' }, false)
      else res.destroy()
    })
  })
  // Bounds what a client can make the server hold: header size and time, idle keep-alive sockets.
  server.headersTimeout = 10_000
  server.requestTimeout = 30_000
  server.keepAliveTimeout = 5_000
  server.maxHeadersCount = 64
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')
    else socket.destroy()
  })

  return {
    server,
    listen: (port, host = '127.0.0.1') =>
      new Promise((resolve, reject) => {
        server.once('error', reject)
        server.listen(port, host, () => {
          server.off('error', reject)
          const bound = (server.address() as AddressInfo).port
          const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host
          resolve({ port: bound, url: `http://${shownHost}:${bound}/` })
        })
      }),
    close: () =>
      new Promise<void>((resolve) => {
        events.closeAll()
        server.close(() => resolve())
        server.closeIdleConnections()
      }),
    eventClientCount: () => events.count(),
  }
}
