/**
 * What a price reader must know about money as pages write it: currency symbols (Latin and not: ₪, 원,
 * NT$, ر.س, 円), ISO codes, how many minor digits each currency has (CLP none, KWD three), and which
 * country a domain or a language tag points to, with the currency and decimal mark it uses.
 *
 * The tables are data, not tuning: ISO 4217 minor units as shops display them (a few currencies whose
 * official minor unit nobody shows, such as COP or HUF, are listed as shown), and CLDR's decimal marks.
 */

/** ISO 4217 code -> digits after the decimal mark as prices are shown. Absent: 2. */
const minorDigitsByCode: Readonly<Record<string, number>> = {
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  BIF: 0, CLP: 0, COP: 0, DJF: 0, GNF: 0, HUF: 0, IDR: 0, IRR: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, LAK: 0,
  MGA: 0, PYG: 0, RWF: 0, TWD: 0, UGX: 0, UZS: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
}

export function minorDigitsOf(code: string | undefined): number | undefined {
  if (code === undefined || !/^[A-Z]{3}$/.test(code)) return undefined
  return minorDigitsByCode[code] ?? 2
}

/** ISO codes a page may print next to a number ("EUR 25.00", "25,00 PLN"). */
export const currencyCodes: ReadonlySet<string> = new Set(
  (
    'USD EUR GBP JPY CNY RMB KRW INR PKR LKR NPR BDT IDR MYR SGD THB VND PHP HKD TWD AUD NZD CAD MXN BRL ARS CLP COP PEN ' +
    'UYU PYG BOB VES CRC GTQ DOP CHF SEK NOK DKK ISK PLN CZK HUF RON BGN HRK RSD UAH RUB BYN KZT GEL AZN AMD TRY ILS ' +
    'AED SAR QAR KWD BHD OMR JOD EGP MAD TND DZD LYD IQD NGN KES GHS ZAR ETB TZS UGX XOF XAF'
  ).split(' '),
)

/**
 * Symbols and local abbreviations -> ISO code; undefined where the symbol alone does not say ($, ¥, kr, Rs),
 * and the page's country decides. Longer entries first when matching (NT$ before $).
 */
export const currencySymbols: ReadonlyArray<readonly [string, string | undefined]> = [
  ['€', 'EUR'], ['£', 'GBP'], ['₹', 'INR'], ['₽', 'RUB'], ['₴', 'UAH'], ['₩', 'KRW'], ['원', 'KRW'], ['₺', 'TRY'],
  ['₪', 'ILS'], ['ש"ח', 'ILS'], ['₫', 'VND'], ['đ', 'VND'], ['₱', 'PHP'], ['฿', 'THB'], ['₦', 'NGN'], ['₸', 'KZT'], ['₾', 'GEL'],
  ['₼', 'AZN'], ['₡', 'CRC'], ['₲', 'PYG'], ['₭', 'LAK'], ['৳', 'BDT'], ['₮', 'MNT'], ['円', 'JPY'], ['元', 'CNY'],
  ['¥', undefined], ['￥', undefined], ['$', undefined], ['＄', undefined], ['zł', 'PLN'], ['Kč', 'CZK'], ['Ft', 'HUF'], ['lei', 'RON'],
  ['лв.', 'BGN'], ['лв', 'BGN'], ['руб.', 'RUB'], ['руб', 'RUB'], ['₽.', 'RUB'], ['грн.', 'UAH'], ['грн', 'UAH'], ['kn', 'HRK'],
  ['kr.', undefined], ['kr', undefined], [':-', 'SEK'], ['Rs.', undefined], ['Rs', undefined], ['R$', 'BRL'], ['NT$', 'TWD'],
  ['HK$', 'HKD'], ['S$', 'SGD'], ['A$', 'AUD'], ['AU$', 'AUD'], ['C$', 'CAD'], ['CA$', 'CAD'], ['US$', 'USD'], ['U$S', 'USD'],
  ['NZ$', 'NZD'], ['MX$', 'MXN'], ['RD$', 'DOP'], ['COL$', 'COP'], ['CLP$', 'CLP'], ['RM', 'MYR'], ['Rp', 'IDR'], ['Rp.', 'IDR'],
  ['Fr.', 'CHF'], ['ر.س', 'SAR'], ['ر.س.', 'SAR'], ['د.إ', 'AED'], ['د.ك', 'KWD'], ['ر.ق', 'QAR'], ['ر.ع.', 'OMR'], ['د.ب', 'BHD'],
  ['ج.م', 'EGP'], ['د.م.', 'MAD'], ['S/.', 'PEN'], ['S/', 'PEN'], ['Bs.', undefined], ['Bs', undefined], ['TL', 'TRY'],
  ['KSh', 'KES'], ['GH₵', 'GHS'], ['₵', 'GHS'], ['сум', 'UZS'], ['ден', 'MKD'], ['din.', 'RSD'], ['дин.', 'RSD'], ['KM', 'BAM'],
  ['Lek', 'ALL'], ['֏', 'AMD'], ['Euro', 'EUR'], ['Euros', 'EUR'], ['euro', 'EUR'], ['euros', 'EUR'], ['Eur', 'EUR'], ['Lei', 'RON'],
]

/** What a country's pages use: its currency and its decimal mark. */
type CountryMoney = { currency: string; decimalMark: '.' | ',' }

const countries: Readonly<Record<string, CountryMoney>> = (() => {
  const out: Record<string, CountryMoney> = {}
  const add = (codes: string, currency: string, decimalMark: '.' | ',') => {
    for (const c of codes.split(' ')) out[c] = { currency, decimalMark }
  }
  add('de at fr es it pt nl be fi gr sk si ee lv lt lu cy hr', 'EUR', ',')
  add('ie mt', 'EUR', '.')
  add('us ec sv pr', 'USD', '.')
  add('gb uk', 'GBP', '.')
  add('ch li', 'CHF', '.')
  add('cl', 'CLP', ',')
  add('ar', 'ARS', ',')
  add('co', 'COP', ',')
  add('uy', 'UYU', ',')
  add('py', 'PYG', ',')
  add('ve', 'VES', ',')
  add('bo', 'BOB', ',')
  add('br', 'BRL', ',')
  add('mx', 'MXN', '.')
  add('pe', 'PEN', '.')
  add('gt', 'GTQ', '.')
  add('do', 'DOP', '.')
  add('cr', 'CRC', ',')
  add('pk', 'PKR', '.')
  add('in', 'INR', '.')
  add('lk', 'LKR', '.')
  add('np', 'NPR', '.')
  add('bd', 'BDT', '.')
  add('pl', 'PLN', ',')
  add('cz', 'CZK', ',')
  add('hu', 'HUF', ',')
  add('ro', 'RON', ',')
  add('bg', 'BGN', ',')
  add('rs', 'RSD', ',')
  add('se', 'SEK', ',')
  add('no', 'NOK', ',')
  add('dk', 'DKK', ',')
  add('is', 'ISK', ',')
  add('ru', 'RUB', ',')
  add('ua', 'UAH', ',')
  add('by', 'BYN', ',')
  add('kz', 'KZT', ',')
  add('tr', 'TRY', ',')
  add('il', 'ILS', '.')
  add('ae', 'AED', '.')
  add('sa', 'SAR', '.')
  add('qa', 'QAR', '.')
  add('kw', 'KWD', '.')
  add('bh', 'BHD', '.')
  add('om', 'OMR', '.')
  add('jo', 'JOD', '.')
  add('eg', 'EGP', '.')
  add('ma', 'MAD', ',')
  add('tn', 'TND', ',')
  add('ng', 'NGN', '.')
  add('ke', 'KES', '.')
  add('gh', 'GHS', '.')
  add('za', 'ZAR', '.')
  add('jp', 'JPY', '.')
  add('kr', 'KRW', '.')
  add('cn', 'CNY', '.')
  add('tw', 'TWD', '.')
  add('hk', 'HKD', '.')
  add('sg', 'SGD', '.')
  add('my', 'MYR', '.')
  add('th', 'THB', '.')
  add('vn', 'VND', ',')
  add('id', 'IDR', ',')
  add('ph', 'PHP', '.')
  add('au', 'AUD', '.')
  add('nz', 'NZD', '.')
  add('ca', 'CAD', '.')
  return out
})()

/** Languages whose decimal mark is "," (CLDR); the rest of the languages a shop is written in use ".". */
const commaLanguages = new Set(
  'de fr es it pt nl fi sv da nb nn no is pl cs sk sl hr sr bs hu ro bg ru uk be lt lv et el tr az ka kk id vi'.split(' '),
)
/** Regions whose Spanish / English / French uses "." where the language usually uses "," (or the other way). */
const dotRegionsOfCommaLanguages = new Set(['mx', 'us', 'pr', 'pe', 'gt', 'do', 'ch', 'li'])

export type CountryInfo = { country: string; currency: string; decimalMark: '.' | ',' }

/** The country of a host name's top-level domain ("www.falabella.cl", "amazon.co.uk"), if it names one. */
export function countryOfHost(host: string): CountryInfo | undefined {
  const tld = host.toLowerCase().replace(/\.$/, '').split('.').pop() ?? ''
  const money = countries[tld]
  return money ? { country: tld === 'uk' ? 'gb' : tld, ...money } : undefined
}

/** Reads a language tag ("es-CL", "pt_BR", "de"): its language, region and decimal mark. */
export function readLanguageTag(tag: string): { language: string; region: string | undefined; decimalMark: '.' | ',' } | undefined {
  const m = /^([a-z]{2,3})(?:[-_]([a-z]{2}))?\b/i.exec(tag.trim())
  if (!m) return undefined
  const language = m[1]!.toLowerCase()
  const region = m[2]?.toLowerCase()
  let decimalMark: '.' | ',' = commaLanguages.has(language) ? ',' : '.'
  if (region !== undefined && dotRegionsOfCommaLanguages.has(region)) decimalMark = '.'
  return { language, region, decimalMark }
}

/** The currency and decimal mark of a region code ("cl"), if known. */
export function countryMoney(region: string): CountryInfo | undefined {
  const money = countries[region.toLowerCase()]
  return money ? { country: region.toLowerCase(), ...money } : undefined
}

/** Folds the digits and separators of other scripts (Arabic-Indic, Persian, fullwidth) to ASCII, one code unit for one. */
export function foldDigits(text: string): string {
  return text.replace(/[\u0660-\u0669\u06f0-\u06f9\uff10-\uff19\u066b\u066c\uff0c\uff0e]/g, (c) => {
    const code = c.charCodeAt(0)
    if (code >= 0x0660 && code <= 0x0669) return String(code - 0x0660)
    if (code >= 0x06f0 && code <= 0x06f9) return String(code - 0x06f0)
    if (code >= 0xff10 && code <= 0xff19) return String(code - 0xff10)
    if (c === '\u066b' || c === '\uff0e') return '.'
    return ','
  })
}

/** A symbol or code as printed -> ISO code, or undefined when it does not say which currency. */
export function currencyOfSymbol(symbol: string): string | undefined {
  const s = symbol.trim()
  if (currencyCodes.has(s.toUpperCase()) && /^[A-Z]{3}$/.test(s)) return s === 'RMB' ? 'CNY' : s
  for (const [text, code] of currencySymbols) if (text === s) return code
  return undefined
}
