/**
 * The price of the product (or quote) a page is about, as a fixed-point integer.
 *
 * Sources, most trusted first:
 * 1. JSON-LD (`Product` / `Offer` / `AggregateOffer`: `price`, `lowPrice`, `priceSpecification.price`);
 * 2. microdata `itemprop="price"` (its `content`, else its text);
 * 3. meta tags (`product:sale_price:amount`, `product:price:amount`, `og:price:amount`, `price`);
 * 4. visible prices: elements whose id/class says "price", with a currency or a bare number, scored by what
 *    their id/class/ancestors say (current/sale/buy box up; old/list/strike/shipping/per-unit/related down),
 *    by how early they come and by how often the same amount repeats.
 * Structured data loses to the visible price when the page itself shows the structured amount only as a
 * struck-out / original price next to a different current one (a stale sale markup).
 *
 * Numbers are parsed as strings (1.234,56 vs 1,234.56 vs 1 234,56; a lone separator before exactly three
 * digits groups thousands in visible text), never through floats.
 */
import { load, type CheerioAPI } from 'cheerio'
import { decimalToFixedPoint, normalizeDecimal } from './parse-decimal.ts'

export type PriceMethod = 'json-ld' | 'microdata' | 'meta' | 'visible'

export type ExtractPriceParameters = {
  html: string
  /** Digits after the point in the returned integer (2: 119.01 -> 11901n). */
  decimals: number
}

export type ExtractedPrice = {
  found: true
  /** The price in units of 10^-decimals. */
  value: bigint
  decimals: number
  /** The price as a plain decimal string, as read ("119.01"). */
  decimal: string
  /** ISO code or symbol when the page says, else undefined. */
  currency: string | undefined
  method: PriceMethod
  /** Where it was read, for the reason line. */
  evidence: string
}

export type ExtractPriceReturnType = ExtractedPrice | { found: false; reason: string }

type Candidate = { decimal: string; currency: string | undefined; method: PriceMethod; evidence: string; score: number }

/** Finds the page's price, or says why there is none. */
export function extractPrice(parameters: ExtractPriceParameters): ExtractPriceReturnType {
  const { html, decimals } = parameters
  const $ = load(html)
  const structured = [...fromJsonLd($), ...fromMicrodata($), ...fromMeta($)]
  const visible = fromVisible($)
  const chosen = choose(structured, visible)
  if (!chosen) return { found: false, reason: 'no price in JSON-LD, microdata, meta tags or visible price elements' }
  return {
    found: true,
    value: decimalToFixedPoint(chosen.decimal, decimals),
    decimals,
    decimal: chosen.decimal,
    currency: chosen.currency,
    method: chosen.method,
    evidence: chosen.evidence,
  }
}

function choose(structured: Candidate[], visible: Candidate[]): Candidate | undefined {
  const best = visible[0]
  const first = structured.find((c) => !/^-/.test(c.decimal) && c.decimal !== '0')
  if (!first) return best && best.score > 0 ? best : undefined
  if (best && best.score > 0 && !sameAmount(best.decimal, first.decimal)) {
    // The structured amount shown on the page only as an old / struck-out price: trust what is current.
    const shown = visible.filter((v) => sameAmount(v.decimal, first.decimal))
    if (shown.length > 0 && shown.every((v) => v.score < 0)) return best
  }
  return first
}

function sameAmount(a: string, b: string): boolean {
  return decimalToFixedPoint(a, 18) === decimalToFixedPoint(b, 18)
}

// ---------------------------------------------------------------- structured data

function fromJsonLd($: CheerioAPI): Candidate[] {
  const out: Candidate[] = []
  $('script[type="application/ld+json"]').each((_, el) => {
    const data = parseJsonLenient($(el).text().trim())
    if (data !== undefined) walkJson(data, 0, out, '')
  })
  return out
}

/** JSON.parse, retried with raw control characters (often inside hand-built strings) turned into spaces. */
function parseJsonLenient(text: string): unknown {
  for (const candidate of [text, text.replace(/[\u0000-\u001f]+/g, ' ')]) {
    try {
      return JSON.parse(candidate)
    } catch {
      // try the next form
    }
  }
  return undefined
}

function walkJson(node: unknown, depth: number, out: Candidate[], parentKey: string): void {
  if (depth > 12 || node === null || typeof node !== 'object') return
  if (Array.isArray(node)) {
    for (const item of node.slice(0, 200)) walkJson(item, depth + 1, out, parentKey)
    return
  }
  const obj = node as Record<string, unknown>
  const type = String(obj['@type'] ?? '')
  const isOffer = /offer|pricespecification/i.test(type) || parentKey === 'offers' || parentKey === 'priceSpecification'
  if (isOffer || ('price' in obj && ('priceCurrency' in obj || 'availability' in obj))) {
    for (const key of ['price', 'lowPrice']) {
      const value = obj[key]
      if (typeof value === 'number' || typeof value === 'string') {
        const decimal = normalizeDecimal(String(value), 'machine')
        if (decimal) {
          out.push({ decimal, currency: stringOr(obj.priceCurrency), method: 'json-ld', evidence: `JSON-LD ${type || 'offer'}.${key}`, score: 0 })
          break
        }
      }
    }
  }
  for (const [key, value] of Object.entries(obj)) {
    if (key === 'price' || key === 'lowPrice' || key === 'highPrice') continue
    walkJson(value, depth + 1, out, key)
  }
}

function fromMicrodata($: CheerioAPI): Candidate[] {
  const out: Candidate[] = []
  $('[itemprop="price"]').each((_, el) => {
    const e = $(el)
    const raw = e.attr('content') ?? e.text()
    const decimal = normalizeDecimal(raw, e.attr('content') !== undefined ? 'machine' : 'visible') ?? parseVisiblePrice(raw)?.decimal
    if (!decimal) return
    const scope = e.closest('[itemscope]')
    const currencyEl = scope.find('[itemprop="priceCurrency"]').first()
    const currency = currencyEl.attr('content') ?? (currencyEl.text().trim() || undefined)
    out.push({ decimal, currency, method: 'microdata', evidence: 'microdata itemprop=price', score: 0 })
  })
  return out
}

const META_PRICE_KEYS = ['product:sale_price:amount', 'product:price:amount', 'og:price:amount', 'price'] as const

function fromMeta($: CheerioAPI): Candidate[] {
  const out: Candidate[] = []
  for (const key of META_PRICE_KEYS) {
    $(`meta[property="${key}"], meta[name="${key}"], meta[itemprop="${key}"]`).each((_, el) => {
      const decimal = normalizeDecimal($(el).attr('content') ?? '', 'machine')
      if (!decimal) return
      const currencyKey = key.replace(/amount$/, 'currency')
      const currency =
        $(`meta[property="${currencyKey}"], meta[name="${currencyKey}"]`).attr('content') ||
        $('meta[itemprop="priceCurrency"]').attr('content') ||
        undefined
      out.push({ decimal, currency, method: 'meta', evidence: `meta ${key}`, score: 0 })
    })
  }
  return out
}

function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined
}

// ---------------------------------------------------------------- visible prices

const CURRENCY =
  '(?:[$€£¥₹₽₴₩₺₪₫₱฿₦]|R\\$|A\\$|C\\$|US\\$|zł|Kč|kr\\.?|Ft|lei|Rs\\.?|руб\\.?|р\\.|б\\.р\\.|ر\\.س|د\\.إ|CHF|EUR|GBP|USD|PLN|SAR|AED|SEK|NOK|DKK|CZK|HUF|RON|INR|PKR|JPY|CNY|RUB|BYN|UAH|TRY|AUD|CAD|NZD|ZAR|BRL|MXN|CLP|COP|ARS)'
const NUMBER = '\\d{1,3}(?:[.,\\s\\u00a0\\u202f]\\d{3})*(?:[.,]\\d{1,2})?|\\d+(?:[.,]\\d{1,2})?'
const PRICE_BEFORE = new RegExp(`(${CURRENCY})\\s?(${NUMBER})(?![\\d.,]*\\d)`, 'u')
const PRICE_AFTER = new RegExp(`(?<![\\d.,])(${NUMBER})\\s?(${CURRENCY})`, 'u')
const PRICE_BEFORE_ALL = new RegExp(PRICE_BEFORE.source, 'gu')
const PRICE_AFTER_ALL = new RegExp(PRICE_AFTER.source, 'gu')
const RANGE = new RegExp(`(?<![\\d.,])(${NUMBER})\\s?[-–—]\\s?(?:${NUMBER})\\s?(${CURRENCY})`, 'u')
const BARE = new RegExp(`^(?:[^\\d]{0,12})(${NUMBER})(?:[^\\d]{0,12})$`, 'u')

/** The first "currency + number" (either order) in a short text. */
export function parseVisiblePrice(text: string): { decimal: string; currency: string | undefined } | undefined {
  const t = text.replace(/\s+/g, ' ')
  // "352,00 – 376,45 р.": a range reads as its lower end.
  const range = RANGE.exec(t)
  if (range) {
    const decimal = normalizeDecimal(range[1]!, 'visible')
    if (decimal) return { decimal, currency: range[2]! }
  }
  const before = PRICE_BEFORE.exec(t)
  const after = PRICE_AFTER.exec(t)
  const m = before && (!after || before.index <= after.index) ? { num: before[2]!, cur: before[1]! } : after ? { num: after[1]!, cur: after[2]! } : undefined
  if (!m) return undefined
  const decimal = normalizeDecimal(m.num, 'visible')
  return decimal ? { decimal, currency: m.cur } : undefined
}

const POSITIVE = /(ourprice|dealprice|saleprice|sale[-_]?price|price[-_]?sale|buybox|buy[-_]?box|current|final|actual|special|price[-_]?now|now[-_]?price|product[-_]?price|main[-_]?price|price[-_]?value|offer[-_]?price|price[-_]?current|regular[-_]?price[-_]?sale|headline|pdp)/i
const NEGATIVE = /(strike|crossed|old|was[-_]?price|rrp|list[-_]?price|listprice|regular|original|compare|before|saving|save|shipping|delivery|ppu|unit|per[-_]|similar|related|recommend|carousel|sponsor|mbc|olp|subscription|sns|tier|changes|min|avg|average|promo|installment|monthly|finance|bundle|accessor|cart|basket|p13n|widget|range|total|sims|fbt|also|upsell|cross[-_]?sell)/i
const PRICEISH = /(price|amount|cost|preis|prix|prezzo|precio|preco|cena|цена)/i

function fromVisible($: CheerioAPI): Candidate[] {
  $('script, style, noscript, template, svg').remove()
  const found: (Candidate & { order: number })[] = []
  let order = 0
  $('[id], [class], [itemprop]').each((_, el) => {
    const e = $(el)
    const attrs = `${e.attr('id') ?? ''} ${e.attr('class') ?? ''} ${e.attr('itemprop') ?? ''}`
    if (!PRICEISH.test(attrs)) return
    const text = e.text().replace(/\s+/g, ' ').trim()
    if (text === '' || text.length > 80) return
    const parsed = parseVisiblePrice(text) ?? bareNumber(text, attrs)
    if (!parsed) return
    // A block that shows several amounts ("was 219.99, -50%, now 110.00") is read through its children.
    if (countDistinctPrices(text) > 1 && !RANGE.test(text)) return
    if (found.length >= 500) return
    order++
    let score = 1
    if (POSITIVE.test(attrs)) score += 3
    if (NEGATIVE.test(attrs) || NEGATIVE.test(ancestorAttrs(e, 3))) score -= 5
    if (e.closest('s, del, strike').length > 0) score -= 5
    if (/\/\s*(\d+\s*)?(ml|l|kg|g|100|unit|st[üu]ck|unité|each)/i.test(text)) score -= 3
    found.push({ ...parsed, method: 'visible', evidence: `visible ${e.prop('tagName')?.toLowerCase()}${e.attr('id') ? '#' + e.attr('id') : ''} "${text.slice(0, 40)}"`, score, order })
  })
  // The same amount in several good places (buy box, header, variant swatch) is the page's price.
  const goodCounts = new Map<string, number>()
  for (const c of found) if (c.score > 0) goodCounts.set(canonical(c.decimal), (goodCounts.get(canonical(c.decimal)) ?? 0) + 1)
  for (const c of found) {
    c.score += Math.min(3, (goodCounts.get(canonical(c.decimal)) ?? 0) - (c.score > 0 ? 1 : 0)) * 0.5
    c.score -= (c.order - 1) / Math.max(1, order) // earlier is better, at most -1
  }
  return found.sort((a, b) => b.score - a.score || a.order - b.order)
}

function countDistinctPrices(text: string): number {
  const amounts = new Set<string>()
  for (const re of [PRICE_BEFORE_ALL, PRICE_AFTER_ALL]) {
    for (const m of text.matchAll(re)) {
      const decimal = normalizeDecimal(m[re === PRICE_BEFORE_ALL ? 2 : 1]!, 'visible')
      if (decimal) amounts.add(canonical(decimal))
    }
  }
  return amounts.size
}

function bareNumber(text: string, attrs: string): { decimal: string; currency: undefined } | undefined {
  // A bare number only counts in an element that is about the price itself.
  if (!/price/i.test(attrs)) return undefined
  const m = BARE.exec(text)
  if (!m || /[a-z]{3,}/i.test(text.replace(m[1]!, ''))) return undefined
  const decimal = normalizeDecimal(m[1]!, 'visible')
  return decimal && decimal !== '0' ? { decimal, currency: undefined } : undefined
}

/** The little of a cheerio selection that ancestorAttrs reads. */
type Attributed = { length: number; attr: (name: string) => string | undefined; parent: () => Attributed }

function ancestorAttrs(e: Attributed, levels: number): string {
  const parts: string[] = []
  let p = e.parent()
  for (let i = 0; i < levels && p.length > 0; i++) {
    parts.push(`${p.attr('id') ?? ''} ${p.attr('class') ?? ''}`)
    p = p.parent()
  }
  return parts.join(' ')
}

function canonical(decimal: string): string {
  return decimalToFixedPoint(decimal, 18).toString()
}
