import test from 'ava'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { questionSpecSchema, type QuestionSpec, type QuestionSpecInput } from '@sibyl/protocol/question-spec'
import { createEmbedder, type Embedder } from '../nlp/embedder.ts'
import { resolveTestModelsDir } from '../testing/test-models-dir.ts'
import { loadJudgeModel } from './load-judge-model.ts'
import { resolveQuestion, type ResolveQuestionDependencies, type SourceDocument } from './resolve-question.ts'
import { resolveTestDataDir } from '../testing/test-data-dir.ts'

let embedderPromise: Promise<Embedder> | undefined
const getDeps = async (): Promise<ResolveQuestionDependencies> => {
  embedderPromise ??= createEmbedder({ modelsDir: resolveTestModelsDir(), executionProvider: 'cpu' })
  return { embedder: await embedderPromise, judge: loadJudgeModel() }
}
const buildSpec = (overrides: Partial<QuestionSpecInput> & Pick<QuestionSpecInput, 'type'>): QuestionSpec =>
  questionSpecSchema.parse({ version: 1, question: 'A question for the test?', sources: [{ url: 'https://example.com/a' }], ...overrides })
const doc = (sourceIndex: number, overrides: Partial<SourceDocument> = {}): SourceDocument => ({ sourceIndex, text: '', passages: [], weight: 10, ...overrides })
const options = { minConfidenceBps: 6000, nowSec: 2_000_000_000 }

const sportsDir = join(resolveTestDataDir(), 'sports_boxscore_html')
const page = (file: string) => gunzipSync(readFileSync(join(sportsDir, 'html', file))).toString('utf8')

test('sports.winner: box score and scoreboard agree; a source without the game does not vote', async (t) => {
  const spec = buildSpec({
    type: 'sports.winner',
    question: 'Did the Arizona Coyotes beat the Vancouver Canucks on March 4, 2020?',
    homeTeam: 'Vancouver Canucks',
    awayTeam: 'Arizona Coyotes',
    outcomes: ['Vancouver Canucks', 'Arizona Coyotes'],
  })
  const documents = [
    doc(0, { html: page('nhl-202003040VAN.html.gz') }),
    doc(1, { html: page('nhl-boxscores-3-4-2020.html.gz'), weight: 5 }),
    doc(2, { html: page('nhl-boxscores-3-5-2020.html.gz') }),
  ]
  const result = await resolveQuestion(await getDeps(), spec, documents, options)
  t.deepEqual(result.answer, { kind: 'outcome', index: 1 })
  t.is(result.confidenceBps, 10_000)
  t.regex(result.reason, /Arizona Coyotes won: Vancouver Canucks 2, Arizona Coyotes 4/)
  t.deepEqual(result.votes[2]!.answer, { kind: 'unresolvable' })

  const early = await resolveQuestion(await getDeps(), { ...spec, eventTime: 2_100_000_000 }, [documents[2]!], options)
  t.deepEqual(early.answer, { kind: 'tooEarly' })
})

test('numeric.threshold: weighted median of extracted prices compared exactly; no value is unresolvable', async (t) => {
  const spec = buildSpec({ type: 'numeric.threshold', threshold: '119.00', comparison: 'gt', outcomes: ['YES', 'NO'] })
  const priceHtml = (price: string) => `<script type="application/ld+json">{"@type":"Offer","price":"${price}","priceCurrency":"EUR"}</script>`
  const documents = [doc(0, { html: priceHtml('119.01') }), doc(1, { html: priceHtml('119.02') }), doc(2, { html: priceHtml('99.00'), weight: 5 })]
  const result = await resolveQuestion(await getDeps(), spec, documents, options)
  t.deepEqual(result.answer, { kind: 'outcome', index: 0 })
  t.is(result.value, '119.01000000')
  t.is(result.confidenceBps, 8000)
  const strict = await resolveQuestion(await getDeps(), spec, documents, { ...options, minConfidenceBps: 9000 })
  t.deepEqual(strict.answer, { kind: 'unresolvable' })
  const json = await resolveQuestion(await getDeps(), spec, [doc(0, { text: '118.99' })], options)
  t.deepEqual(json.answer, { kind: 'outcome', index: 1 })
  const none = await resolveQuestion(await getDeps(), spec, [doc(0, { html: '<p>sold out</p>' })], options)
  t.deepEqual(none.answer, { kind: 'unresolvable' })
})

test('text: dispatches to the judge and returns the passages it used', async (t) => {
  const spec = buildSpec({ type: 'text', question: 'Did the Kansas City Chiefs win Super Bowl LVIII?', outcomes: ['YES', 'NO'] })
  const text =
    'Tickets for the big game in Las Vegas sold out within hours. The Kansas City Chiefs beat the San Francisco 49ers 25-22 in overtime to win Super Bowl LVIII on Sunday night. Taylor Swift celebrated on the field.'
  const result = await resolveQuestion(await getDeps(), spec, [doc(0, { text })], { ...options, minConfidenceBps: 5000 })
  t.deepEqual(result.answer, { kind: 'outcome', index: 0 })
  t.true(result.usedPassages.length > 0)
  t.true(result.usedPassages.some((p) => p.text.includes('beat the San Francisco 49ers')))
})

test('intervals: every type reports [low, high] around its confidence and the pages it read', async (t) => {
  const contains = (r: { confidenceBps: number; confidenceInterval: [number, number] }) => r.confidenceInterval[0] <= r.confidenceBps && r.confidenceBps <= r.confidenceInterval[1]

  // Structured, several sources disagreeing: resampling the sources spreads the agreeing share.
  const numeric = buildSpec({ type: 'numeric.threshold', threshold: '119.00', comparison: 'gt', outcomes: ['YES', 'NO'] })
  const priceHtml = (price: string) => `<script type="application/ld+json">{"@type":"Offer","price":"${price}","priceCurrency":"EUR"}</script>`
  const split = [doc(0, { html: priceHtml('119.01') }), doc(1, { html: priceHtml('119.02') }), doc(2, { html: priceHtml('99.00'), weight: 5 }), doc(3, { html: '<p>sold out</p>' })]
  const r = await resolveQuestion(await getDeps(), numeric, split, options)
  t.is(r.confidenceBps, 8000)
  t.true(contains(r))
  t.true(r.confidenceInterval[0] < 8000 && r.confidenceInterval[1] === 10_000, `${r.confidenceInterval}`)
  t.is(r.articlesRead, 4)
  t.deepEqual((await resolveQuestion(await getDeps(), numeric, split, options)).confidenceInterval, r.confidenceInterval, 'seeded: the same evidence, the same interval')

  // One source: the documented degenerate interval, the point itself.
  const lone = await resolveQuestion(await getDeps(), numeric, [doc(0, { text: '118.99' })], options)
  t.deepEqual(lone.confidenceInterval, [10_000, 10_000])
  // Sources that all agree: nothing to spread either.
  const sports = buildSpec({ type: 'sports.winner', question: 'Did the Arizona Coyotes beat the Vancouver Canucks on March 4, 2020?', homeTeam: 'Vancouver Canucks', awayTeam: 'Arizona Coyotes', outcomes: ['Vancouver Canucks', 'Arizona Coyotes'] })
  const agreed = await resolveQuestion(await getDeps(), sports, [doc(0, { html: page('nhl-202003040VAN.html.gz') }), doc(1, { html: page('nhl-boxscores-3-4-2020.html.gz') })], options)
  t.deepEqual(agreed.confidenceInterval, [10_000, 10_000])
  t.is(agreed.articlesRead, 2)
  // No vote at all: [0, 0].
  const silent = await resolveQuestion(await getDeps(), sports, [doc(0, { html: page('nhl-boxscores-3-5-2020.html.gz') })], options)
  t.deepEqual(silent.confidenceInterval, [0, 0])

  // Text: resampling sources and passages.
  const text = buildSpec({ type: 'text', question: 'Did the Kansas City Chiefs win Super Bowl LVIII?', outcomes: ['YES', 'NO'] })
  const pages = [
    'Tickets for the big game in Las Vegas sold out within hours. The Kansas City Chiefs beat the San Francisco 49ers 25-22 in overtime to win Super Bowl LVIII on Sunday night. Taylor Swift celebrated on the field.',
    'Patrick Mahomes led the Chiefs to a second straight Super Bowl title, beating San Francisco in overtime. He was named MVP.',
  ]
  const judged = await resolveQuestion(await getDeps(), text, pages.map((p, i) => doc(i, { text: p })), { ...options, minConfidenceBps: 5000 })
  t.log(judged.reason, judged.confidenceInterval)
  t.true(contains(judged))
  t.true(judged.confidenceInterval[0] < judged.confidenceInterval[1])
  t.is(judged.articlesRead, 2)
})
