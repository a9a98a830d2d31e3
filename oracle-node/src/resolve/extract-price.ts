/**
 * The price of the product a page is about, as the buyer sees it, as a fixed-point integer — or why not.
 *
 * 1. The page's locale: its currency (structured data, the currency shown, else the country of the domain
 *    or of `lang`) and so its minor digits (CLP none, KWD three), which decide how "24.990" reads.
 * 2. Visible prices (read-visible-prices.ts), each scored by where it sits and how it is marked: next to
 *    the product's title up, in lists / carousels / related items / the header down; struck-out, list,
 *    per-unit, instalment, "from", shipping, saving and cart prices down; named or labelled as the price up.
 * 3. Structured offers (read-structured-prices.ts): JSON-LD, microdata, meta.
 * 4. Agreement. A structured offer that the page shows as a price to pay wins (read as the page shows it,
 *    so a JSON-LD "24.990" shown as "$24.990" reads 24990, and an offer in minor units reads as shown).
 *    Without agreement, a structured offer that the page shows only struck out loses to the page's current
 *    price; an offer the page never shows loses to a clear visible price next to the title, else wins.
 *    An AggregateOffer's lowPrice is a "from" price: the visible price within its range wins.
 * 5. When the candidates disagree and nothing decides between them (two unmarked prices next to the title,
 *    structured offers that differ and none shown), the reader abstains: `found: false` with the reason.
 *
 * Numbers are read as strings, never through floats (parse-decimal.ts). The page is parsed by the bounded
 * parser (parse-html.ts); see the readers for their own bounds.
 */
import { parseHtml } from '../sources/parse-html.ts'
import { countryMoney, countryOfHost, currencyOfSymbol, minorDigitsOf, readLanguageTag, type CountryInfo } from './price-currencies.ts'
import { decimalToFixedPoint, normalizeDecimal } from './parse-decimal.ts'
import { readStructuredPrices, type StructuredPrice } from './read-structured-prices.ts'
import { readVisiblePrices, type VisibleCue, type VisiblePrice } from './read-visible-prices.ts'

export type PriceMethod = 'json-ld' | 'microdata' | 'meta' | 'visible'

export type ExtractPriceParameters = {
  html: string
  /** Digits after the point in the returned integer (2: 119.01 -> 11901n). */
  decimals: number
  /** The page's address: its domain says the country (and so the currency) when the page does not. */
  url?: string | undefined
  /** The currency the question is asked in (a spec's unit); prices in other currencies are not the answer. */
  currency?: string | undefined
}

export type ExtractedPrice = {
  found: true
  /** The price in units of 10^-decimals. */
  value: bigint
  decimals: number
  /** The price as a plain decimal string, as read ("119.01"). */
  decimal: string
  /** ISO code (or the symbol shown) when the page says, else undefined. */
  currency: string | undefined
  method: PriceMethod
  /** Where it was read and why it was chosen, for the reason line. */
  evidence: string
}

export type ExtractPriceReturnType = ExtractedPrice | { found: false; reason: string }

/** A visible price with its amount read in the page's locale and its score. */
export type RankedPrice = VisiblePrice & { decimal: string; key: string; score: number }

export type PageMoney = { currency: string | undefined; minorDigits: number | undefined; country: CountryInfo | undefined; why: string }

/** Scores at or above this are a price shown as the one to pay, near the product. */
const strongScore = 3
/** Two amounts closer than this in score are not told apart by their placement. */
const clearMargin = 1

/** Finds the page's price, or says why there is none (or why it will not choose). */
export function extractPrice(parameters: ExtractPriceParameters): ExtractPriceReturnType {
  const analysis = analyzePrices(parameters)
  return analysis.result
}

export type AnalyzePricesReturnType = {
  result: ExtractPriceReturnType
  money: PageMoney
  ranked: RankedPrice[]
  structured: StructuredPrice[]
}

/** extractPrice with what it weighed (ranked visible prices, structured offers), for tests and tools. */
export function analyzePrices(parameters: ExtractPriceParameters): AnalyzePricesReturnType {
  const { html, decimals } = parameters
  const { $, root } = parseHtml(html)
  const visible = readVisiblePrices({ $, root })
  const { prices: structured } = readStructuredPrices({ $, title: visible.titleText, isOtherProduct: visible.isOtherProduct })
  const money = readPageMoney($, parameters.url, structured, visible.prices, parameters.currency)
  const ranked = rankVisible(visible.prices, money)
  const chosen = decide(structured, ranked, money)
  if (!chosen.ok) return { result: { found: false, reason: chosen.reason }, money, ranked, structured }
  return {
    result: {
      found: true,
      value: decimalToFixedPoint(chosen.decimal, decimals),
      decimals,
      decimal: chosen.decimal,
      currency: chosen.currency ?? money.currency,
      method: chosen.method,
      evidence: chosen.evidence,
    },
    money,
    ranked,
    structured,
  }
}

// ------------------------------------------------------------------------------------------------ locale

const symbolCurrencies: Readonly<Record<string, readonly string[]>> = {
  $: ['USD', 'CAD', 'AUD', 'NZD', 'MXN', 'CLP', 'ARS', 'COP', 'UYU', 'SGD', 'HKD', 'TWD', 'DOP'],
  '＄': ['USD'],
  '¥': ['JPY', 'CNY'],
  '￥': ['JPY', 'CNY'],
  kr: ['SEK', 'NOK', 'DKK', 'ISK'],
  'kr.': ['SEK', 'NOK', 'DKK', 'ISK'],
  Rs: ['INR', 'PKR', 'LKR', 'NPR'],
  'Rs.': ['INR', 'PKR', 'LKR', 'NPR'],
  Bs: ['VES', 'BOB'],
  'Bs.': ['VES', 'BOB'],
}

function readPageMoney($: ReturnType<typeof parseHtml>['$'], url: string | undefined, structured: StructuredPrice[], visible: VisiblePrice[], asked: string | undefined): PageMoney {
  let country: CountryInfo | undefined
  const why: string[] = []
  if (url) {
    try {
      country = countryOfHost(new URL(url).hostname)
      if (country) why.push(`domain .${country.country}`)
    } catch {
      // not a URL: no country from it
    }
  }
  const lang = $('html').attr('lang') ?? $('meta[property="og:locale"]').attr('content') ?? $('meta[http-equiv="content-language"]').attr('content')
  const tag = lang ? readLanguageTag(lang) : undefined
  if (!country && tag?.region) {
    country = countryMoney(tag.region)
    if (country) why.push(`lang ${lang}`)
  }
  const iso = (c: string | undefined) => (c && /^[A-Za-z]{3}$/.test(c.trim()) ? c.trim().toUpperCase() : c ? currencyOfSymbol(c) : undefined)
  let currency = asked?.toUpperCase()
  if (currency) why.push('asked')
  if (!currency) {
    currency = structured.map((s) => iso(s.currency)).find((c) => c !== undefined && minorDigitsOf(c) !== undefined)
    if (currency) why.push('structured data')
  }
  if (!currency) {
    const counts = new Map<string, number>()
    for (const v of visible) if (v.currency) counts.set(v.currency, (counts.get(v.currency) ?? 0) + 1)
    const top = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]
    if (top) {
      currency = top[0]
      why.push('shown')
    }
  }
  if (!currency) {
    // Only ambiguous symbols ($, kr, Rs) or none: the country's currency when it writes prices with that symbol.
    const symbols = new Set(visible.map((v) => v.symbol).filter((s): s is string => s !== undefined))
    if (country && ([...symbols].some((s) => symbolCurrencies[s]?.includes(country!.currency)) || symbols.size === 0)) {
      currency = country.currency
      why.push(`the country's currency`)
    }
  }
  return { currency, minorDigits: minorDigitsOf(currency), country, why: why.join(', ') || 'nothing says' }
}

// ------------------------------------------------------------------------------------------------ scores

const cueWeights: Readonly<Record<VisibleCue, number>> = {
  list: -4,
  saving: -5,
  unit: -4,
  instalment: -4,
  from: -1.5,
  shipping: -4,
  total: -2,
  taxExcluded: -1,
  range: -1,
  converted: -3,
  otherProducts: -4,
  repeated: -3,
  link: -1.5,
  chrome: -3,
  priceNamed: 1,
  payNamed: 1,
  payLabel: 0.5,
}

/** Cues that make a visible price too uncertain to overrule structured data. */
const doubtful: readonly VisibleCue[] = ['from', 'range', 'taxExcluded', 'repeated', 'link']

/** Labels that say a price is not the one to pay (wherever it sits). */
const labelledNotThePrice: readonly VisibleCue[] = ['list', 'saving', 'unit', 'instalment', 'shipping', 'total', 'converted']

/** Cues that say a price is not the one to pay for this product. */
const notThePrice: readonly VisibleCue[] = ['list', 'saving', 'unit', 'instalment', 'shipping', 'total', 'converted', 'otherProducts', 'chrome']

function rankVisible(prices: readonly VisiblePrice[], money: PageMoney): RankedPrice[] {
  const read: RankedPrice[] = []
  for (const v of prices) {
    const currency = v.currency ?? money.currency
    const decimal = normalizeDecimal(v.raw, 'visible', { minorDigits: minorDigitsOf(currency) ?? money.minorDigits })
    if (decimal === undefined || /^-/.test(decimal) || /^0+(\.0+)?$/.test(decimal)) continue
    read.push({ ...v, decimal, key: canonical(decimal), score: 0 })
  }
  // Closeness to the title, relative to the closest price that is not in another product's block.
  const depths = read.filter((r) => r.titleLcaDepth >= 0 && !r.cues.has('otherProducts') && !r.cues.has('chrome')).map((r) => r.titleLcaDepth)
  const deepest = depths.length > 0 ? Math.max(...depths) : -1
  const n = Math.max(1, read.length)
  read.forEach((r, i) => {
    let score = r.symbol !== undefined ? 1 : 0
    for (const cue of r.cues) score += cueWeights[cue]
    if (deepest >= 0 && r.titleLcaDepth >= 0) score += Math.max(0, 3 + (r.titleLcaDepth - deepest))
    if (money.currency && r.currency && r.currency !== money.currency) score -= 3
    score -= i / n // earlier is better, at most -1
    r.score = score
  })
  return read.sort((a, b) => b.score - a.score || a.order - b.order)
}

/** Best score per amount, with how many buyable places show it. */
function amounts(ranked: readonly RankedPrice[]): { key: string; best: RankedPrice; score: number; shown: number }[] {
  const by = new Map<string, { key: string; best: RankedPrice; score: number; shown: number }>()
  for (const r of ranked) {
    const e = by.get(r.key)
    const buyable = !notThePrice.some((c) => r.cues.has(c))
    if (!e) by.set(r.key, { key: r.key, best: r, score: r.score, shown: buyable ? 1 : 0 })
    else if (buyable) e.shown++
  }
  // The same amount in several buyable places (buy box and header) is a little more likely the price.
  const out = [...by.values()].map((a) => ({ ...a, score: a.score + 0.25 * Math.min(2, Math.max(0, a.shown - 1)) }))
  return out.sort((a, b) => b.score - a.score || a.best.order - b.best.order)
}

// ------------------------------------------------------------------------------------------------ decision

type Choice = { ok: true; decimal: string; currency: string | undefined; method: PriceMethod; evidence: string } | { ok: false; reason: string }

function decide(structured: readonly StructuredPrice[], ranked: readonly RankedPrice[], money: PageMoney): Choice {
  const byAmount = amounts(ranked)
  const best = byAmount[0]
  const second = byAmount[1]
  const clear = best !== undefined && (second === undefined || best.score - second.score >= clearMargin)
  const strong = best !== undefined && best.score >= strongScore
  const visibleChoice = (why: string): Choice => ({
    ok: true,
    decimal: best!.best.decimal,
    currency: best!.best.currency ?? money.currency,
    method: 'visible',
    evidence: `visible "${best!.best.text}"${why ? `; ${why}` : ''}`,
  })

  // Structured offers, read in the page's conventions, each with the readings a page may mean by it.
  const offers = structured.filter((s) => s.kind === 'offer')
  const lows = structured.filter((s) => s.kind === 'low')
  const highs = structured.filter((s) => s.kind === 'high')
  const readings = (s: StructuredPrice) => structuredReadings(s, money)

  // 1. An offer the page shows as a price to pay: agreed. Where it is shown does not matter here (a block
  // misnamed as another product's must not hide the product's own price); how it is labelled does.
  let agreed: { s: StructuredPrice; shown: RankedPrice } | undefined
  for (const s of [...offers, ...lows]) {
    for (const reading of readings(s)) {
      const shown = ranked.find((r) => r.key === reading && !labelledNotThePrice.some((c) => r.cues.has(c)))
      if (shown && (!agreed || shown.score > agreed.shown.score)) agreed = { s, shown }
    }
  }
  if (agreed && (agreed.s.kind === 'offer' || !strong || best!.key === agreed.shown.key)) {
    // A visible price far clearer than the agreed one (a stale offer that also appears elsewhere) wins.
    if (!(strong && clear && best!.key !== agreed.shown.key && agreed.shown.score < 1 && best!.score - agreed.shown.score >= 3)) {
      return {
        ok: true,
        decimal: agreed.shown.decimal,
        currency: iso(agreed.s.currency) ?? agreed.shown.currency ?? money.currency,
        method: agreed.s.source,
        evidence: `${agreed.s.evidence} "${agreed.s.raw}", shown as "${agreed.shown.text}"`,
      }
    }
    return visibleChoice(`${agreed.s.evidence} "${agreed.s.raw}" is shown only far from the product`)
  }

  // 2. Offers the page does not show as a price to pay.
  const offerValues = uniqueValues(offers, money)
  if (offerValues.length > 0) {
    const [value] = offerValues
    const struck = offerValues.length === 1 && ranked.some((r) => r.key === canonical(value!.decimal) && (r.cues.has('list') || r.cues.has('saving')))
    if (strong && clear && struck) return visibleChoice(`${value!.s.evidence} "${value!.s.raw}" is shown only as a former price`)
    // Overriding the page's own declaration takes a price shown plainly as the one to pay, next to the title.
    const plain = best !== undefined && !doubtful.some((c) => best.best.cues.has(c))
    if (strong && clear && plain && best!.best.titleLcaDepth >= 0) return visibleChoice(`${value!.s.evidence} "${value!.s.raw}" is not shown on the page`)
    if (offerValues.length === 1) {
      if (strong && !clear) return { ok: false, reason: `structured ${value!.s.evidence} "${value!.s.raw}" is not shown, and the page shows several prices (${describe(byAmount)})` }
      return { ok: true, decimal: value!.decimal, currency: iso(value!.s.currency) ?? money.currency, method: value!.s.source, evidence: `${value!.s.evidence} "${value!.s.raw}"` }
    }
    return { ok: false, reason: `structured offers disagree (${offerValues.map((v) => `${v.s.evidence} ${v.s.raw}`).join('; ')}) and the page shows none of them as the price` }
  }

  // 3. Only an AggregateOffer range (a "from" price): the visible price within it, else its low end.
  const lowValues = uniqueValues(lows, money)
  if (lowValues.length > 0) {
    const low = lowValues[0]!
    const high = uniqueValues(highs, money)[0]
    if (strong && clear) {
      const v = decimalToFixedPoint(best!.best.decimal, 18)
      const inRange = v >= decimalToFixedPoint(low.decimal, 18) && (high === undefined || v <= decimalToFixedPoint(high.decimal, 18))
      if (inRange) return visibleChoice(`within ${low.s.evidence} range`)
    }
    return { ok: true, decimal: low.decimal, currency: iso(low.s.currency) ?? money.currency, method: low.s.source, evidence: `${low.s.evidence} "${low.s.raw}" (lowest offer)` }
  }

  // 4. Visible prices only.
  if (!best || best.score <= 0) return { ok: false, reason: best ? `no price shown as the one to pay (${describe(byAmount)})` : 'no price in structured data or on the page' }
  if (!clear && second!.score >= strongScore - 1) {
    // Two prices shown together and unmarked are a sale price and the price it replaces (a variant's price
    // would sit in its own option): the lower is the one to pay. Apart, nothing tells them apart.
    if (shownTogether(best.best, second!.best)) {
      const lower = decimalToFixedPoint(best.best.decimal, 18) <= decimalToFixedPoint(second!.best.decimal, 18) ? best : second!
      return { ok: true, decimal: lower.best.decimal, currency: lower.best.currency ?? money.currency, method: 'visible', evidence: `visible "${lower.best.text}", the lower of two prices shown together` }
    }
    return { ok: false, reason: `the page shows several prices that nothing tells apart (${describe(byAmount)})` }
  }
  return visibleChoice('')
}

/** Within three levels of one common parent (one price box), and not the same element. */
function shownTogether(a: RankedPrice, b: RankedPrice): boolean {
  if (a.element === b.element) return false
  const up = (el: RankedPrice['element']) => {
    const out: unknown[] = []
    let p: { parent: unknown } | null = el
    for (let i = 0; i < 4 && p; i++) {
      out.push(p)
      p = p.parent as { parent: unknown } | null
    }
    return out
  }
  const mine = up(a.element)
  return up(b.element).some((x) => mine.includes(x))
}

function iso(c: string | undefined): string | undefined {
  if (!c) return undefined
  return /^[A-Za-z]{3}$/.test(c.trim()) ? c.trim().toUpperCase() : (currencyOfSymbol(c) ?? c)
}

/** The amounts a structured value may mean on this page: as written, grouped ("24.990" CLP), in minor units. */
function structuredReadings(s: StructuredPrice, money: PageMoney): string[] {
  const minorDigits = minorDigitsOf(iso(s.currency)) ?? money.minorDigits
  const out = new Set<string>()
  const main = readStructured(s, money)
  if (main) out.add(canonical(main))
  if (!s.shown) {
    const raw = s.raw.trim()
    // A lone "." before three digits: thousands for a currency without three minor digits.
    if (/^\d{1,3}\.\d{3}$/.test(raw) && minorDigits !== 3) out.add(canonical(raw.replace('.', '')))
    // An integer in minor units (2499 for 24.99).
    if (/^\d+$/.test(raw) && minorDigits !== undefined && minorDigits > 0 && raw.length > minorDigits) {
      out.add(canonical(`${raw.slice(0, raw.length - minorDigits)}.${raw.slice(raw.length - minorDigits)}`))
    }
  }
  return [...out]
}

function readStructured(s: StructuredPrice, money: PageMoney): string | undefined {
  const minorDigits = minorDigitsOf(iso(s.currency)) ?? money.minorDigits
  if (s.shown) {
    const m = /(\d[\d.,'\u00a0\u202f ]*)/.exec(s.raw)
    return m ? normalizeDecimal(m[1]!.trim(), 'visible', { minorDigits }) : undefined
  }
  const d = normalizeDecimal(s.raw, 'machine', { minorDigits })
  return d !== undefined && !/^-/.test(d) && !/^0+(\.0+)?$/.test(d) ? d : undefined
}

function uniqueValues(list: readonly StructuredPrice[], money: PageMoney): { s: StructuredPrice; decimal: string }[] {
  const seen = new Map<string, { s: StructuredPrice; decimal: string }>()
  for (const s of list) {
    const d = readStructured(s, money)
    if (d !== undefined && !seen.has(canonical(d))) seen.set(canonical(d), { s, decimal: d })
  }
  return [...seen.values()]
}

function canonical(decimal: string): string {
  return decimalToFixedPoint(decimal, 18).toString()
}

function describe(list: readonly { best: RankedPrice; score: number }[]): string {
  return list
    .slice(0, 3)
    .map((a) => `"${a.best.text.slice(0, 30)}" ${a.score.toFixed(1)}`)
    .join(', ')
}
