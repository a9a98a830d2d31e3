/**
 * The demo's source sites on one local HTTP server: a news site (/news/), a sports results site (/sports/) and
 * a market site (/prices/) with a quote page and a JSON quote endpoint, all fictional and kept in feeds/demo/sites/.
 * Nothing outside the repository is read, so the demo runs offline.
 *
 * The quote of Northwind Copper (NWC) is the one piece of state: `setPrice` changes it, and the quote page and
 * the JSON endpoint show the new price on the next request (no caching), so a feed driven by deviation sees it
 * move. Static files are read once at start-up into memory: a request can only ever reach a file that was
 * listed then, whatever its path says.
 *
 * Only for local demos and tests: the server binds 127.0.0.1 by default, and nodes must run with
 * `sources.allowPrivateAddresses: true` to read it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, relative, sep } from 'node:path'
import { BaseError } from '@sibyl/protocol/errors'
import { demoDataFiles } from './demo-data-dir.ts'

export const DEMO_SYMBOL = 'NWC'
/** The quote the market site starts with (USD, two decimals). */
export const DEMO_INITIAL_PRICE = '118.42'
const PREVIOUS_CLOSE = '117.90'

/** The paths of each site and of the quote sources, relative to the server's origin. */
export const demoPaths = {
  news: '/news/',
  sports: '/sports/',
  prices: '/prices/',
  quotePage: `/prices/quote/${DEMO_SYMBOL}.html`,
  quoteJson: `/prices/api/v1/quotes/${DEMO_SYMBOL}.json`,
  outlets: '/outlets/',
} as const

const MAX_FILES = 200
const MAX_FILE_BYTES = 1024 * 1024
/** Files filled in on every request rather than served as they are. */
const QUOTE_TEMPLATE = `/prices/quote/${DEMO_SYMBOL}.html`

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
}
/** The news corpus (feeds/demo/news/, devnet/src/news-corpus/): several outlets' articles and feeds, under /outlets/. */
const NEWS_PREFIX = '/outlets/'
const MAX_NEWS_FILES = 2000

export class DemoSitesError extends BaseError {
  override name = 'DemoSitesError' as const
}

export type StartDemoSitesParameters = {
  /** 0 (default) picks a free port. */
  port?: number
  /** Default 127.0.0.1. */
  host?: string
  /** The NWC quote to start with, a decimal string with at most two decimals (default DEMO_INITIAL_PRICE). */
  initialPrice?: string
  /** Clock for the quote's "last trade" time (default Date.now). */
  nowMs?: () => number
  /** The folder of static sites (default feeds/demo/sites of this checkout). */
  sitesDir?: string
  /** The news corpus served under /outlets/ (default feeds/demo/news of this checkout; null: none). */
  newsDir?: string | null
}

export type DemoSites = {
  /** The origin, e.g. http://127.0.0.1:41234 (no trailing slash): the base URL the demo's specs use. */
  url: string
  port: number
  /** Base URLs of the three sites (with a trailing slash). */
  news: string
  sports: string
  prices: string
  /** The NWC quote page and JSON endpoint. */
  quotePageUrl: string
  quoteJsonUrl: string
  /** The current NWC price as served ("118.42"). */
  getPrice(): string
  /** Sets the NWC price ("121.07"); served from the next request on. Throws DemoSitesError on a bad price. */
  setPrice(price: string): void
  close(): Promise<void>
}

type StaticFile = { body: Buffer; contentType: string }

/** Every file under the sites folder, keyed by its URL path ("/news/index.html"). */
function loadSiteFiles(root: string, { prefix = '/', maxFiles = MAX_FILES }: { prefix?: string; maxFiles?: number } = {}): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>()
  const pending = [root]
  while (pending.length > 0) {
    const dir = pending.pop()!
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name)
      if (entry.isDirectory()) {
        pending.push(full)
        continue
      }
      const contentType = CONTENT_TYPES[extname(entry.name).toLowerCase()]
      if (!entry.isFile() || contentType === undefined) continue
      if (files.size >= maxFiles) throw new DemoSitesError(`More than ${maxFiles} files under ${root}.`)
      if (statSync(full).size > MAX_FILE_BYTES) throw new DemoSitesError(`${entry.name} is larger than ${MAX_FILE_BYTES} bytes.`)
      files.set(prefix + relative(root, full).split(sep).join('/'), { body: readFileSync(full), contentType })
    }
  }
  return files
}

// ------------------------------------------------------------------------------------------------ the quote

const PRICE = /^(0|[1-9]\d{0,8})(\.\d{1,2})?$/

/** "118.4" -> 11840n cents; a price must be above zero. */
function toCents(price: string): bigint {
  const m = PRICE.exec(price)
  if (!m) throw new DemoSitesError(`Not a price: "${price}".`, { details: 'expected a decimal string with at most two decimals, e.g. "118.42"' })
  const cents = BigInt(m[1]! + (m[2] ?? '.').slice(1).padEnd(2, '0'))
  if (cents === 0n) throw new DemoSitesError(`Not a price: "${price}".`, { details: 'a price must be above zero' })
  return cents
}

function formatCents(cents: bigint): string {
  const negative = cents < 0n
  const digits = (negative ? -cents : cents).toString().padStart(3, '0')
  return `${negative ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`
}

type Quote = { priceCents: bigint; previousCloseCents: bigint; openCents: bigint; lowCents: bigint; highCents: bigint; updatedAtMs: number }

function describeQuote(quote: Quote) {
  const change = quote.priceCents - quote.previousCloseCents
  // Percent with two decimals, rounded half away from zero, in integers.
  const scaled = (change * 100_000n) / quote.previousCloseCents
  const percentHundredths = (scaled + (scaled >= 0n ? 5n : -5n)) / 10n
  const updated = new Date(quote.updatedAtMs)
  return {
    price: formatCents(quote.priceCents),
    previousClose: formatCents(quote.previousCloseCents),
    open: formatCents(quote.openCents),
    dayLow: formatCents(quote.lowCents),
    dayHigh: formatCents(quote.highCents),
    change: `${change > 0n ? '+' : ''}${formatCents(change)}`,
    changePercent: `${percentHundredths > 0n ? '+' : ''}${formatCents(percentHundredths)}`,
    direction: change > 0n ? 'up' : change < 0n ? 'down' : 'flat',
    updatedAt: updated.toISOString(),
    updatedAtText: `${updated.toISOString().slice(0, 19).replace('T', ' ')} UTC`,
  }
}

function renderQuotePage(template: string, quote: Quote): string {
  const fields: Record<string, string> = describeQuote(quote)
  return template.replace(/\{\{(\w+)\}\}/g, (whole, key: string) => fields[key] ?? whole)
}

function renderQuoteJson(quote: Quote): string {
  const d = describeQuote(quote)
  return JSON.stringify(
    {
      symbol: DEMO_SYMBOL,
      name: 'Northwind Copper Co.',
      exchange: 'Harborside Exchange',
      currency: 'USD',
      // Decimal strings, not JSON numbers: a reader scales them to integers without going through floats.
      price: d.price,
      previousClose: d.previousClose,
      open: d.open,
      dayLow: d.dayLow,
      dayHigh: d.dayHigh,
      change: d.change,
      changePercent: d.changePercent,
      updatedAt: d.updatedAt,
      delayedBySec: 900,
      notice: 'Fictional quote written for the Sibyl demo; not market data.',
    },
    null,
    2,
  )
}

// ------------------------------------------------------------------------------------------------ the server

function send(res: ServerResponse, req: IncomingMessage, status: number, contentType: string, body: Buffer | string, headers: Record<string, string> = {}): void {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body
  res.writeHead(status, { 'content-type': contentType, 'content-length': String(bytes.length), 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers })
  res.end(req.method === 'HEAD' ? undefined : bytes)
}

/** Starts the demo sites; `close()` stops the server and cuts open connections. */
export async function startDemoSites(parameters: StartDemoSitesParameters = {}): Promise<DemoSites> {
  const { port = 0, host = '127.0.0.1', initialPrice = DEMO_INITIAL_PRICE, nowMs = Date.now, sitesDir = demoDataFiles().sites } = parameters
  const files = loadSiteFiles(sitesDir)
  const newsDir = parameters.newsDir === undefined ? join(sitesDir, '..', 'news') : parameters.newsDir
  if (newsDir !== null && existsSync(newsDir)) for (const [path, file] of loadSiteFiles(newsDir, { prefix: NEWS_PREFIX, maxFiles: MAX_NEWS_FILES })) files.set(path, file)
  const template = files.get(QUOTE_TEMPLATE)?.body.toString('utf8')
  if (template === undefined) throw new DemoSitesError(`The quote template ${QUOTE_TEMPLATE} is missing from the demo sites.`)

  const start = toCents(initialPrice)
  const quote: Quote = {
    priceCents: start,
    previousCloseCents: toCents(PREVIOUS_CLOSE),
    openCents: start,
    lowCents: start,
    highCents: start,
    updatedAtMs: nowMs(),
  }

  const server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, req, 405, 'text/plain; charset=utf-8', 'method not allowed\n', { allow: 'GET, HEAD' })
      return
    }
    let path: string
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://demo.invalid').pathname)
    } catch {
      send(res, req, 400, 'text/plain; charset=utf-8', 'bad request\n')
      return
    }
    if (path === demoPaths.quoteJson) {
      send(res, req, 200, 'application/json; charset=utf-8', renderQuoteJson(quote))
      return
    }
    if (path === QUOTE_TEMPLATE) {
      send(res, req, 200, 'text/html; charset=utf-8', renderQuotePage(template, quote))
      return
    }
    const file = files.get(path.endsWith('/') ? `${path}index.html` : path)
    if (file) {
      send(res, req, 200, file.contentType, file.body)
      return
    }
    if (files.has(`${path}/index.html`)) {
      send(res, req, 301, 'text/plain; charset=utf-8', `see ${path}/\n`, { location: `${path}/` })
      return
    }
    send(res, req, 404, 'text/html; charset=utf-8', '<!doctype html><title>Not found</title><h1>Not found</h1>\n')
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  const hostInUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address
  const url = `http://${hostInUrl}:${address.port}`

  return {
    url,
    port: address.port,
    news: url + demoPaths.news,
    sports: url + demoPaths.sports,
    prices: url + demoPaths.prices,
    quotePageUrl: url + demoPaths.quotePage,
    quoteJsonUrl: url + demoPaths.quoteJson,
    getPrice: () => formatCents(quote.priceCents),
    setPrice(price: string) {
      const cents = toCents(price)
      quote.priceCents = cents
      if (cents < quote.lowCents) quote.lowCents = cents
      if (cents > quote.highCents) quote.highCents = cents
      quote.updatedAtMs = nowMs()
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
