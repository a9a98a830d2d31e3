/**
 * resolveQuestion routes JSON sources through their named adapters (or the JSON path fallback) and
 * scoreboard APIs through the sports resolver; structured questions never reach the text judge.
 */
import test from 'ava'
import { readFileSync } from 'node:fs'
import { questionSpecSchema, type QuestionSpecInput } from '@sibyl/protocol/question-spec'
import { resolveQuestion, type ResolveQuestionDependencies, type SourceDocument } from './resolve-question.ts'

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../sources/adapters/fixtures/${name}`, import.meta.url), 'utf8'))
const noModels = {
  embedder: { embed: async () => { throw new Error('a structured question must not reach the text judge') } },
  judge: undefined as never,
} as unknown as ResolveQuestionDependencies
const options = { minConfidenceBps: 6000, nowSec: 2_000_000_000 }
const doc = (sourceIndex: number, json: unknown, weight = 10): SourceDocument => ({ sourceIndex, text: JSON.stringify(json).slice(0, 100), passages: [], json, weight })

test('numeric.threshold over three exchange APIs and an aggregator, by adapter name, in one unit', async (t) => {
  const input: QuestionSpecInput = {
    version: 1,
    type: 'numeric.threshold',
    question: 'Will BTC trade above 30,000 USD?',
    threshold: '30000',
    comparison: 'gt',
    unit: 'USD',
    outcomes: ['YES', 'NO'],
    sources: [
      { url: 'https://api.exchange.coinbase.com/products/BTC-USD/ticker', format: 'json', adapter: { name: 'coinbase.ticker', product: 'BTC-USD' } },
      { url: 'https://api.kraken.com/0/public/Ticker?pair=XBTUSD', format: 'json', adapter: { name: 'kraken.ticker', pair: 'XBTUSD', quote: 'USD' } },
      { url: 'https://api.coingecko.com/api/v3/simple/price?ids=bitcoin&vs_currencies=usd', format: 'json', adapter: { name: 'coingecko.simplePrice', coinId: 'bitcoin', vsCurrency: 'usd' } },
      { url: 'https://prices.example/btc.json', format: 'json', jsonPath: 'data.usdCents', valueDecimals: 2, unit: 'USD' },
    ],
  }
  const spec = questionSpecSchema.parse(input)
  const documents = [doc(0, fixture('coinbase-ticker-btc-usd.json')), doc(1, fixture('kraken-ticker-xbtusd.json')), doc(2, fixture('coingecko-simple-price.json')), doc(3, 3100000)]
  const result = await resolveQuestion(noModels, spec, documents, options)
  t.deepEqual(result.answer, { kind: 'outcome', index: 0 })
  t.is(result.value, '30303.20000000') // the weighted median
  t.deepEqual(result.votes.map((v) => v.value), ['6268.48', '30303.20000', '67187.3358936566', '31000.00'])
  t.regex(result.votes[1]!.detail, /30303\.20000 USD \(Kraken XXBTZUSD last\)/)
  // A provider error is that source's abstention, not a value.
  const failed = await resolveQuestion(noModels, spec, [doc(1, fixture('kraken-ticker-error.json'))], options)
  t.deepEqual(failed.answer, { kind: 'unresolvable' })
  t.regex(failed.votes[0]!.detail, /provider_error: Kraken: EQuery:Unknown asset pair/)
})

test('sports.winner from the ESPN scoreboard API, game number for a doubleheader', async (t) => {
  const base = {
    version: 1 as const,
    type: 'sports.winner' as const,
    question: 'Who won game 2 of the Red Sox at Yankees doubleheader on June 26, 2018?',
    sources: [{ url: 'https://site.api.espn.com/apis/site/v2/sports/baseball/mlb/scoreboard?dates=20180626', format: 'json' as const, adapter: { name: 'espn.scoreboard' as const } }],
    homeTeam: 'New York Yankees',
    awayTeam: 'Boston Red Sox',
    outcomes: ['New York Yankees', 'Boston Red Sox'],
    gameDate: '2018-06-26',
  }
  const documents = [doc(0, fixture('espn-scoreboard-mlb-doubleheader.json'))]
  const second = await resolveQuestion(noModels, questionSpecSchema.parse({ ...base, gameNumber: 2 }), documents, options)
  t.deepEqual(second.answer, { kind: 'outcome', index: 1 })
  t.regex(second.reason, /Boston Red Sox won: New York Yankees 3, Boston Red Sox 7/)
  const ambiguous = await resolveQuestion(noModels, questionSpecSchema.parse(base), documents, options)
  t.deepEqual(ambiguous.answer, { kind: 'unresolvable' })
  t.regex(ambiguous.reason, /gameNumber or startTime/)
})
