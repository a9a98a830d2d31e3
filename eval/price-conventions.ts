/**
 * The annotated price of a product page, read in the page's own conventions.
 *
 * Some annotations of product_price_html keep the page's separator: a Chilean page shows "$24.990"
 * (24 990 pesos: '.' groups thousands there) and the annotation says "24.99" (the same characters read with
 * '.' as a decimal point, trailing zeros dropped). Compared literally, a reader that reads the page right
 * would be counted wrong, and one that misreads it would be counted right. So the harness finds these rows
 * and scores them in their own column, against the amount the page shows in its conventions — never
 * silently as hits or misses.
 *
 * A row is such a row when, independently of the reader under test:
 * 1. the page's visible text shows B = A × 1000^k (k = 1, 2) written with '.' groups and no decimals
 *    ("24.990", "5.000", "1.250.000"), as a number on its own;
 * 2. the page does not show A itself next to a currency ("$24.99", "24,99 €", "$5");
 * 3. the currency (annotated, else the domain's country) has fewer than three minor digits — in KWD
 *    "24.990" is 24.99 and the annotation is right as written.
 * Then the page's conventions say B, and the row is scored against B in the locale column.
 */
import { parseHtml } from '@sibyl/oracle-node/sources/parse-html'

export type AnnotationInPageConventions = {
  /** The amount to compare with, as a plain decimal string. */
  gold: string
  /** True when the annotation kept the page's separator and `gold` is the page's reading of it. */
  keptPageSeparator: boolean
  /** The page's text that decided it ("24.990"), when keptPageSeparator. */
  shown?: string
}

const threeMinorDigits = new Set(['KWD', 'BHD', 'OMR', 'JOD', 'TND', 'LYD', 'IQD', 'د.ك', 'د.ب', 'ر.ع.'])
const threeMinorDigitTlds = new Set(['kw', 'bh', 'om', 'jo', 'tn', 'ly', 'iq'])
const CURRENCY = String.raw`(?:[$€£¥₹₽₩₪₫₱฿₺₴]|R\$|Rs\.?|zł|kr|Kč|Ft|lei|[A-Z]{3})`

export function readAnnotationInPageConventions(parameters: { annotation: string; html: string; url: string; currency: string | null | undefined }): AnnotationInPageConventions {
  const { annotation, html, url, currency } = parameters
  const literal = { gold: annotation, keptPageSeparator: false }
  const m = /^(\d+)(?:\.(\d{1,3}))?$/.exec(annotation.trim())
  if (!m) return literal
  if (currency && threeMinorDigits.has(currency.trim())) return literal
  if (threeMinorDigitTlds.has(tldOf(url))) return literal
  const text = visibleText(html)
  if (shownAsPrice(text, m[1]!, m[2])) return literal
  for (const k of [1, 2]) {
    const b = scale(m[1]!, m[2] ?? '', 3 * k)
    if (b === undefined || b.length <= 3 * k) continue
    const grouped = group(b)
    if (new RegExp(`(?<![\\d.,])${grouped.replace(/\./g, '\\.')}(?![\\d]|[.,]\\d)`).test(text)) {
      return { gold: b, keptPageSeparator: true, shown: grouped }
    }
  }
  return literal
}

/** "24" + "99" scaled by 10^3 -> "24990"; undefined when the fraction has more digits than the shift. */
function scale(int: string, frac: string, digits: number): string | undefined {
  if (frac.length > digits) return undefined
  return `${int}${frac.padEnd(digits, '0')}`.replace(/^0+(?=\d)/, '')
}

/** "24990" -> "24.990"; "1250000" -> "1.250.000". */
function group(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, '.')
}

/** The annotation written next to a currency, in its own form ("24.99", "24,99", "5", "5.00", "5,00"). */
function shownAsPrice(text: string, int: string, frac: string | undefined): boolean {
  const two = (frac ?? '').padEnd(2, '0').slice(0, 2)
  const forms = new Set([frac ? `${int}.${frac}` : int, frac ? `${int},${frac}` : int, `${int}.${two}`, `${int},${two}`])
  for (const f of forms) {
    const n = f.replace(/[.]/g, '\\.')
    if (new RegExp(`${CURRENCY}\\s?${n}(?![\\d]|[.,]\\d)|(?<![\\d.,])${n}\\s?${CURRENCY}`, 'u').test(text)) return true
  }
  return false
}

function tldOf(url: string): string {
  try {
    return new URL(url).hostname.split('.').pop() ?? ''
  } catch {
    return ''
  }
}

/** The page's text outside scripts and styles (bounded parse, iterative walk). */
function visibleText(html: string): string {
  // Nodes as the parser builds them: text has `data`; elements ('tag'; scripts and styles have their own
  // types and are skipped) have `children`.
  type Node = { type: string; name?: string; data?: string; children?: Node[] }
  const { root } = parseHtml(html)
  const parts: string[] = []
  const stack: Node[] = [...(root.children as unknown as Node[])].reverse()
  let chars = 0
  while (stack.length > 0 && chars < 2_000_000) {
    const node = stack.pop()!
    if (node.type === 'text' && node.data !== undefined) {
      parts.push(node.data)
      chars += node.data.length
    } else if (node.type === 'tag' && node.children && !['noscript', 'template', 'head'].includes(node.name ?? '')) {
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!)
      parts.push(' ')
    }
  }
  return parts.join('').replace(/[\s\u00a0]+/g, ' ')
}
