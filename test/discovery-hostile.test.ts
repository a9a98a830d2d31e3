/**
 * Hostile feeds named by a discovery question, read by the node's real fetcher and page workers from a real
 * HTTP server on 127.0.0.1: a feed at a private (link-local) address, items pointing at one, a huge feed, a feed
 * of 10,000 items, an entity-expansion ("billion laughs") feed and a slow feed. Each is cut by its bound with a
 * reason the node reports, and the question still gets the articles of the honest feed: no round is lost.
 */
import test from 'ava'
import type { ServerResponse } from 'node:http'
import { questionSpecSchema } from '@sibyl/protocol/question-spec'
import { createPageWorkerPool } from '@sibyl/oracle-node/isolate/create-page-worker-pool'
import type { WorkerPool } from '@sibyl/oracle-node/isolate/create-worker-pool'
import { createSourceFetcher } from '@sibyl/oracle-node/sources/create-source-fetcher'
import { discoverArticles, type DiscoverArticlesParameters } from '@sibyl/oracle-node/sources/discovery/discover-articles'
import { startTestServer, type TestServer } from '@sibyl/oracle-node/sources/testing/start-test-server'

const DATE = 'Tue, 11 Mar 2025 19:05:00 +0000'
const rss = (items: string) => `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>${items}</channel></rss>`
const item = (link: string, title = 'Harbor commission approves dredging plan') => `<item><title>${title}</title><link>${link}</link><pubDate>${DATE}</pubDate></item>`
const article = (text: string) => `<!doctype html><html><body><article><h1>Dredging</h1><p>${text}</p></article></body></html>`
const bomb = `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">${Array.from({ length: 9 }, (_, k) => `<!ENTITY ${'b'.repeat(k + 1)} "${(k === 0 ? '&a;' : `&${'b'.repeat(k)};`).repeat(10)}">`).join('')}]><rss version="2.0"><channel>${item('/a/1.html', '&bbbbbbbbb;')}</channel></rss>`

let server: TestServer
let pool: WorkerPool
const slow = new Set<ServerResponse>()

test.before(async () => {
  server = await startTestServer((req, res) => {
    const url = req.url ?? ''
    const send = (type: string, body: string) => {
      res.writeHead(200, { 'content-type': type })
      res.end(body)
    }
    if (url === '/good.xml') return send('application/rss+xml', rss(item('/a/1.html') + item('/a/2.html') + item('http://169.254.169.254/latest/meta-data/', 'Harbor commission approves dredging')))
    if (url === '/huge.xml') return send('application/rss+xml', rss(item('/a/1.html').repeat(40_000)))
    if (url === '/many.xml') return send('application/rss+xml', rss(Array.from({ length: 10_000 }, (_, i) => item(`/many/${i}.html`, `Story ${i}`)).join('')))
    if (url === '/bomb.xml') return send('application/xml', bomb)
    if (url === '/slow.xml') {
      res.writeHead(200, { 'content-type': 'application/rss+xml' })
      slow.add(res)
      const drip = setInterval(() => res.write(' '), 200)
      res.on('close', () => {
        clearInterval(drip)
        slow.delete(res)
      })
      return
    }
    if (url.startsWith('/a/') || url.startsWith('/many/')) return send('text/html; charset=utf-8', article(`The Port Alder Harbor Commission approved the dredging plan (${url}).`))
    res.writeHead(404)
    res.end()
  })
  pool = createPageWorkerPool()
  await pool.whenReady()
})

test.after.always(async () => {
  for (const res of slow) res.destroy()
  await Promise.all([server?.close(), pool?.close()])
})

function spec(feeds: string[]): DiscoverArticlesParameters['spec'] {
  const parsed = questionSpecSchema.parse({
    version: 1,
    type: 'text',
    question: 'Did the harbor commission approve the dredging plan?',
    sources: [],
    outcomes: ['YES', 'NO'],
    discover: { feeds, window: { from: '2025-03-10T00:00:00Z', to: '2025-03-16T00:00:00Z' }, maxArticles: 20 },
  })
  if (parsed.type !== 'text' || parsed.discover === undefined) throw new Error('not a discovery spec')
  return { ...parsed, discover: parsed.discover }
}

test('hostile feeds fail alone, each with its reason, and the honest feed still gives the question its articles', async (t) => {
  // Only the test server's own address is let through: every other private or link-local address stays refused.
  const fetcher = createSourceFetcher({}, { allowedAddresses: ['127.0.0.1'], retries: 0 })
  const o = server.origin
  const started = Date.now()
  const found = await discoverArticles(
    { fetcher, pool },
    {
      spec: spec([`${o}/good.xml`, 'http://169.254.169.254/latest/feed.xml', `${o}/huge.xml`, `${o}/many.xml`, `${o}/bomb.xml`, `${o}/slow.xml`]),
      nowSec: 1742000000,
      budget: { feedTimeMs: 2_000, timeMs: 8_000, maxFeedBytes: 2 * 1024 * 1024, maxItemsPerFeed: 1000 },
    },
  )
  const elapsedMs = Date.now() - started
  const byUrl = new Map(found.sources.map((s) => [s.url.replace(o, ''), s]))
  t.log(found.sources.map((s) => `${s.url.replace(o, '')}: ${s.failure || 'ok'} ${s.note}`).join('\n'))
  t.is(byUrl.get('/good.xml')?.failure, '')
  t.regex(byUrl.get('http://169.254.169.254/latest/feed.xml')!.failure, /^private_address/)
  t.regex(byUrl.get('/huge.xml')!.failure, /^too_large/)
  t.is(byUrl.get('/many.xml')!.failure, '')
  t.is(byUrl.get('/many.xml')!.items, 1000)
  t.regex(byUrl.get('/many.xml')!.note, /more than 1000 items: the rest were not read/)
  t.is(byUrl.get('/bomb.xml')!.failure, '')
  t.regex(byUrl.get('/slow.xml')!.failure, /^timeout/)
  // The whole question stayed inside its budget, the slow feed included.
  t.true(elapsedMs < 9_000, `${elapsedMs} ms`)
  // The capped set of articles was read; the item pointing at a link-local address failed as such, alone.
  t.is(found.articles.length, 20)
  const metadata = found.articles.find((a) => a.url.startsWith('http://169.254.169.254'))
  t.truthy(metadata)
  t.false(metadata!.read.ok)
  t.regex(metadata!.read.ok ? '' : metadata!.read.reason, /private_address/)
  t.true(found.articles.filter((a) => a.read.ok).length >= 18)
  // The bomb's title stayed as written: nothing was expanded.
  const bombed = found.articles.find((a) => a.title.includes('&') || a.title.includes('bbbb'))
  t.true(bombed === undefined || bombed.title.length < 100)
})

test("an operator's own sources are read only when the spec asks, and are reported as the operator's", async (t) => {
  const fetcher = createSourceFetcher({}, { allowedAddresses: ['127.0.0.1'], retries: 0 })
  const o = server.origin
  const operatorSources = [{ url: `${o}/many.xml`, kind: 'feed' as const }]
  const base = spec([`${o}/good.xml`])
  const without = await discoverArticles({ fetcher, pool }, { spec: base, nowSec: 1742000000, operatorSources })
  t.deepEqual(without.sources.map((s) => [s.url.replace(o, ''), s.origin]), [['/good.xml', 'spec']])
  const withOperator = await discoverArticles({ fetcher, pool }, { spec: { ...base, discover: { ...base.discover, useOperatorSources: true } }, nowSec: 1742000000, operatorSources })
  t.deepEqual(withOperator.sources.map((s) => [s.url.replace(o, ''), s.origin]), [['/good.xml', 'spec'], ['/many.xml', 'operator']])
  t.true(withOperator.articles.some((a) => a.url.includes('/many/')))
  t.false(without.articles.some((a) => a.url.includes('/many/')))
})
