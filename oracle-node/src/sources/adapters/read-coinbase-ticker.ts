/**
 * Coinbase Exchange `GET https://api.exchange.coinbase.com/products/{product}/ticker`:
 * `{ "ask": "6267.71", "bid": "6265.15", "volume": "53602.03940154", "trade_id": 86326522,
 *    "price": "6268.48", "size": "0.00698254", "time": "2020-03-20T00:22:57.833897Z" }`.
 * Prices are strings in the quote currency (the product's second half: BTC-USD -> USD). An unknown product
 * answers `{ "message": "NotFound" }`.
 */
import { apiFailure, objectAt, own, type ApiValue } from './api-value.ts'
import { jsonDecimalText } from '../extract-json.ts'

export type ReadCoinbaseTickerParameters = { document: unknown; product: string; field: 'price' | 'bid' | 'ask' }

export function readCoinbaseTicker({ document, product, field }: ReadCoinbaseTickerParameters): ApiValue {
  const doc = objectAt(document)
  if (!doc) return apiFailure('shape', 'expected a JSON object')
  const message = own(doc, 'message')
  if (typeof message === 'string' && own(doc, 'price') === undefined) return apiFailure('provider_error', `Coinbase: ${message}`)
  const raw = own(doc, field)
  if (raw === undefined) return apiFailure('not_found', `no "${field}" in the ticker`)
  const decimal = jsonDecimalText(raw)
  if (decimal === undefined) return apiFailure('not_a_number', `"${field}" is not a decimal number`)
  const time = own(doc, 'time')
  return { ok: true, decimal, unit: product.split('-')[1], evidence: `Coinbase ${product} ticker.${field}${typeof time === 'string' ? ` at ${time.slice(0, 40)}` : ''}` }
}
