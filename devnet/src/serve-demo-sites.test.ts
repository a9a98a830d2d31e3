import test from 'ava'
import { DemoSitesError, startDemoSites, type DemoSites } from './serve-demo-sites.ts'

let sites: DemoSites
let clockMs = Date.UTC(2025, 2, 10, 16, 0, 0)

test.before(async () => {
  sites = await startDemoSites({ nowMs: () => clockMs })
})

test.after.always(async () => {
  await sites?.close()
})

const get = (path: string, init?: RequestInit) => fetch(`${sites.url}${path}`, { redirect: 'manual', ...init })

test('serves each site on 127.0.0.1 with its content type, index pages and no caching', async (t) => {
  t.regex(sites.url, /^http:\/\/127\.0\.0\.1:\d+$/)
  for (const [path, type] of [
    ['/news/', 'text/html; charset=utf-8'],
    ['/news/2025/03/council-approves-millrace-bridge.html', 'text/html; charset=utf-8'],
    ['/sports/boxscores/202503080PAG.html', 'text/html; charset=utf-8'],
    ['/sports/assets/site.css', 'text/css; charset=utf-8'],
    ['/prices/quote/NWC.html', 'text/html; charset=utf-8'],
    ['/prices/api/v1/quotes/NWC.json', 'application/json; charset=utf-8'],
    ['/', 'text/html; charset=utf-8'],
  ] as const) {
    const res = await get(path)
    t.is(res.status, 200, path)
    t.is(res.headers.get('content-type'), type, path)
    t.is(res.headers.get('cache-control'), 'no-store', path)
    t.true((await res.text()).length > 0, path)
  }
  t.is(sites.news, `${sites.url}/news/`)
  t.is(sites.quoteJsonUrl, `${sites.url}/prices/api/v1/quotes/NWC.json`)
})

test('every page says it is fictional', async (t) => {
  for (const path of ['/news/', '/news/2025/03/castellanos-elected-mayor.html', '/sports/scores/2025-03-08.html', '/prices/quote/NWC.html']) {
    t.regex(await (await get(path)).text(), /[Ff]ictional/, path)
  }
  t.regex(((await (await get('/prices/api/v1/quotes/NWC.json')).json()) as { notice: string }).notice, /[Ff]ictional/)
})

test('unknown paths are 404, directories redirect to their slash, traversal reaches nothing, only GET and HEAD', async (t) => {
  t.is((await get('/news/2025/03/no-such-story.html')).status, 404)
  const redirect = await get('/sports')
  t.is(redirect.status, 301)
  t.is(redirect.headers.get('location'), '/sports/')
  t.is((await get('/news/..%2f..%2fpackage.json')).status, 404)
  t.is((await get('/%E0%A4%A')).status, 400)
  const post = await get('/news/', { method: 'POST', body: 'x' })
  t.is(post.status, 405)
  t.is(post.headers.get('allow'), 'GET, HEAD')
  const head = await get('/news/', { method: 'HEAD' })
  t.is(head.status, 200)
  t.is(await head.text(), '')
})

test.serial('setPrice moves the quote page and the JSON endpoint together; bad prices are refused', async (t) => {
  const quote = async () => (await (await get('/prices/api/v1/quotes/NWC.json')).json()) as Record<string, string>
  const first = await quote()
  t.like(first, { symbol: 'NWC', currency: 'USD', price: '118.42', previousClose: '117.90', change: '+0.52', changePercent: '+0.44' })
  t.is(first.updatedAt, '2025-03-10T16:00:00.000Z')

  clockMs += 60_000
  sites.setPrice('112.5')
  const moved = await quote()
  t.like(moved, { price: '112.50', change: '-5.40', changePercent: '-4.58', dayLow: '112.50', dayHigh: '118.42', updatedAt: '2025-03-10T16:01:00.000Z' })
  const page = await (await get('/prices/quote/NWC.html')).text()
  t.regex(page, /<span class="price-current" id="last-price">112\.50<\/span>/)
  t.regex(page, /class="change down">-5\.40 \(-4\.58%\)/)
  t.notRegex(page, /\{\{\w+\}\}/)

  for (const bad of ['0', '-1', '1.234', '1e3', ' 12', '', '0.00']) t.throws(() => sites.setPrice(bad), { instanceOf: DemoSitesError }, bad)
  t.is(sites.getPrice(), '112.50')
  sites.setPrice('118.42')
})
