import test from 'ava'
import { readFileSync } from 'node:fs'
import { questionSpecSchema, type SourceSpec } from '@sibyl/protocol/question-spec'
import { jsonDecimalText } from '../extract-json.ts'
import { readApiValue } from './read-api-value.ts'

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'))
/** A source as the protocol parses it (defaults applied, cross-checks run). */
const source = (input: Record<string, unknown>): SourceSpec =>
  questionSpecSchema.parse({ version: 1, type: 'numeric.threshold', question: 'Is it above the bound?', threshold: '1', comparison: 'gt', outcomes: ['YES', 'NO'], sources: [{ url: 'https://api.example/x', format: 'json', ...input }] }).sources[0]!

test('coinbase.ticker: price, bid and ask as published; an unknown product is a provider error', (t) => {
  const doc = fixture('coinbase-ticker-btc-usd.json')
  t.like(readApiValue({ source: source({ adapter: { name: 'coinbase.ticker', product: 'BTC-USD' } }), value: doc }), { ok: true, decimal: '6268.48', unit: 'USD' })
  t.like(readApiValue({ source: source({ adapter: { name: 'coinbase.ticker', product: 'BTC-USD', field: 'bid' } }), value: doc }), { ok: true, decimal: '6265.15' })
  t.like(readApiValue({ source: source({ adapter: { name: 'coinbase.ticker', product: 'BTC-USD' } }), value: fixture('coinbase-ticker-not-found.json') }), { ok: false, reason: 'provider_error' })
})

test('coinbase.spot: the amount, checked against the pair it answers for', (t) => {
  const doc = fixture('coinbase-spot-btc-usd.json')
  t.like(readApiValue({ source: source({ adapter: { name: 'coinbase.spot', product: 'BTC-USD' } }), value: doc }), { ok: true, decimal: '1020.25', unit: 'USD' })
  t.like(readApiValue({ source: source({ adapter: { name: 'coinbase.spot', product: 'BTC-EUR' } }), value: doc }), { ok: false, reason: 'not_found' })
  t.like(readApiValue({ source: source({ adapter: { name: 'coinbase.spot', product: 'BTC-USD' } }), value: fixture('coinbase-spot-error.json') }), { ok: false, reason: 'provider_error' })
})

test("kraken.ticker: last, bid, ask, 24 h VWAP; Kraken's own pair name; errors", (t) => {
  const doc = fixture('kraken-ticker-xbtusd.json')
  const kraken = (field?: string) => source({ adapter: { name: 'kraken.ticker', pair: 'XBTUSD', quote: 'USD', ...(field ? { field } : {}) } })
  t.like(readApiValue({ source: kraken(), value: doc }), { ok: true, decimal: '30303.20000', unit: 'USD', evidence: 'Kraken XXBTZUSD last' })
  t.like(readApiValue({ source: kraken('bid'), value: doc }), { ok: true, decimal: '30300.00000' })
  t.like(readApiValue({ source: kraken('ask'), value: doc }), { ok: true, decimal: '30300.10000' })
  t.like(readApiValue({ source: kraken('vwap24h'), value: doc }), { ok: true, decimal: '30689.13205' })
  t.like(readApiValue({ source: kraken(), value: fixture('kraken-ticker-error.json') }), { ok: false, reason: 'provider_error', message: 'Kraken: EQuery:Unknown asset pair' })
  // Two pairs in one answer: only the exact key.
  const two = { error: [], result: { XXBTZUSD: { c: ['1.0', '1'] }, XETHZUSD: { c: ['2.0', '1'] } } }
  t.like(readApiValue({ source: kraken(), value: two }), { ok: false, reason: 'not_found' })
})

test('binance.ticker: /ticker/price and /ticker/24hr; the symbol is checked; errors', (t) => {
  t.like(readApiValue({ source: source({ adapter: { name: 'binance.ticker', symbol: 'LTCBTC', quote: 'BTC' } }), value: fixture('binance-ticker-price-ltcbtc.json') }), {
    ok: true,
    decimal: '4.00000200',
    unit: 'BTC',
  })
  const day = fixture('binance-ticker-24hr-bnbbtc.json')
  t.like(readApiValue({ source: source({ adapter: { name: 'binance.ticker', symbol: 'BNBBTC', quote: 'BTC' } }), value: day }), { ok: true, decimal: '4.00000200' })
  t.like(readApiValue({ source: source({ adapter: { name: 'binance.ticker', symbol: 'BNBBTC', quote: 'BTC', field: 'bid' } }), value: day }), { ok: true, decimal: '4.00000000' })
  t.like(readApiValue({ source: source({ adapter: { name: 'binance.ticker', symbol: 'ETHBTC', quote: 'BTC' } }), value: day }), { ok: false, reason: 'not_found' })
  t.like(readApiValue({ source: source({ adapter: { name: 'binance.ticker', symbol: 'LTCBTC', quote: 'BTC' } }), value: fixture('binance-ticker-error.json') }), { ok: false, reason: 'provider_error' })
  const all = [{ symbol: 'ETHBTC', price: '0.05' }, { symbol: 'LTCBTC', price: '0.0012' }]
  t.like(readApiValue({ source: source({ adapter: { name: 'binance.ticker', symbol: 'LTCBTC', quote: 'BTC' } }), value: all }), { ok: true, decimal: '0.0012' })
})

test('coingecko.simplePrice: JSON numbers as the decimals they were written as, never exponents', (t) => {
  const doc = fixture('coingecko-simple-price.json')
  t.like(readApiValue({ source: source({ adapter: { name: 'coingecko.simplePrice', coinId: 'bitcoin', vsCurrency: 'usd' } }), value: doc }), {
    ok: true,
    decimal: '67187.3358936566',
    unit: 'USD',
    evidence: 'CoinGecko bitcoin/usd at 2024-03-25T08:45:00.000Z',
  })
  t.like(readApiValue({ source: source({ adapter: { name: 'coingecko.simplePrice', coinId: 'pepe', vsCurrency: 'usd' } }), value: doc }), { ok: true, decimal: '0.0000001234' })
  t.like(readApiValue({ source: source({ adapter: { name: 'coingecko.simplePrice', coinId: 'dogecoin', vsCurrency: 'usd' } }), value: doc }), { ok: false, reason: 'not_found' })
  t.like(readApiValue({ source: source({ adapter: { name: 'coingecko.simplePrice', coinId: 'bitcoin', vsCurrency: 'usd' } }), value: fixture('coingecko-simple-price-rate-limited.json') }), {
    ok: false,
    reason: 'provider_error',
  })
  // A key named like an Object.prototype member is only ever an own property.
  t.like(readApiValue({ source: source({ adapter: { name: 'coingecko.simplePrice', coinId: 'constructor', vsCurrency: 'usd' } }), value: {} }), { ok: false, reason: 'not_found' })
})

test('the JSON path fallback: the value read-source selected, scaled by valueDecimals, with the declared unit', (t) => {
  t.like(readApiValue({ source: source({ jsonPath: 'data.price', unit: 'EUR' }), value: '119.01' }), { ok: true, decimal: '119.01', unit: 'EUR' })
  t.like(readApiValue({ source: source({ jsonPath: 'data.amountCents', valueDecimals: 2 }), value: 2499 }), { ok: true, decimal: '24.99' })
  t.like(readApiValue({ source: source({ jsonPath: 'data.amountCents', valueDecimals: 2 }), value: 5 }), { ok: true, decimal: '0.05' })
  t.like(readApiValue({ source: source({ jsonPath: 'data.amountCents', valueDecimals: 2 }), value: 24.99 }), { ok: false, reason: 'not_a_number' })
  t.like(readApiValue({ source: source({ jsonPath: 'data.price' }), value: { nested: 1 } }), { ok: false, reason: 'not_a_number' })
})

test('jsonDecimalText', (t) => {
  t.is(jsonDecimalText(43210.12), '43210.12')
  t.is(jsonDecimalText(1e-7), '0.0000001')
  t.is(jsonDecimalText(1.5e21), '1500000000000000000000')
  t.is(jsonDecimalText('30303.20000'), '30303.20000')
  t.is(jsonDecimalText('1.2E+3'), '1200')
  t.is(jsonDecimalText('12abc'), undefined)
  t.is(jsonDecimalText(Number.NaN), undefined)
  t.is(jsonDecimalText('1e999999999'), undefined)
})
