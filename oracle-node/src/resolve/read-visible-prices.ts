/**
 * Every price a buyer can see on a page, with what the page says about it: where it sits (next to the
 * product's title, or in a list of other products, a carousel, the header), how it is marked (struck out,
 * "UVP", "/100 ml", "12 x", "from", "+ shipping") and how it is written (currency, separators).
 *
 * How prices are found. The page's visible text is assembled bottom-up, element by element: a `<sup>` or an
 * element named like a fraction ("a-price-fraction", "cents") right after digits gets a decimal mark, so
 * "29" + "99" and "29." + "99" read as 29.99; block elements are kept apart so that a number in one block is
 * never read with a currency in the next (unless the block holds only the currency). A price is a currency
 * (symbol, local abbreviation or ISO code, either side) next to a number, or a bare number in an element
 * named for a price. It belongs to the smallest element that holds all of it: a carousel that repeats
 * "119€119€119" yields one price per slide, not one for the carousel.
 *
 * Bounded like every reader of attacker input: the page is parsed by parseHtml (depth, elements, siblings),
 * every walk is iterative, element texts are capped at 300 characters, at most 2 000 prices are kept.
 */
import type { CheerioAPI } from 'cheerio/slim'
import { isTag, isText, type AnyNode, type Document, type Element } from 'domhandler'
import { currencyCodes, currencyOfSymbol, currencySymbols, foldDigits } from './price-currencies.ts'

export type VisibleCue =
  /** Struck out, or marked as a list / old / suggested price ("UVP", "was", class "old-price"). */
  | 'list'
  /** A saving or discount ("you save", "-20 €"). */
  | 'saving'
  /** A price per measure ("/kg", "per 100 ml", "Grundpreis"). */
  | 'unit'
  /** An instalment, a monthly rate, a financing offer. */
  | 'instalment'
  /** A "from" price ("ab", "à partir de", "desde"). */
  | 'from'
  /** Shipping, postage, delivery. */
  | 'shipping'
  /** A cart total, subtotal, basket. */
  | 'total'
  /** Excluding tax. */
  | 'taxExcluded'
  /** A range "19,99 – 29,99 €" (read as its lower end). */
  | 'range'
  /** A conversion into another currency ("approx. US $30.12"). */
  | 'converted'
  /** Inside a block named for other products (related, recommended, carousel, list). */
  | 'otherProducts'
  /** One of several alike siblings that each show a price (a grid, a carousel). */
  | 'repeated'
  /** Inside a link. */
  | 'link'
  /** In the page's header, navigation, footer or an aside. */
  | 'chrome'
  /** The element (or its parent) is named for a price ("price", "preis", "amount"). */
  | 'priceNamed'
  /** Named like the price to pay ("sale", "current", "final", "buybox"). */
  | 'payNamed'
  /** Labelled like the price to pay ("Price:", "Now", "Preis"). */
  | 'payLabel'

export type VisiblePrice = {
  /** The number as shown ("1.299,00"). */
  raw: string
  /** The currency as shown ("€", "NT$", "EUR"), undefined for a bare number. */
  symbol: string | undefined
  /** ISO code when the symbol says it ("€" -> EUR; "$" says nothing alone). */
  currency: string | undefined
  /** The owning element's text (at most 80 characters), for reason lines. */
  text: string
  element: Element
  /** Document order of the owning element. */
  order: number
  cues: ReadonlySet<VisibleCue>
  /**
   * Depth of the deepest element that holds both this price and the product's title (-1 without a title):
   * the deeper, the closer this price sits to the product it is the price of.
   */
  titleLcaDepth: number
}

export type ReadVisiblePricesParameters = {
  $: CheerioAPI
  root: Document
}

export type ReadVisiblePricesReturnType = {
  prices: VisiblePrice[]
  /** The element taken as the product's title (h1 matching og:title / JSON-LD name / <title>). */
  title: Element | undefined
  titleText: string | undefined
  /** Whether an element sits in a block of other products (for structured-data readers). */
  isOtherProduct: (el: Element) => boolean
}

const maxTextChars = 300
const maxOwnerChars = 160
const maxPrices = 2_000
const boundary = '\u2029'

const skipTags = new Set(['script', 'style', 'noscript', 'template', 'svg', 'head', 'title', 'select', 'option', 'datalist', 'iframe', 'object', 'embed', 'canvas', 'math', 'textarea', 'input'])
const blockTags = new Set([
  'p', 'div', 'section', 'article', 'main', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'li', 'ul', 'ol', 'dl', 'dt', 'dd', 'table', 'thead',
  'tbody', 'tfoot', 'tr', 'td', 'th', 'caption', 'figure', 'figcaption', 'header', 'footer', 'address', 'hr', 'br', 'blockquote',
  'pre', 'form', 'nav', 'aside', 'fieldset', 'legend', 'details', 'summary', 'button',
])
const hiddenClassWords = new Set(['hidden', 'aok-hidden', 'is-hidden', 'u-hidden', 'hide', 'display-none', 'invisible', 'none'])

// ------------------------------------------------------------------------------------------------ tokens

const symbolAlternation = [...currencySymbols.map(([s]) => s), ...currencyCodes]
  .sort((a, b) => b.length - a.length)
  .map((s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
  .join('|')
/** A currency not glued to other letters ("EUR", "kr", but not the "kr" of "Kraft"). */
const CUR = `(?<![\\p{L}])(?:${symbolAlternation})(?![\\p{L}])`
const GAP = '[ \\u00a0\\u202f\\u2009]{0,2}'
const NUM = `(?:\\d{1,3}(?:[.,'\\u2019\\u00a0\\u202f\\u2009 ]\\d{3})+(?:[.,]\\d{1,3})?|\\d+(?:[.,]\\d{1,3})?)(?:[.,][-\\u2013\\u2014]{1,2})?`
const SIGN = '(?:([-\\u2212\\u2013+])[ ]?)?'
/** "€ 29,99", "29,99 €", "-20 €", "+EUR 12.00", "NT$1,290", "29,900원". */
const TOKEN = new RegExp(`${SIGN}(?:(${CUR})${GAP}(${NUM})|(?<![\\d.,])(${NUM})${GAP}(${CUR}))(?![\\d])`, 'gu')
const RANGE = new RegExp(`(${NUM})${GAP}(?:${CUR})?${GAP}[-\\u2013\\u2014~]${GAP}(?:${CUR})?${GAP}(?:${NUM})`, 'u')
const BARE = new RegExp(`^[ :*]{0,3}(${NUM})[ :*]{0,3}$`, 'u')

type Token = { index: number; end: number; raw: string; symbol: string; sign: string | undefined }

function findTokens(text: string): Token[] {
  const out: Token[] = []
  TOKEN.lastIndex = 0
  for (const m of text.matchAll(TOKEN)) {
    const symbol = (m[2] ?? m[5])!
    const raw = (m[3] ?? m[4])!
    // "2020 €" where the number is a year glued to a price on the other side ("Model 2020 € 15") is not one.
    out.push({ index: m.index!, end: m.index! + m[0].length, raw: raw.trim(), symbol: symbol.trim(), sign: m[1] })
    if (out.length > 20) break
  }
  // Overlaps ("€119€119"): keep the earlier.
  return out.filter((t, i) => i === 0 || t.index >= out[i - 1]!.end)
}

const digitsKey = (raw: string) => raw.replace(/[^\d]/g, '').replace(/^0+/, '')

// ------------------------------------------------------------------------------------------------ cues

const LIST_LABEL =
  /(\buvp\b|\brrp\b|\bmsrp\b|\bsrp\b|list ?price|listenpreis|\bstatt\b|\bwas\b|\bvorher\b|\bbisher\b|\bfrüher\b|ursprünglich|original(?:ly)?\b|\breg\.|regular price|retail price|precio (?:anterior|normal|de lista|lista|regular|original)|\bantes\b|\bantes:|prix (?:barré|de référence|conseillé|initial|public)|au lieu de|invece di|prezzo (?:consigliato|di listino|pieno)|adviesprijs|cena (?:katalogowa|regularna|poprzednia)|stara cena|poprzednio|preço (?:anterior|original|de tabela)|\bde:|normalpreis|\bnormal\s?:|\bord\.|ordinarie|ordinært|tavallinen hinta|norm\.|старая цена|eski fiyat|piyasa fiyatı|前の価格|通常価格|定価|정가|原价|מחיר קודם|السعر الأصلي)/i
const SAVING_LABEL = /(\bsave\b|you save|\bsaving|sparen|ersparnis|du sparst|économisez|économie|ahorra|ahorro|risparmi|oszczędzasz|taniej o|economize|desconto|alennus|\bspar\b|bespaar|скидка|экономия|tasarruf|\boff\b|rabatt|réduction|descuento|sconto|korting|rabat)/i
const UNIT_LABEL =
  /((?:\/|\bper\b|\bpro\b|\bje\b|\bpar\b|\bza\b|\bpor\b|\bau\b|\bal\b|\ble\b|\bthe\b)\s*(?:\d+[.,]?\d*\s*)?(?:kg|kilo|g|gr|mg|l|ltr|liter|litre|ml|cl|dl|m|m2|m²|m3|m³|cm|mm|lb|lbs|oz|fl\.?\s?oz|qt|gal|ft|sq\.?\s?ft|sqm|yd|100\s?g|100\s?ml|wash|lavado|portion|serving|dose|tab|tablet|capsule|kapsel)\b|grundpreis|prix au (?:kg|kilo|litre|l)|precio por (?:kg|litro|unidad de medida)|unit price|price per|preis pro|cena za (?:kg|l|1)|cena jednostkowa|enhetspris|jämförpris|kilohinta|litrahinta|単価|단가)/i
const INSTALMENT_LABEL =
  /(\/\s?(?:mo|mon|month|mth|monat|mois|mes|mese|mies\.?|miesiąc|kk|kuu|maand|måned|månad|ay)\b|\bper month\b|\ba month\b|\bmonthly\b|monatlich|\bmtl\.|mensuel|mensualit|\bal mes\b|\bmensual|\bcuotas?\b|meses sin intereses|\bmsi\b|parcelas?\b|\b\d{1,2}\s?x\s?(?:de\b|sem\b|sin\b|€|\$|r\$)|\bx\s?\d{1,2}\s?(?:mois|meses|cuotas|rat)|en \d+ fois|fois sans frais|\braten\b|\brate\b|\braty\b|\brata\b|finanzier|financ|klarna|afterpay|affirm|\bpay in \d|installment|instalment|payments of|taksit|leasing|分割|할부|月々)/i
const FROM_LABEL = /(\bfrom\b|\bab\b|à partir de|a partir de|\bdesde\b|\bdès\b|\bod\b|\bvanaf\b|\bfra\b|\bfrån\b|alkaen|starting at|starts at|\bот\b|\bda\b|\bvon\b|itibaren|\bmin\.)\s*$/i
const SHIPPING_LABEL =
  /(shipping|postage|delivery|versand|lieferung|porto|livraison|frais de port|envío|envio|spedizione|consegna|dostaw|wysyłk|przesyłk|frete|entrega|toimitus|frakt|leverans|verzend|bezorg|доставк|kargo|\bp&p\b|送料|배송)/i
/** A shipping word that qualifies the price next to it rather than pricing the shipping. */
const SHIPPING_NOTE = /(zzgl|inkl|incl|plus|excl|exkl|\+|free|gratis|kostenlos|frei|offert|gratuit|sans frais|grátis|darmow|ilmai|fri\b|bezpłat|бесплат|ücretsiz|not included|extra)/i
const TOTAL_LABEL = /(\btotal\b|subtotal|\bcart\b|basket|warenkorb|panier|carrito|carrello|koszyk|carrinho|ostoskori|kundvagn|winkelwagen|корзин|sepet|\bsumme\b|gesamt)/i
const TAX_EXCLUDED_LABEL = /(\bexcl\.?\s?(?:vat|tax|mwst|btw|iva)|\bexkl\.?\s?(?:mwst|moms)|\bex\.?\s?vat|\bex\.?\s?tax|without vat|\bnetto\b|net price|bez vat|hors taxe|\bht\b|sin iva|senza iva|sem iva|zonder btw|excluding (?:vat|tax)|\+\s?vat|\+\s?mwst|zzgl\.?\s?mwst)/i
const PAY_LABEL = /(\bprice\b|\bpreis\b|\bprix\b|\bprecio\b|\bprezzo\b|\bpreço\b|\bcena\b|\bhinta\b|\bpris\b|\bprijs\b|\bfiyat|\bцена|\bціна|our price|\bnow\b|\bjetzt\b|\bnur\b|\bonly\b|deal price|sale price|\bangebot|aktionspreis|\bkaufpreis|\bcijena|\bkaina|\bhind\b|販売価格|価格|가격|价格|מחיר|السعر)/i

const LIST_NAME =
  /(^|[^a-z])(strike|striked|strikethrough|strikeout|crossed|deleted|line-?through|linethrough|old|oldprice|was|wasprice|before|prev|previous|former|orig|origin|original|originalprice|list-?price|listprice|rrp|uvp|msrp|compare|compare-?at|compareat|retail|streich|barre|tachado|vorher|statt|alt|instead|reference-?price|price-?old|price-?before|price-?was|price-?list|regular-?price-?old|non-?sale|nonsale|base-?price-?old|striked-?price|price--?strike|price--?old|price--?was|reduced-?from|saving|savings|save|discount|percent|badge)($|[^a-z])/i
const PRICE_NAME = /(price|preis|prix|precio|prezzo|preco|preço|cena|hinta|pris|prijs|fiyat|amount|cost|cijena|kaina|betrag|цена|ціна|kaufpreis|sum\b)/i
const PAY_NAME =
  /(sale|special|current|final|actual|offer|our-?price|ourprice|deal|buybox|buy-?box|now|pdp|main-?price|product-?price|price-?main|price-?now|price-?current|price-?value|price-?final|selling|promo-?price|price-?promo|price-?sale|price--?sale|price--?current|price--?main|price--?highlight|highlight|big|large|primary|apex|core-?price|price-?to-?pay|pricetopay|value)/i

/** Class / id words that name a block of other products. */
const OTHER_PRODUCT_WORDS = new Set([
  'related', 'recommendation', 'recommendations', 'recommended', 'recommend', 'recommender', 'reco', 'recos', 'similar', 'upsell',
  'upsells', 'crosssell', 'crosssells', 'accessories', 'accessory', 'bundle', 'bundles', 'fbt', 'sims', 'p13n', 'carousel',
  'slider', 'swiper', 'slick', 'owl', 'glide', 'splide', 'teaser', 'teasers', 'tile', 'tiles', 'productlist',
  'recently', 'viewed', 'history', 'sponsored', 'adslink', 'advert', 'advertisement', 'banner', 'minicart', 'wishlist',
  'alternatives', 'complementary', 'suggestions', 'suggested', 'olp', 'formicary', 'cinema', 'others', 'megamenu', 'flyout',
])
const OTHER_PRODUCT_PHRASE =
  /(cross[-_]?sell|you[-_]?may|you[-_]?might|also[-_]?(?:like|bought|viewed|purchased)|customers[-_]?(?:also|who)|more[-_]?from|shop[-_]?the[-_]?look|complete[-_]?the[-_]?look|other[-_]?(?:products|sellers|offers|items)|mini[-_]?cart|cart[-_]?(?:summary|total|flyout|dropdown|preview|popup|drawer)|header[-_]?cart|product[-_]?(?:list|grid|tile|card|carousel|slider)s?(?:$|[^a-z])|item[-_]?(?:list|grid|carousel)|search[-_]?results?)/i
const CHROME_TAGS = new Set(['header', 'nav', 'footer', 'aside'])
const CHROME_ROLES = new Set(['navigation', 'banner', 'contentinfo', 'complementary', 'menu', 'menubar'])

function attrText(el: Element): string {
  const a = el.attribs
  return `${a.class ?? ''} ${a.id ?? ''} ${a['data-testid'] ?? ''} ${a['data-component'] ?? ''} ${a['data-aut-id'] ?? ''} ${a['data-price-type'] ?? ''} ${a.itemprop ?? ''}`.trim()
}

/** Class / id words, camelCase and separators split, lower-cased: "prd_price__oldAmount" -> prd price old amount. */
function attrWords(el: Element): string[] {
  return attrText(el)
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '')
}

function isFractionElement(el: Element): boolean {
  if (el.name === 'sup') return true
  return attrWords(el).some((w) => /^(dec|decimal|decimals|cents?|fraction|fractional|frac|minor|kop|ore|sup)$/.test(w))
}

function isHidden(el: Element): boolean {
  const a = el.attribs
  if (a.hidden !== undefined) return true
  if (a.style && /(display\s*:\s*none|visibility\s*:\s*hidden)/i.test(a.style)) return true
  const classes = (a.class ?? '').toLowerCase().split(/\s+/)
  if (classes.some((c) => hiddenClassWords.has(c))) {
    // "d-none d-md-block": shown from some width on.
    return !classes.some((c) => /^(d|display)-(?:[a-z]{2}-)?(block|flex|inline|inline-block|grid)$/.test(c))
  }
  return classes.includes('d-none') && !classes.some((c) => /^d-[a-z]{2}-(block|flex|inline|inline-block|grid)$/.test(c))
}

// ------------------------------------------------------------------------------------------------ reader

export function readVisiblePrices(parameters: ReadVisiblePricesParameters): ReadVisiblePricesReturnType {
  const { $, root } = parameters
  const texts = new Map<Element, string>()
  const order = new Map<Element, number>()
  const h1s: Element[] = []
  assembleTexts(root, texts, order, h1s)

  const titleText = pageTitle($)
  const title = chooseTitle(h1s, texts, titleText)
  const titlePath = title ? ancestorsOf(title).reverse() : []
  const titleAncestors = new Map(titlePath.map((el, depth) => [el, depth]))

  // Owners: the smallest element holding a whole price.
  type Raw = { el: Element; token: Token; bare: boolean; range: boolean }
  const raws: Raw[] = []
  const tokensOf = new Map<Element, Token[]>()
  for (const [el] of order) {
    const text = texts.get(el)
    if (text === undefined || text.length > maxOwnerChars || !/\d/.test(text)) continue
    const tokens = findTokens(text)
    if (tokens.length > 0) tokensOf.set(el, tokens)
  }
  for (const [el, tokens] of tokensOf) {
    const childKeys = new Set<string>()
    for (const child of el.children) {
      if (!isTag(child)) continue
      for (const t of tokensOf.get(child) ?? []) childKeys.add(digitsKey(t.raw))
    }
    const text = texts.get(el)!
    const range = RANGE.test(text) && tokens.length <= 3
    for (const token of tokens) {
      if (childKeys.has(digitsKey(token.raw)) || raws.length >= maxPrices) continue
      raws.push({ el, token, bare: false, range })
    }
  }
  // Bare numbers in elements named for a price ("<span class=price>119,01</span>" with "€" elsewhere).
  for (const [el] of order) {
    if (raws.length >= maxPrices) break
    const text = texts.get(el)
    if (text === undefined || text.length > 24 || tokensOf.has(el)) continue
    const m = BARE.exec(text.replace(new RegExp(boundary, 'g'), ' '))
    if (!m || !/\d/.test(m[1]!)) continue
    const parentSame = el.parent && isTag(el.parent) && texts.get(el.parent) === text ? el.parent : undefined
    if (parentSame && PRICE_NAME.test(attrText(parentSame))) continue // the parent is the one to read
    if (!PRICE_NAME.test(attrText(el)) && !parentSame) continue
    if (!PRICE_NAME.test(attrText(el)) && parentSame && !PRICE_NAME.test(attrText(parentSame))) continue
    // Not when an ancestor already shows this number with a currency.
    let p: AnyNode | null = el.parent
    let covered = false
    for (let i = 0; i < 4 && p && isTag(p); i++, p = p.parent) if ((tokensOf.get(p) ?? []).some((t) => digitsKey(t.raw) === digitsKey(m[1]!))) covered = true
    if (covered) continue
    raws.push({ el, token: { index: 0, end: text.length, raw: m[1]!.trim(), symbol: '', sign: undefined }, bare: true, range: false })
  }

  // Which elements hold a price (for repeated siblings), by parent and sibling signature.
  const holdsPrice = new Set<Element>()
  for (const r of raws) {
    let p: AnyNode | null = r.el
    for (let i = 0; i < 14 && p && isTag(p); i++, p = p.parent) holdsPrice.add(p)
  }
  const siblingCounts = new Map<Element | Document, Map<string, number>>()
  const signature = (el: Element) => `${el.name}.${(el.attribs.class ?? '').trim().split(/\s+/)[0] ?? ''}`
  const repeatedSiblings = (el: Element): boolean => {
    const parent = el.parent
    if (!parent || !('children' in parent)) return false
    let counts = siblingCounts.get(parent as Element)
    if (!counts) {
      counts = new Map()
      for (const c of (parent as Element).children) if (isTag(c) && holdsPrice.has(c)) counts.set(signature(c), (counts.get(signature(c)) ?? 0) + 1)
      siblingCounts.set(parent as Element, counts)
    }
    return (counts.get(signature(el)) ?? 0) >= 3
  }

  const otherProductCache = new Map<Element, boolean>()
  const isOtherProduct = (el: Element): boolean => {
    const seen: Element[] = []
    let result = false
    let p: AnyNode | null = el
    for (let i = 0; i < 16 && p && isTag(p); i++, p = p.parent) {
      const cached = otherProductCache.get(p)
      if (cached !== undefined) {
        result = cached
        break
      }
      seen.push(p)
      // The block that holds the product's title is the product's own.
      if (titleAncestors.has(p) && titleAncestors.get(p)! >= titlePath.length - 4) break
      const words = attrWords(p)
      if (words.some((w) => OTHER_PRODUCT_WORDS.has(w)) || OTHER_PRODUCT_PHRASE.test(attrText(p))) {
        result = true
        break
      }
    }
    for (const s of seen) otherProductCache.set(s, result)
    return result
  }

  const prices: VisiblePrice[] = []
  for (const r of raws) {
    const el = r.el
    const own = texts.get(el)!
    const cues = new Set<VisibleCue>()
    // What is written right before and right after the amount, in its element and its neighbours.
    // Cut at the neighbouring price: "UVP € 149,99 -21 % | € 119,01" — the "UVP" labels the 149,99.
    const before = afterLastPrice(clean(`${previousText(el, texts)} ${own.slice(0, r.token.index)}`)).slice(-40)
    const after = beforeFirstPrice(clean(`${own.slice(r.token.end)} ${nextText(el, texts)}`)).slice(0, 40)
    const ownRest = clean(`${own.slice(0, r.token.index)} ${own.slice(r.token.end)}`)
    const justBefore = before.slice(-28)
    const justAfter = after.slice(0, 24)
    if (r.token.sign === '-' || r.token.sign === '\u2212' || r.token.sign === '\u2013') cues.add('saving')
    if (r.token.sign === '+') cues.add('shipping')
    if (r.range) cues.add('range')
    if (LIST_LABEL.test(justBefore) || LIST_LABEL.test(justAfter.slice(0, 10))) cues.add('list')
    // A saving is labelled right before its amount ("Sie sparen 10 €", "Save $5") or signed ("-10 €"); a
    // "-20 %" badge or a "+0.52 (+0.44 %)" change next to a price does not make that price a saving.
    if (SAVING_LABEL.test(justBefore)) cues.add('saving')
    if (UNIT_LABEL.test(justAfter) || /(grundpreis|unit price|price per|prix au|precio por|\d\s?(?:kg|g|l|ml|m|m²|m2|lb|oz)\s?=\s?)$/i.test(justBefore) || (/^\s*\(/.test(own) && /\)\s*$/.test(own) && /\//.test(own))) cues.add('unit')
    if (INSTALMENT_LABEL.test(justBefore) || INSTALMENT_LABEL.test(justAfter) || /\b\d{1,2}\s?[x×]\s?$/i.test(justBefore)) cues.add('instalment')
    if (/(approx|approximately|\bca\.|\babout\b|≈|umgerechnet|environ|aprox)/i.test(justBefore)) cues.add('converted')
    if (FROM_LABEL.test(before)) cues.add('from')
    // "Versand: 4,95 €", "EUR 12.00 postage" — but not "119,01 € zzgl. Versand" (a note on the price itself).
    if (SHIPPING_LABEL.test(justBefore.slice(-20)) || (SHIPPING_LABEL.test(justAfter) && !SHIPPING_NOTE.test(justAfter))) cues.add('shipping')
    if (TOTAL_LABEL.test(justBefore.slice(-20))) cues.add('total')
    if (TAX_EXCLUDED_LABEL.test(justAfter) || TAX_EXCLUDED_LABEL.test(justBefore.slice(-16))) cues.add('taxExcluded')
    if (PAY_LABEL.test(justBefore)) cues.add('payLabel')
    // Names and markup of the element and its close ancestors.
    let p: AnyNode | null = el
    for (let i = 0; i < 4 && p && isTag(p); i++, p = p.parent) {
      if (p.name === 's' || p.name === 'del' || p.name === 'strike' || /line-through/i.test(p.attribs.style ?? '')) cues.add('list')
      // data-a-strike="true" and the like: markup that says the price is struck out.
      if (Object.entries(p.attribs).some(([k, v]) => /strike/i.test(k) && v === 'true')) cues.add('list')
      const attrs = attrText(p)
      if (attrs === '') continue
      if (LIST_NAME.test(attrs.replace(/([a-z])([A-Z])/g, '$1-$2'))) cues.add('list')
      if (i < 3 && PRICE_NAME.test(attrs)) cues.add('priceNamed')
      if (i < 3 && PAY_NAME.test(attrs.replace(/([a-z])([A-Z])/g, '$1-$2'))) cues.add('payNamed')
      if (/(ppu|per-?unit|unit-?price|price-?per|base-?price|grundpreis|baseprice|priceperunit|unitprice)/i.test(attrs)) cues.add('unit')
      if (/(instal|install|monthly|finance|financing|credit|klarna|emi)/i.test(attrs)) cues.add('instalment')
      if (/(shipping|delivery|postage|versand)/i.test(attrs)) cues.add('shipping')
    }
    if (isOtherProduct(el)) cues.add('otherProducts')
    // Chrome, links and repeated siblings, up to the block that holds the title.
    p = el
    for (let i = 0; i < 16 && p && isTag(p); i++, p = p.parent) {
      if (titleAncestors.has(p)) break
      if ((CHROME_TAGS.has(p.name) && isPageChrome(p)) || CHROME_ROLES.has(p.attribs.role ?? '')) cues.add('chrome')
      if (p.name === 'a' && p.attribs.href && !/^(#|javascript:)/i.test(p.attribs.href.trim())) cues.add('link')
      if (i > 0 && repeatedSiblings(p)) cues.add('repeated')
    }
    let titleLcaDepth = -1
    if (title) {
      let q: AnyNode | null = el
      while (q && isTag(q) && !titleAncestors.has(q)) q = q.parent
      titleLcaDepth = q && isTag(q) ? titleAncestors.get(q)! : 0
    }
    const symbol = r.bare ? undefined : r.token.symbol
    prices.push({
      raw: r.token.raw,
      symbol,
      currency: symbol === undefined ? undefined : currencyOfSymbol(symbol),
      text: own.replace(new RegExp(boundary, 'g'), ' ').replace(/\s+/g, ' ').trim().slice(0, 80),
      element: el,
      order: order.get(el) ?? 0,
      cues,
      titleLcaDepth,
    })
  }
  return { prices, title, titleText: title ? clean(texts.get(title) ?? '') : titleText, isOtherProduct }
}

/** A header or footer of the page, not of an article or a product card inside it; nav and aside always. */
function isPageChrome(el: Element): boolean {
  if (el.name === 'nav' || el.name === 'aside') return true
  let p: AnyNode | null = el.parent
  for (let i = 0; i < 32 && p && isTag(p); i++, p = p.parent) if (p.name === 'article' || p.name === 'section' || p.name === 'li') return false
  return true
}

function inPageChrome(el: Element): boolean {
  let p: AnyNode | null = el.parent
  for (let i = 0; i < 32 && p && isTag(p); i++, p = p.parent) {
    if ((CHROME_TAGS.has(p.name) && isPageChrome(p)) || CHROME_ROLES.has(p.attribs.role ?? '')) return true
  }
  return false
}

function clean(s: string): string {
  return s.replace(new RegExp(boundary, 'g'), ' ').replace(/\s+/g, ' ').trim()
}

/**
 * The text just before an element: its previous siblings' (up to 40 characters), else its parent's previous
 * siblings' when the element is its parent's first content ("UVP <span>€ 149,99</span>").
 */
function previousText(el: Element, texts: Map<Element, string>): string {
  return neighbourText(el, texts, 'prev')
}

function nextText(el: Element, texts: Map<Element, string>): string {
  return neighbourText(el, texts, 'next')
}

function neighbourText(el: Element, texts: Map<Element, string>, side: 'prev' | 'next'): string {
  let parts = ''
  let node: AnyNode = el
  for (let level = 0; level < 3 && parts.length < 40; level++) {
    let s = node[side]
    for (let i = 0; i < 6 && s && parts.length < 40; i++, s = s[side]) {
      const t = isText(s) ? s.data : isTag(s) && !skipTags.has(s.name) && !isHidden(s) ? (texts.get(s) ?? '') : ''
      const c = clean(t)
      if (c === '') continue
      parts = side === 'prev' ? `${c} ${parts}` : `${parts} ${c}`
    }
    // Up through inline parents only: text beyond a block is another line of the page.
    if (parts !== '' || !node.parent || !isTag(node.parent) || blockTags.has(node.parent.name)) break
    node = node.parent
  }
  const out = clean(parts)
  return side === 'prev' ? out.slice(-40) : out.slice(0, 40)
}

const TOKEN_ONE = new RegExp(TOKEN.source, 'u')

function afterLastPrice(text: string): string {
  let last = -1
  TOKEN.lastIndex = 0
  for (const m of text.matchAll(TOKEN)) last = m.index! + m[0].length
  return last < 0 ? text : text.slice(last)
}

function beforeFirstPrice(text: string): string {
  const m = TOKEN_ONE.exec(text)
  return m ? text.slice(0, m.index) : text
}

function ancestorsOf(el: Element): Element[] {
  const out: Element[] = []
  let p: AnyNode | null = el
  while (p && isTag(p)) {
    out.push(p)
    p = p.parent
  }
  return out
}

/**
 * Texts of every visible element (bottom-up, iterative), capped; document order; the h1s. A fraction
 * element right after digits gets a decimal mark; block children are fenced off with a boundary mark.
 */
function assembleTexts(root: Document, texts: Map<Element, string>, order: Map<Element, number>, h1s: Element[]): void {
  type Frame = { el: Element | Document; i: number; parts: string }
  const stack: Frame[] = [{ el: root, i: 0, parts: '' }]
  let n = 0
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!
    const children = frame.el.children
    if (frame.i < children.length) {
      const child = children[frame.i++]!
      if (isText(child)) {
        if (frame.parts.length < maxTextChars) frame.parts += foldDigits(child.data.replace(/[\s\u00a0]+/g, (w) => (w.includes('\u00a0') && w.length === 1 ? '\u00a0' : ' ')))
        continue
      }
      if (!isTag(child) || skipTags.has(child.name) || isHidden(child)) continue
      if (child.name === 'h1') h1s.push(child)
      order.set(child, n++)
      stack.push({ el: child, i: 0, parts: '' })
      continue
    }
    stack.pop()
    if (!isTag(frame.el)) continue
    let text = normalizeJoins(frame.parts.replace(/ {2,}/g, ' '))
    if (text.length > maxTextChars) text = text.slice(0, maxTextChars)
    texts.set(frame.el, text)
    const parent = stack[stack.length - 1]
    if (!parent || parent.parts.length >= maxTextChars) continue
    const el = frame.el
    const trimmed = text.trim()
    const head = parent.parts.trimEnd()
    const lastNumber = /[\d.,]+$/.exec(head)?.[0] ?? ''
    if (isFractionElement(el) && /^\d{1,2}$/.test(trimmed) && /\d$/.test(head) && !/[.,]\d{1,2}$/.test(lastNumber)) {
      // "29" + <sup>99</sup>: the fraction of the number before it ("1.299" + "99" -> "1.299,99").
      parent.parts = head + (lastNumber.includes('.') ? ',' : '.') + trimmed
    } else if (blockTags.has(el.name) && !isCurrencyOnly(trimmed)) {
      parent.parts += `${boundary}${text}${boundary}`
    } else if (/\d$/.test(parent.parts) && /^\d/.test(text)) {
      // Two numbers in two elements are two numbers ("2.449" + "15% OFF"), not one.
      parent.parts += ` ${text}`
    } else {
      parent.parts += text
    }
  }
}

const currencyOnly = new RegExp(`^${CUR}$`, 'u')
function isCurrencyOnly(text: string): boolean {
  return text.length <= 6 && currencyOnly.test(text)
}

/** "29. 99" / "29 ,99" / a number cut by a block boundary before its fraction: one number again. */
function normalizeJoins(text: string): string {
  if (text.length > maxTextChars || !/\d/.test(text)) return text
  return text
    .replace(new RegExp(`(\\d[.,])[ ${boundary}]+(\\d{1,2})(?![\\d.,])`, 'gu'), '$1$2')
    .replace(new RegExp(`(\\d)[ ${boundary}]+([.,]\\d{1,2})(?![\\d])`, 'gu'), '$1$2')
}

function pageTitle($: CheerioAPI): string | undefined {
  const og = $('meta[property="og:title"]').attr('content')
  const t = og ?? $('title').first().text()
  return t && t.trim() !== '' ? t.trim().slice(0, 300) : undefined
}

function titleWords(text: string): string[] {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 1)
}

/**
 * The h1 that names the page's product: the one sharing most words with og:title / <title>, else the first
 * with text. An h1 in the page's header or navigation (a logo) is not a title unless it shares words with
 * the page's title.
 */
function chooseTitle(h1s: readonly Element[], texts: Map<Element, string>, pageTitleText: string | undefined): Element | undefined {
  const want = new Set(titleWords(pageTitleText ?? ''))
  const shares = (h: Element) => titleWords(clean(texts.get(h) ?? '')).some((w) => want.has(w))
  const withText = h1s.filter((h) => {
    const t = clean(texts.get(h) ?? '')
    if (t.length < 3 || t.length > 300 || !/\p{L}/u.test(t)) return false
    return !inPageChrome(h) || shares(h)
  })
  if (withText.length <= 1 || !pageTitleText) return withText[0]
  let best = withText[0]!
  let bestScore = -1
  for (const h of withText) {
    const words = titleWords(clean(texts.get(h) ?? ''))
    const score = words.length === 0 ? 0 : words.filter((w) => want.has(w)).length / words.length + words.filter((w) => want.has(w)).length / 100
    if (score > bestScore) {
      bestScore = score
      best = h
    }
  }
  return best
}
