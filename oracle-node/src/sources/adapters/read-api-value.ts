/**
 * The number a JSON source gives, read the way its spec says: by a named adapter for a known provider
 * (Coinbase, Kraken, Binance, CoinGecko), else — the fallback for any other provider — the value its
 * `jsonPath` selected (read-source.ts applies the path), scaled by `valueDecimals` when the provider
 * publishes integers in minor units. The result is a plain decimal string with its unit; the caller turns
 * it into fixed point with the decimals it compares at. Like Chainlink's external adapters, but inside
 * the node, so the value a node signs comes from the same observation as the bytes it hashes.
 */
import type { SourceSpec } from '@sibyl/protocol/question-spec'
import { sourceUnit } from '@sibyl/protocol/question-spec'
import { jsonDecimalText } from '../extract-json.ts'
import { apiFailure, type ApiValue } from './api-value.ts'
import { readBinanceTicker } from './read-binance-ticker.ts'
import { readCoinbaseSpot } from './read-coinbase-spot.ts'
import { readCoinbaseTicker } from './read-coinbase-ticker.ts'
import { readCoingeckoSimplePrice } from './read-coingecko-simple-price.ts'
import { readKrakenTicker } from './read-kraken-ticker.ts'

export type ReadApiValueParameters = {
  source: Pick<SourceSpec, 'adapter' | 'jsonPath' | 'unit' | 'valueDecimals'>
  /** The parsed JSON: the whole document for an adapter, the value at jsonPath otherwise (as read-source.ts returns it). */
  value: unknown
}

export function readApiValue({ source, value }: ReadApiValueParameters): ApiValue {
  const adapter = source.adapter
  if (adapter !== undefined) {
    switch (adapter.name) {
      case 'coinbase.ticker':
        return readCoinbaseTicker({ document: value, product: adapter.product, field: adapter.field })
      case 'coinbase.spot':
        return readCoinbaseSpot({ document: value, product: adapter.product })
      case 'kraken.ticker':
        return readKrakenTicker({ document: value, pair: adapter.pair, quote: adapter.quote, field: adapter.field })
      case 'binance.ticker':
        return readBinanceTicker({ document: value, symbol: adapter.symbol, quote: adapter.quote, field: adapter.field })
      case 'coingecko.simplePrice':
        return readCoingeckoSimplePrice({ document: value, coinId: adapter.coinId, vsCurrency: adapter.vsCurrency })
      case 'espn.scoreboard':
        return apiFailure('shape', 'espn.scoreboard reads games, not a number')
    }
  }
  const decimal = jsonDecimalText(value)
  if (decimal === undefined) return apiFailure('not_a_number', `the value${source.jsonPath ? ` at ${source.jsonPath}` : ''} is not a decimal number`)
  const scaled = source.valueDecimals ? shift(decimal, source.valueDecimals) : decimal
  if (scaled === undefined) return apiFailure('not_a_number', `valueDecimals ${source.valueDecimals} needs an integer, got ${decimal}`)
  return { ok: true, decimal: scaled, unit: sourceUnit(source), evidence: source.jsonPath ? `JSON ${source.jsonPath}` : 'JSON value' }
}

/** "2499" with 2 decimals -> "24.99"; only integers are shifted (a minor-unit count has no fraction). */
function shift(decimal: string, decimals: number): string | undefined {
  const m = /^(-?)(\d+)$/.exec(decimal)
  if (!m) return undefined
  const digits = m[2]!.padStart(decimals + 1, '0')
  const int = digits.slice(0, digits.length - decimals).replace(/^0+(?=\d)/, '')
  const frac = digits.slice(digits.length - decimals)
  return `${m[1]}${int}.${frac}`
}
