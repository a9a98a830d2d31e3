/**
 * The offers a page declares for its main product in structured data: JSON-LD (schema.org `Product` /
 * `Offer` / `AggregateOffer` / `PriceSpecification`), microdata (`itemprop="price"`) and meta tags
 * (`product:price:amount`, `og:price:amount`...). Each offer keeps its raw number and what kind of price it
 * is, so the caller can agree it with what the page shows:
 * - `offer`: the price the offer asks (Offer.price, a sale price);
 * - `list`: a list / strike-through / suggested price (`priceType` ListPrice, `product:original_price`);
 * - `low` / `high`: an AggregateOffer's range (a "from" price when they differ);
 * - `unit`: a per-unit price (`referenceQuantity`).
 * Products nested under `isRelatedTo`, `isSimilarTo`, `isAccessoryOrSparePartFor`, list items and the like
 * are other products; when a page declares several top-level products, the one named like the page's title
 * is the main one.
 *
 * Bounded: at most 64 JSON-LD scripts of at most 512 KiB each, 12 levels and 200 items per array walked,
 * 500 offers kept. A script that does not parse is skipped (after one retry with control characters
 * replaced: hand-built JSON-LD often carries raw newlines inside strings).
 */
import type { CheerioAPI } from 'cheerio/slim'
import { parseJsonBounded } from '../sources/parse-json-bounded.ts'
import type { Element } from 'domhandler'
import { jsonDecimalText } from '../sources/extract-json.ts'

export type StructuredPriceKind = 'offer' | 'list' | 'low' | 'high' | 'unit'
export type StructuredSource = 'json-ld' | 'microdata' | 'meta'

export type StructuredPrice = {
  /** The number as written ("24.990", 49.1 -> "49.1"), or the text shown ("EUR 25.00") when `shown`. */
  raw: string
  /** Read from visible text (microdata without `content`, a Twitter card) rather than a machine value. */
  shown?: true
  currency: string | undefined
  kind: StructuredPriceKind
  source: StructuredSource
  /** Where it was read, for the reason line. */
  evidence: string
}

export type ReadStructuredPricesParameters = {
  $: CheerioAPI
  /** The page's main title (h1 / og:title), to pick the main product among several. */
  title: string | undefined
  /** Whether an element sits in a block of other products (related items, carousels). */
  isOtherProduct: (el: Element) => boolean
}

export type ReadStructuredPricesReturnType = {
  prices: StructuredPrice[]
  /** The main product's name in structured data, when declared. */
  productName: string | undefined
}

const maxScripts = 64
const maxScriptChars = 512 * 1024
const maxDepth = 12
const maxArrayItems = 200
const maxPrices = 500

/** Keys under which schema.org nests *other* products. */
const otherProductKeys = new Set([
  'isRelatedTo', 'isSimilarTo', 'isAccessoryOrSparePartFor', 'isConsumableFor', 'itemListElement', 'relatedLink',
  'isVariantOf', 'mentions', 'review', 'reviews', 'subjectOf', 'containsSeason', 'workExample', 'recommendations',
])
const productTypes = /^(product|productgroup|productmodel|individualproduct|somproducts|vehicle|car|motorizedbicycle|book|softwareapplication|mobileapplication|videogame|event|service|offer|aggregateoffer|menuitem|trip|ticket|creativework|movie|musicalbum|hotelroom|accommodation|realestatelisting)$/i

export function readStructuredPrices(parameters: ReadStructuredPricesParameters): ReadStructuredPricesReturnType {
  const { $, title, isOtherProduct } = parameters
  const prices: StructuredPrice[] = []
  const fromLd = readJsonLd($, title)
  prices.push(...fromLd.prices)
  prices.push(...readMicrodata($, isOtherProduct))
  prices.push(...readMeta($))
  return { prices: prices.slice(0, maxPrices), productName: fromLd.productName }
}

// ------------------------------------------------------------------------------------------------ JSON-LD

type LdProduct = { name: string | undefined; prices: StructuredPrice[]; topLevel: boolean }

function readJsonLd($: CheerioAPI, title: string | undefined): ReadStructuredPricesReturnType {
  const products: LdProduct[] = []
  $('script[type="application/ld+json"]')
    .slice(0, maxScripts)
    .each((_, el) => {
      const text = $(el).text()
      if (text.length > maxScriptChars) return
      const data = parseJsonLenient(text.trim())
      if (data !== undefined) collectProducts(data, 0, true, products)
    })
  const pool = products.filter((p) => p.topLevel && p.prices.length > 0)
  if (pool.length === 0) return { prices: [], productName: products.find((p) => p.topLevel)?.name }
  // Several top-level products (a product and its accessories in one @graph): the one named like the title.
  let main = pool[0]!
  if (pool.length > 1 && title) {
    let best = -1
    for (const p of pool) {
      const overlap = p.name ? nameOverlap(p.name, title) : 0
      if (overlap > best) {
        best = overlap
        main = p
      }
    }
  }
  return { prices: main.prices, productName: main.name }
}

/**
 * JSON.parse bounded in depth, retried with raw control characters (often inside hand-built strings) turned
 * into spaces.
 */
function parseJsonLenient(text: string): unknown {
  for (const candidate of [text, text.replace(/[\u0000-\u001f]+/g, ' ')]) {
    const parsed = parseJsonBounded(candidate)
    if (parsed.ok) return parsed.value
    if (parsed.reason !== 'syntax') return undefined
  }
  return undefined
}

function typesOf(node: Record<string, unknown>): string[] {
  const t = node['@type']
  const list = Array.isArray(t) ? t : [t]
  return list.filter((x): x is string => typeof x === 'string').map((x) => x.replace(/^.*[/#]/, ''))
}

function collectProducts(node: unknown, depth: number, topLevel: boolean, out: LdProduct[]): void {
  if (depth > maxDepth || node === null || typeof node !== 'object' || out.length > 200) return
  if (Array.isArray(node)) {
    for (const item of node.slice(0, maxArrayItems)) collectProducts(item, depth + 1, topLevel, out)
    return
  }
  const obj = node as Record<string, unknown>
  const types = typesOf(obj)
  const isProduct = types.some((t) => productTypes.test(t)) || 'offers' in obj
  if (isProduct) {
    const prices: StructuredPrice[] = []
    const label = types[0] ?? 'Product'
    if (types.some((t) => /^(offer|aggregateoffer)$/i.test(t))) readOffer(obj, depth, label, prices)
    else if ('offers' in obj) readOffers(obj.offers, depth + 1, `${label}.offers`, prices)
    const name = typeof obj.name === 'string' ? obj.name : undefined
    out.push({ name, prices, topLevel })
  }
  for (const [key, value] of Object.entries(obj)) {
    if (key === 'offers' || key === 'priceSpecification') continue
    // The main product's graph may hold other products: under these keys they are not the main one.
    // hasVariant: the variants of a ProductGroup are the main product's offers too.
    const childTopLevel = topLevel && (key === '@graph' || (isProduct ? key === 'hasVariant' : !otherProductKeys.has(key)))
    collectProducts(value, depth + 1, childTopLevel, out)
  }
}

function readOffers(offers: unknown, depth: number, label: string, out: StructuredPrice[]): void {
  if (depth > maxDepth || offers === null || typeof offers !== 'object') return
  if (Array.isArray(offers)) {
    for (const o of offers.slice(0, maxArrayItems)) readOffers(o, depth + 1, label, out)
    return
  }
  readOffer(offers as Record<string, unknown>, depth, label, out)
}

function readOffer(offer: Record<string, unknown>, depth: number, label: string, out: StructuredPrice[]): void {
  const types = typesOf(offer)
  const currency = stringOf(offer.priceCurrency)
  const isAggregate = types.some((t) => /^aggregateoffer$/i.test(t)) || 'lowPrice' in offer || 'highPrice' in offer
  if (isAggregate) {
    const low = numberText(offer.lowPrice)
    const high = numberText(offer.highPrice)
    if (low !== undefined) out.push({ raw: low, currency, kind: low === high ? 'offer' : 'low', source: 'json-ld', evidence: `JSON-LD ${label} AggregateOffer.lowPrice` })
    if (high !== undefined && high !== low) out.push({ raw: high, currency, kind: 'high', source: 'json-ld', evidence: `JSON-LD ${label} AggregateOffer.highPrice` })
    const price = numberText(offer.price)
    if (price !== undefined) out.push({ raw: price, currency, kind: 'offer', source: 'json-ld', evidence: `JSON-LD ${label} AggregateOffer.price` })
    if ('offers' in offer) readOffers(offer.offers, depth + 1, `${label} AggregateOffer.offers`, out)
    return
  }
  const price = numberText(offer.price)
  if (price !== undefined) out.push({ raw: price, currency, kind: 'offer', source: 'json-ld', evidence: `JSON-LD ${label} Offer.price` })
  const specs = offer.priceSpecification
  const specList = Array.isArray(specs) ? specs.slice(0, maxArrayItems) : specs !== undefined ? [specs] : []
  for (const spec of specList) {
    if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) continue
    const s = spec as Record<string, unknown>
    const value = numberText(s.price) ?? numberText(s.minPrice)
    if (value === undefined) continue
    const priceType = String(s.priceType ?? '').replace(/^.*[/#]/, '')
    const perUnit = s.referenceQuantity !== undefined && !isOneItem(s.referenceQuantity)
    const kind: StructuredPriceKind = perUnit ? 'unit' : /^(listprice|srp|strikethroughprice|msrp|minimumadvertisedprice|invoiceprice)$/i.test(priceType) ? 'list' : 'offer'
    out.push({ raw: value, currency: stringOf(s.priceCurrency) ?? currency, kind, source: 'json-ld', evidence: `JSON-LD ${label} priceSpecification${priceType ? ` (${priceType})` : ''}` })
  }
}

/** A referenceQuantity of one piece is not a unit price. */
function isOneItem(q: unknown): boolean {
  if (q === null || typeof q !== 'object') return false
  const r = q as Record<string, unknown>
  const value = Number(r.value ?? 1)
  const unit = String(r.unitCode ?? r.unitText ?? '').toUpperCase()
  return value === 1 && (unit === '' || unit === 'C62' || unit === 'H87' || unit === 'EA' || unit === 'PCE' || unit === 'PIECE')
}

function numberText(value: unknown): string | undefined {
  if (typeof value === 'number') return jsonDecimalText(value)
  if (typeof value === 'string') {
    const t = value.trim()
    return t !== '' && t.length <= 40 && /\d/.test(t) ? t : undefined
  }
  return undefined
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, 16) : undefined
}

function words(text: string): string[] {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 1)
}

function nameOverlap(a: string, b: string): number {
  const wa = new Set(words(a))
  const wb = words(b)
  if (wa.size === 0 || wb.length === 0) return 0
  return wb.filter((w) => wa.has(w)).length / Math.max(wa.size, 1)
}

// ------------------------------------------------------------------------------------------------ microdata

function readMicrodata($: CheerioAPI, isOtherProduct: (el: Element) => boolean): StructuredPrice[] {
  const out: StructuredPrice[] = []
  $('[itemprop="price"], [itemprop="lowPrice"], [itemprop="highPrice"]')
    .slice(0, 200)
    .each((_, el) => {
      if (isOtherProduct(el)) return
      const e = $(el)
      // An Offer nested in a related product (itemprop isRelatedTo / isSimilarTo) is that product's.
      if (e.closest('[itemprop~="isRelatedTo"], [itemprop~="isSimilarTo"], [itemprop~="isAccessoryOrSparePartFor"], [itemprop~="itemListElement"]').length > 0) return
      const content = e.attr('content') ?? e.attr('value')
      const raw = (content ?? e.text()).replace(/\s+/g, ' ').trim()
      if (raw === '' || raw.length > 60 || !/\d/.test(raw)) return
      const scope = e.closest('[itemscope]')
      const currencyEl = scope.find('[itemprop="priceCurrency"]').first()
      const currency = stringOf(currencyEl.attr('content') ?? currencyEl.text())
      const prop = e.attr('itemprop')!
      const kind: StructuredPriceKind = prop === 'lowPrice' ? 'low' : prop === 'highPrice' ? 'high' : 'offer'
      out.push({ raw, ...(content === undefined ? { shown: true as const } : {}), currency, kind, source: 'microdata', evidence: `microdata itemprop=${prop}` })
    })
  return out
}

// ------------------------------------------------------------------------------------------------ meta

const metaKinds: ReadonlyArray<readonly [string, StructuredPriceKind]> = [
  ['product:sale_price:amount', 'offer'],
  ['product:price:amount', 'offer'],
  ['og:price:amount', 'offer'],
  ['product:original_price:amount', 'list'],
  ['price', 'offer'],
]

function readMeta($: CheerioAPI): StructuredPrice[] {
  const out: StructuredPrice[] = []
  const metaContent = (key: string) => {
    const el = $(`meta[property="${key}"], meta[name="${key}"]`).first()
    return el.length > 0 ? stringOf(el.attr('content')) : undefined
  }
  const hasSale = metaContent('product:sale_price:amount') !== undefined
  for (const [key, kind] of metaKinds) {
    const raw = metaContent(key)
    if (raw === undefined || raw.length > 40 || !/\d/.test(raw)) continue
    const currency = metaContent(key.replace(/amount$/, 'currency')) ?? metaContent('product:price:currency') ?? metaContent('og:price:currency')
    // With a sale price declared, the plain price is the one before the sale.
    const k: StructuredPriceKind = hasSale && key === 'product:price:amount' ? 'list' : kind
    out.push({ raw, currency, kind: k, source: 'meta', evidence: `meta ${key}` })
  }
  // Twitter cards: "label1: Price, data1: £29.99".
  for (const n of [1, 2]) {
    const label = metaContent(`twitter:label${n}`)
    const data = metaContent(`twitter:data${n}`)
    if (label && data && /price|preis|prix|precio|prezzo|cena/i.test(label) && data.length <= 40) {
      out.push({ raw: data, shown: true, currency: undefined, kind: 'offer', source: 'meta', evidence: `meta twitter:data${n}` })
    }
  }
  return out
}
