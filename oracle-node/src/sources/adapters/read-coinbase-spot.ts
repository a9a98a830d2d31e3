/**
 * Coinbase `GET https://api.coinbase.com/v2/prices/{product}/spot`:
 * `{ "data": { "base": "BTC", "currency": "USD", "amount": "43210.12" } }`; errors as
 * `{ "errors": [{ "id": "not_found", "message": "Invalid currency" }] }`. The answer's own base and currency
 * must be the product asked for.
 */
import { apiFailure, objectAt, own, type ApiValue } from './api-value.ts'
import { jsonDecimalText } from '../extract-json.ts'

export type ReadCoinbaseSpotParameters = { document: unknown; product: string }

export function readCoinbaseSpot({ document, product }: ReadCoinbaseSpotParameters): ApiValue {
  const doc = objectAt(document)
  if (!doc) return apiFailure('shape', 'expected a JSON object')
  const errors = own(doc, 'errors')
  if (Array.isArray(errors) && errors.length > 0) {
    const first = objectAt(errors[0])
    return apiFailure('provider_error', `Coinbase: ${String(own(first, 'message') ?? own(first, 'id') ?? 'error')}`)
  }
  const data = objectAt(own(doc, 'data'))
  if (!data) return apiFailure('shape', 'no "data" object')
  const [base, quote] = product.split('-') as [string, string]
  const gotBase = own(data, 'base')
  const gotQuote = own(data, 'currency')
  if ((typeof gotBase === 'string' && gotBase.toUpperCase() !== base) || (typeof gotQuote === 'string' && gotQuote.toUpperCase() !== quote)) {
    return apiFailure('not_found', `the answer is for ${String(gotBase)}-${String(gotQuote)}, not ${product}`)
  }
  const decimal = jsonDecimalText(own(data, 'amount'))
  if (decimal === undefined) return apiFailure('not_a_number', '"data.amount" is not a decimal number')
  return { ok: true, decimal, unit: quote, evidence: `Coinbase ${product} spot` }
}
