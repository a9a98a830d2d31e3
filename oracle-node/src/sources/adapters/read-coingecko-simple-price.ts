/**
 * CoinGecko `GET https://api.coingecko.com/api/v3/simple/price?ids=bitcoin&vs_currencies=usd`
 * (`&include_last_updated_at=true` adds `last_updated_at`, unix seconds):
 * `{ "bitcoin": { "usd": 67187.33, "last_updated_at": 1711356300 } }`. Prices are JSON numbers: read as the
 * shortest decimal that round-trips (exact for up to 15 significant digits; see extract-json.ts). An unknown
 * id answers `{}`; rate limits answer `{ "status": { "error_code": 429, "error_message": "..." } }`.
 */
import { apiFailure, objectAt, own, type ApiValue } from './api-value.ts'
import { jsonDecimalText } from '../extract-json.ts'

export type ReadCoingeckoSimplePriceParameters = { document: unknown; coinId: string; vsCurrency: string }

export function readCoingeckoSimplePrice({ document, coinId, vsCurrency }: ReadCoingeckoSimplePriceParameters): ApiValue {
  const doc = objectAt(document)
  if (!doc) return apiFailure('shape', 'expected a JSON object')
  const status = objectAt(own(doc, 'status'))
  if (status && own(status, 'error_code') !== undefined) return apiFailure('provider_error', `CoinGecko ${String(own(status, 'error_code'))}: ${String(own(status, 'error_message') ?? '')}`)
  const coin = objectAt(own(doc, coinId))
  if (!coin) return apiFailure('not_found', `no "${coinId}" in the answer`)
  const raw = own(coin, vsCurrency)
  if (raw === undefined) return apiFailure('not_found', `no "${coinId}.${vsCurrency}" in the answer`)
  const decimal = jsonDecimalText(raw)
  if (decimal === undefined) return apiFailure('not_a_number', `"${coinId}.${vsCurrency}" is not a decimal number`)
  const updated = own(coin, 'last_updated_at')
  const at = typeof updated === 'number' && Number.isFinite(updated) ? ` at ${new Date(updated * 1000).toISOString()}` : ''
  return { ok: true, decimal, unit: vsCurrency.toUpperCase(), evidence: `CoinGecko ${coinId}/${vsCurrency}${at}` }
}
