/**
 * Decimal strings to fixed-point integers, without floats: what a node signs and compares on-chain is an
 * integer (house style 8), so "1.234,56" with 2 decimals becomes 123456n by string arithmetic alone.
 */

export type NumberStyle =
  /**
   * schema.org / JSON values: "." is the decimal point; a lone "," before 1–2 digits is taken as one too. With
   * `minorDigits: 0` (CLP, JPY...) a lone "." before exactly three digits groups thousands ("24.990" CLP).
   */
  | 'machine'
  /**
   * Text shown to people: "1.234,56", "1,234.56", "1 234,56", "1'234.50", "29,-", "5.000" (a lone separator
   * before exactly three digits groups thousands, unless the currency has three minor digits: KWD 24.990).
   */
  | 'visible'

export type NormalizeDecimalOptions = {
  /** Digits after the decimal mark in the currency, when known (CLP 0, EUR 2, KWD 3). */
  minorDigits?: number | undefined
}

/**
 * Normalises a number as written on a page to a plain decimal string ("-1234.56"), or undefined when the text
 * is not one number.
 */
export function normalizeDecimal(text: string, style: NumberStyle, options: NormalizeDecimalOptions = {}): string | undefined {
  const { minorDigits } = options
  let s = text
    .trim()
    .replace(/[\s\u00a0\u202f\u2009'\u2019]/g, '')
    // "29,-" / "29.–": a whole amount.
    .replace(/[.,][-\u2013\u2014]{1,2}$/, '')
  let sign = ''
  if (s.startsWith('-') || s.startsWith('\u2212')) {
    sign = '-'
    s = s.slice(1)
  }
  if (!/^\d[\d.,]*$/.test(s) || /[.,]$/.test(s)) return undefined
  const dots = (s.match(/\./g) ?? []).length
  const commas = (s.match(/,/g) ?? []).length
  let intPart: string
  let fracPart = ''
  if (dots > 0 && commas > 0) {
    // Both: the last one is the decimal separator.
    const decimal = s.lastIndexOf('.') > s.lastIndexOf(',') ? '.' : ','
    const group = decimal === '.' ? ',' : '.'
    const [i, f] = s.split(decimal) as [string, string | undefined]
    if (f === undefined || s.split(decimal).length !== 2 || f.includes(group)) return undefined
    if (!isGrouped(i, group)) return undefined
    intPart = i.split(group).join('')
    fracPart = f
  } else if (dots + commas === 0) {
    intPart = s
  } else {
    const sep = dots > 0 ? '.' : ','
    const parts = s.split(sep)
    if (parts.length > 2) {
      if (!isGrouped(s, sep)) return undefined
      intPart = parts.join('')
    } else {
      const [i, f] = parts as [string, string]
      const lonePointIsDecimal =
        f.length !== 3 || /^0+$/.test(i)
          ? true
          : style === 'machine'
            ? sep === '.' && minorDigits !== 0
            : minorDigits === 3
      if (lonePointIsDecimal) {
        intPart = i
        fracPart = f
      } else {
        intPart = i + f
      }
    }
  }
  intPart = intPart.replace(/^0+(?=\d)/, '')
  return fracPart === '' ? `${sign}${intPart}` : `${sign}${intPart}.${fracPart}`
}

/** "1.234.567" style grouping: first group 1–3 digits, then groups of exactly 3. */
function isGrouped(s: string, sep: string): boolean {
  const groups = s.split(sep)
  return /^\d{1,3}$/.test(groups[0]!) && groups.slice(1).every((g) => /^\d{3}$/.test(g))
}

/**
 * A plain decimal string ("-12.345") as an integer in units of 10^-decimals. More fraction digits than
 * `decimals` are rounded half away from zero, by string arithmetic.
 */
export function decimalToFixedPoint(decimal: string, decimals: number): bigint {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(decimal.trim())
  if (!m) throw new RangeError(`not a decimal number: "${decimal}"`)
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 77) throw new RangeError(`bad decimals: ${decimals}`)
  const [, sign, whole, frac = ''] = m
  const kept = frac.slice(0, decimals).padEnd(decimals, '0')
  let value = BigInt(whole! + kept)
  const next = frac.charCodeAt(decimals)
  if (!Number.isNaN(next) && next >= 53 /* '5' */) value += 1n
  return sign === '-' && value !== 0n ? -value : value
}
