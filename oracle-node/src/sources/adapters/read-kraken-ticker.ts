/**
 * Kraken `GET https://api.kraken.com/0/public/Ticker?pair=XBTUSD`:
 * `{ "error": [], "result": { "XXBTZUSD": { "a": ["30300.10000","1","1.000"], "b": ["30300.00000","1","1.000"],
 *    "c": ["30303.20000","0.00067643"], "v": [...], "p": ["30706.77771","30689.13205"], "t": [...], "l": [...],
 *    "h": [...], "o": "30502.80000" } } }`.
 * a = ask, b = bid, c = last trade closed, p = volume-weighted average (today, last 24 h); each array's first
 * element is the price, a string. Kraken answers under its own pair name ("XXBTZUSD" for "XBTUSD"): a
 * one-pair answer is read whatever its key, several pairs only by the exact key. Errors come in `error`.
 */
import { apiFailure, objectAt, own, type ApiValue } from './api-value.ts'
import { jsonDecimalText } from '../extract-json.ts'

export type ReadKrakenTickerParameters = { document: unknown; pair: string; quote: string; field: 'last' | 'bid' | 'ask' | 'vwap24h' }

const fieldKeys = { last: ['c', 0], bid: ['b', 0], ask: ['a', 0], vwap24h: ['p', 1] } as const

export function readKrakenTicker({ document, pair, quote, field }: ReadKrakenTickerParameters): ApiValue {
  const doc = objectAt(document)
  if (!doc) return apiFailure('shape', 'expected a JSON object')
  const errors = own(doc, 'error')
  if (Array.isArray(errors) && errors.length > 0) return apiFailure('provider_error', `Kraken: ${errors.slice(0, 3).map(String).join('; ')}`)
  const result = objectAt(own(doc, 'result'))
  if (!result) return apiFailure('shape', 'no "result" object')
  const keys = Object.keys(result).slice(0, 1000)
  const key = keys.length === 1 ? keys[0]! : keys.find((k) => k === pair)
  if (key === undefined) return apiFailure('not_found', `no pair ${pair} in the answer (${keys.slice(0, 5).join(', ')})`)
  const ticker = objectAt(own(result, key))
  const [letter, index] = fieldKeys[field]
  const entry = own(ticker, letter)
  const raw = Array.isArray(entry) ? entry[index] : undefined
  const decimal = jsonDecimalText(raw)
  if (decimal === undefined) return apiFailure(raw === undefined ? 'not_found' : 'not_a_number', `no decimal at result.${key}.${letter}[${index}]`)
  return { ok: true, decimal, unit: quote.toUpperCase(), evidence: `Kraken ${key} ${field}` }
}
