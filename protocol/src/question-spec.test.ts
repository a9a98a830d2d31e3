import test from 'ava'
import { describeIssues } from './schema-parts.ts'
import { feedSpecSchema, questionSpecSchema, sourceUnit, type QuestionSpecInput } from './question-spec.ts'

const base = { version: 1, question: 'Who won the game on March 4, 2020?' } as const
const sports = (overrides: Partial<QuestionSpecInput> = {}) => ({
  ...base,
  type: 'sports.winner',
  sources: [{ url: 'https://www.hockey-reference.com/boxscores/202003040VAN.html' }],
  homeTeam: 'Vancouver Canucks',
  awayTeam: 'Arizona Coyotes',
  outcomes: ['Vancouver Canucks', 'Arizona Coyotes'],
  ...overrides,
})
const numeric = (overrides: Record<string, unknown> = {}) => ({
  ...base,
  question: 'Is BTC above 60000 USD?',
  type: 'numeric.threshold',
  threshold: '60000',
  comparison: 'gt',
  outcomes: ['YES', 'NO'],
  sources: [{ url: 'https://api.exchange.coinbase.com/products/BTC-USD/ticker', format: 'json', adapter: { name: 'coinbase.ticker', product: 'BTC-USD' } }],
  ...overrides,
})
const issues = (input: unknown) => {
  const r = questionSpecSchema.safeParse(input)
  return r.success ? [] : describeIssues(r.error)
}

test('old specs stay valid: no game date, no adapter, no unit', (t) => {
  t.true(questionSpecSchema.safeParse(sports()).success)
  t.true(questionSpecSchema.safeParse(numeric({ sources: [{ url: 'https://x.example/p.json', format: 'json', jsonPath: 'data.price' }] })).success)
  t.true(questionSpecSchema.safeParse(numeric({ sources: [{ url: 'https://shop.example/p' }] })).success)
})

test('sports.winner: game date, game number and start time', (t) => {
  const spec = questionSpecSchema.parse(sports({ gameDate: '2018-06-26', gameNumber: 2, startTime: '19:05' }))
  t.like(spec, { gameDate: '2018-06-26', gameNumber: 2, startTime: '19:05' })
  t.deepEqual(issues(sports({ gameDate: '2018-02-30' })), ['gameDate: not a calendar date'])
  t.deepEqual(issues(sports({ gameDate: '6/26/2018' })), ['gameDate: expected YYYY-MM-DD'])
  t.deepEqual(issues(sports({ gameNumber: 0 })).length, 1)
  t.deepEqual(issues(sports({ startTime: '7:05 PM' })), ['startTime: expected HH:MM (24-hour)'])
})

test('adapters are selected by name, with their units explicit; a JSON path is the fallback', (t) => {
  const spec = questionSpecSchema.parse(numeric())
  t.deepEqual(spec.sources[0]!.adapter, { name: 'coinbase.ticker', product: 'BTC-USD', field: 'price' })
  t.is(sourceUnit(spec.sources[0]!), 'USD')
  const kraken = { url: 'https://api.kraken.com/0/public/Ticker?pair=XBTUSD', format: 'json', adapter: { name: 'kraken.ticker', pair: 'XBTUSD', quote: 'USD' } }
  const gecko = { url: 'https://api.coingecko.com/api/v3/simple/price?ids=bitcoin&vs_currencies=usd', format: 'json', adapter: { name: 'coingecko.simplePrice', coinId: 'bitcoin', vsCurrency: 'usd' } }
  const path = { url: 'https://x.example/p.json', format: 'json', jsonPath: 'data.amountCents', valueDecimals: 2, unit: 'USD' }
  t.true(questionSpecSchema.safeParse(numeric({ unit: 'USD', sources: [numeric().sources[0], kraken, gecko, path] })).success)
})

test('a source that names its reader twice, or the wrong reader, is refused with the path', (t) => {
  const src = numeric().sources[0]!
  t.deepEqual(issues(numeric({ sources: [{ ...src, jsonPath: 'price' }] })), ['sources.0.jsonPath: name an adapter or a jsonPath, not both'])
  t.deepEqual(issues(numeric({ sources: [{ ...src, format: 'html' }] })), ['sources.0.format: an adapter reads a JSON API: format must be "json"'])
  t.deepEqual(issues(numeric({ sources: [{ ...src, unit: 'EUR' }] })), ['sources.0.unit: the adapter reads USD, not EUR'])
  t.deepEqual(issues(numeric({ sources: [{ ...src, valueDecimals: 2 }] })), ['sources.0.valueDecimals: an adapter knows its decimals'])
  t.deepEqual(issues(numeric({ sources: [{ url: 'https://shop.example/p', valueDecimals: 2 }] })), ['sources.0.valueDecimals: valueDecimals applies to a JSON value'])
  t.deepEqual(issues(numeric({ sources: [{ ...src, adapter: { name: 'espn.scoreboard' } }] })), ['sources.0.adapter.name: espn.scoreboard does not read a number'])
  t.deepEqual(issues(sports({ sources: [src] as never })), ['sources.0.adapter.name: coinbase.ticker does not read a game'])
  t.deepEqual(issues(numeric({ sources: [{ ...src, adapter: { name: 'binance.ticker', symbol: 'BTCUSDT', quote: 'USD' } }] })), [
    'sources.0.adapter.quote: the symbol must end with its quote currency ("BTCUSDT" / "USDT")',
  ])
  t.deepEqual(issues(numeric({ sources: [{ ...src, adapter: { name: 'coinbase.ticker', product: 'btc-usd' } }] })).length, 1)
})

test('units: sources and the spec must agree', (t) => {
  const usd = numeric().sources[0]!
  const eur = { url: 'https://api.coingecko.com/api/v3/simple/price?ids=bitcoin&vs_currencies=eur', format: 'json', adapter: { name: 'coingecko.simplePrice', coinId: 'bitcoin', vsCurrency: 'eur' } }
  t.deepEqual(issues(numeric({ sources: [usd, eur] })), ['sources.1.unit: this source gives EUR, the spec compares USD'])
  t.deepEqual(issues(numeric({ unit: 'EUR' })), ['sources.0.unit: this source gives USD, the spec compares EUR'])
  const feed = { version: 1, description: 'BTC / USD', decimals: 8, deviationBps: 50, heartbeatSec: 3600, sources: [usd, eur] }
  t.false(feedSpecSchema.safeParse(feed).success)
  t.true(feedSpecSchema.safeParse({ ...feed, sources: [usd] }).success)
})

const discovering = (discover: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  version: 1,
  type: 'text',
  question: 'Did the harbor board approve the dredging plan?',
  sources: [],
  outcomes: ['YES', 'NO'],
  discover,
  ...extra,
})
const window = { from: 1741132800, to: '2025-03-12T00:00:00Z' }

test('discover: feeds, a window in unix seconds or ISO, defaults, and no fixed page needed', (t) => {
  const parsed = questionSpecSchema.parse(discovering({ feeds: ['https://ledger.example/rss.xml'], window }))
  t.is(parsed.type, 'text')
  if (parsed.type !== 'text') return
  t.deepEqual(parsed.discover, { feeds: ['https://ledger.example/rss.xml'], sitemaps: [], useOperatorSources: false, window: { from: 1741132800, to: 1741737600 }, maxArticles: 50 })
  t.true(questionSpecSchema.safeParse(discovering({ useOperatorSources: true, window, credibility: { 'ledger.example': 80 } })).success)
})

test('discover: bounded, strict, and a text question needs sources or discovery', (t) => {
  const feeds = ['https://ledger.example/rss.xml']
  t.deepEqual(issues(discovering({ feeds, window, maxArticles: 201 })), ['discover.maxArticles: Too big: expected number to be <=200'])
  t.deepEqual(issues(discovering({ window })), ['discover.feeds: name feeds or sitemaps, or use the operator sources'])
  t.deepEqual(issues(discovering({ feeds, window: { from: 1741737600, to: 1741132800 } })), ['discover.window.to: the window ends before it starts'])
  t.deepEqual(issues(discovering({ feeds, window: { from: 0, to: 1741132800 } })), ['discover.window: the window is longer than a year'])
  t.is(issues(discovering({ feeds: Array.from({ length: 17 }, (_, i) => `https://f${i}.example/rss`), window })).length, 1)
  t.is(issues(discovering({ feeds: ['file:///etc/passwd'], window })).length, 1)
  t.is(issues(discovering({ feeds, window, credibility: { 'Ledger.Example:80': 50 } })).length, 1)
  t.is(issues(discovering({ feeds, window, credibility: { 'ledger.example': 101 } })).length, 1)
  t.is(issues(discovering({ feeds, window: { from: 'yesterday', to: 1741132800 } })).length, 1)
  t.is(issues(discovering({ feeds, window, crawl: true })).length, 1)
  const none = issues({ ...discovering({ feeds, window }), discover: undefined })
  t.deepEqual(none, ['sources: name at least one source, or a discover block'])
})
