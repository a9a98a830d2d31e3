/**
 * A site that attacks whoever reads it, for questions that name it as one of their sources (a requester picks
 * its own pages): deeply nested <div> HTML (~0.5 MB), 2 MB of nested JSON arrays, a page that trickles a few
 * bytes a second and never ends, and a page far larger than any node's size cap, sent without a length.
 * Each body is built once; a reader gets no help from caching or compression.
 */
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { HostileKind } from './plan-schedule.ts'

export type HostileSite = {
  url: string
  /** The URL of each hostile page. */
  pageUrl: (kind: HostileKind) => string
  /** Requests served per page (how many node fetches reached it). */
  hits: () => Record<HostileKind, number>
  close: () => Promise<void>
}

const NESTED_HTML_BYTES = 512 * 1024
const NESTED_JSON_BYTES = 2 * 1024 * 1024
const HUGE_BYTES = 256 * 1024 * 1024
const TRICKLE_EVERY_MS = 500

const paths: Record<HostileKind, string> = {
  'nested-html': '/nested.html',
  'nested-json': '/nested.json',
  slow: '/slow.html',
  huge: '/huge.html',
}

export async function startHostileSite(): Promise<HostileSite> {
  const depth = Math.floor(NESTED_HTML_BYTES / '<div></div>'.length)
  const nestedHtml = Buffer.from(`<!doctype html><html><head><title>Final score</title></head><body>${'<div>'.repeat(depth)}Gulls${'</div>'.repeat(depth)}</body></html>`)
  const nestedJson = Buffer.from(`${'['.repeat(NESTED_JSON_BYTES / 2)}${']'.repeat(NESTED_JSON_BYTES / 2)}`)
  const filler = Buffer.from('<p>Final score: Ridgeback Miners 2, Port Alder Gulls 2 (still playing)</p>\n'.repeat(1024))
  const hits: Record<HostileKind, number> = { 'nested-html': 0, 'nested-json': 0, slow: 0, huge: 0 }
  const open = new Set<ServerResponse>()
  const server = createServer((req, res) => {
    open.add(res)
    res.on('close', () => open.delete(res))
    const path = new URL(req.url ?? '/', 'http://hostile.invalid').pathname
    const kind = (Object.keys(paths) as HostileKind[]).find((k) => paths[k] === path)
    if (!kind) {
      res.writeHead(404).end()
      return
    }
    hits[kind]++
    if (kind === 'nested-html') res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': nestedHtml.length }).end(nestedHtml)
    else if (kind === 'nested-json') res.writeHead(200, { 'content-type': 'application/json', 'content-length': nestedJson.length }).end(nestedJson)
    else if (kind === 'slow') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      res.write('<!doctype html><html><body>')
      const timer = setInterval(() => res.write('<p>.</p>'), TRICKLE_EVERY_MS)
      res.on('close', () => clearInterval(timer))
    } else {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      let sent = 0
      const pump = () => {
        while (sent < HUGE_BYTES) {
          sent += filler.length
          if (!res.write(filler)) return void res.once('drain', pump)
        }
        res.end()
      }
      pump()
    }
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  const url = `http://127.0.0.1:${port}`
  return {
    url,
    pageUrl: (kind) => url + paths[kind],
    hits: () => ({ ...hits }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of open) res.destroy()
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
