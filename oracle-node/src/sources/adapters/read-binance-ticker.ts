/**
 * Binance `GET https://api.binance.com/api/v3/ticker/price?symbol=BTCUSDT` -> `{ "symbol": "BTCUSDT",
 * "price": "43210.12000000" }`; `/ticker/24hr` -> `{ "symbol", "lastPrice", "bidPrice", "askPrice",
 * "weightedAvgPrice", ... }`; `/ticker/bookTicker` -> `{ "symbol", "bidPrice", "askPrice", ... }`. Errors
 * as `{ "code": -1121, "msg": "Invalid symbol." }`. The answer's symbol must be the one asked for; an array
 * answer (all symbols) is searched for it (at most 5 000 entries).
 */
import { apiFailure, objectAt, own, type ApiValue } from './api-value.ts'
import { jsonDecimalText } from '../extract-json.ts'

export type ReadBinanceTickerParameters = { document: unknown; symbol: string; quote: string; field: 'last' | 'bid' | 'ask' }

export function readBinanceTicker({ document, symbol, quote, field }: ReadBinanceTickerParameters): ApiValue {
  let doc = objectAt(document)
  if (Array.isArray(document)) doc = document.slice(0, 5000).map(objectAt).find((o) => own(o, 'symbol') === symbol)
  if (!doc) return Array.isArray(document) ? apiFailure('not_found', `no ${symbol} in the list`) : apiFailure('shape', 'expected a JSON object')
  const code = own(doc, 'code')
  if (typeof code === 'number' && own(doc, 'msg') !== undefined) return apiFailure('provider_error', `Binance ${code}: ${String(own(doc, 'msg'))}`)
  const got = own(doc, 'symbol')
  if (got !== symbol) return apiFailure('not_found', `the answer is for ${String(got)}, not ${symbol}`)
  const keys = field === 'last' ? ['price', 'lastPrice'] : field === 'bid' ? ['bidPrice'] : ['askPrice']
  const key = keys.find((k) => own(doc, k) !== undefined)
  if (key === undefined) return apiFailure('not_found', `no ${keys.join(' / ')} in the answer`)
  const decimal = jsonDecimalText(own(doc, key))
  if (decimal === undefined) return apiFailure('not_a_number', `"${key}" is not a decimal number`)
  return { ok: true, decimal, unit: quote.toUpperCase(), evidence: `Binance ${symbol} ${key}` }
}
