/**
 * The demo's content against the node's real judgement: the demo sites served over HTTP, the node's fetcher
 * (private addresses allowed, as the demo configures it), the pipeline resolver with the real sentence encoder
 * from the shared models folder and the trained text judge, and the feed value reader. Every demo question must
 * resolve to its expected outcome above the node's default confidence floor, and the numeric answers must
 * follow the price the sites serve.
 */
import test from 'ava'
import { keccak256, toUtf8Bytes } from 'ethers'
import { pino } from 'pino'
import { questionSpecSchema } from '@sibyl/protocol/question-spec'
import { nodeConfigSchema, type NodeConfig } from '@sibyl/oracle-node/config/node-config'
import type { ResolutionRequest } from '@sibyl/oracle-node/chain/fetch-requests'
import { createConfiguredFetcher } from '@sibyl/oracle-node/node/create-configured-fetcher'
import { createPipelineResolver } from '@sibyl/oracle-node/node/create-pipeline-resolver'
import { parseRequestSpec } from '@sibyl/oracle-node/node/parse-request-spec'
import type { Resolver } from '@sibyl/oracle-node/node/resolver'
import { createFeedValueReader } from '@sibyl/oracle-node/feed-runner/create-feed-value-reader'
import { resolveTestModelsDir } from '@sibyl/oracle-node/testing/test-models-dir'
import type { SourceFetcher } from '@sibyl/oracle-node/sources/create-source-fetcher'
import { buildDemoFeedSpec, buildDemoQuestions, DEMO_FEED, type DemoQuestion } from './demo-questions.ts'
import { createLyingFeedValueReader, createLyingResolver } from './lying-resolver.ts'
import { DEMO_INITIAL_PRICE, startDemoSites, type DemoSites } from './serve-demo-sites.ts'

const silent = pino({ level: 'silent' })
/** 2026-01-01: after every demo event. */
const NOW_SEC = 1_767_225_600

let sites: DemoSites
let config: NodeConfig
let fetcher: SourceFetcher
let resolver: Resolver

test.before(async () => {
  sites = await startDemoSites()
  // The node's config with its defaults (minConfidenceBps among them); only what the demo sets is given.
  config = nodeConfigSchema.parse({
    name: 'demo-content-test',
    chain: { rpcUrls: ['http://127.0.0.1:8545'], deploymentFile: 'deployment.json' },
    nats: { servers: ['nats://127.0.0.1:4222'] },
    key: { source: 'env', env: 'NODE_KEY' },
    stateDir: 'state',
    sources: { allowPrivateAddresses: true },
    model: { modelsDir: resolveTestModelsDir(), device: 'cpu' },
  })
  fetcher = createConfiguredFetcher(config.sources)
  resolver = await createPipelineResolver({ config, logger: silent, fetcher })
})

test.after.always(async () => {
  await sites?.close()
})

function requestFor(question: DemoQuestion): ResolutionRequest {
  return {
    requestId: keccak256(toUtf8Bytes(`demo:${question.key}`)),
    requester: '0x' + '11'.repeat(20),
    specHash: keccak256(toUtf8Bytes(question.specJson)),
    spec: question.specJson,
    outcomes: [...question.outcomes],
    resolveAfter: NOW_SEC - 60,
    feeWei: 10n ** 17n,
    blockNumber: 1,
    logIndex: 0,
  }
}

async function resolve(question: DemoQuestion, using = resolver) {
  const request = requestFor(question)
  // The spec as a node reads it from the chain: hash checked, parsed strictly, outcome labels matched.
  const parsed = parseRequestSpec(request)
  if (!parsed.ok) throw new Error(`${question.key}: ${parsed.reason}`)
  return using(request, parsed.spec, { nowSec: NOW_SEC, logger: silent })
}

test('the set covers every question type, a multi-outcome question and valid specs', (t) => {
  const questions = buildDemoQuestions(sites.url)
  const types = new Set(questions.map((q) => q.spec.type))
  t.deepEqual([...types].sort(), ['numeric.threshold', 'sports.winner', 'text'])
  t.true(questions.some((q) => q.spec.type === 'text' && q.outcomes.length > 2))
  t.true(questions.some((q) => q.spec.type === 'text' && q.outcomes.join() === 'YES,NO'))
  t.is(new Set(questions.map((q) => q.key)).size, questions.length)
  for (const q of questions) {
    t.deepEqual(questionSpecSchema.parse(JSON.parse(q.specJson)), q.spec, q.key)
    for (const source of q.spec.sources) t.true(source.url.startsWith(`${sites.url}/`), `${q.key}: ${source.url}`)
    if (q.spec.type === 'text' && q.spec.discover) for (const feed of [...q.spec.discover.feeds, ...q.spec.discover.sitemaps]) t.true(feed.startsWith(`${sites.url}/outlets/`), `${q.key}: ${feed}`)
  }
})

for (const key of ['hockey-winner', 'football-result', 'bridge-approved', 'mayor-election', 'nwc-above-100', 'lighthouse-reopened', 'dredging-approved', 'ferry-strike-ended'] as const) {
  test(`the node resolves ${key} to its expected outcome above its confidence floor`, async (t) => {
    const question = buildDemoQuestions(sites.url).find((q) => q.key === key)!
    const outcome = await resolve(question)
    if (outcome.kind !== 'observed') return t.fail(`${key}: ${outcome.kind}: ${outcome.reason}`)
    t.log(`${key}: ${question.outcomes[Number(outcome.answer)] ?? outcome.answer} at ${outcome.confidenceBps} bps: ${outcome.reason}`)
    t.is(outcome.answer, BigInt(question.expectedOutcomeIndex), outcome.reason)
    t.true(outcome.confidenceBps > config.model.minConfidenceBps, `${outcome.confidenceBps} bps`)
  })
}

test('every question of the set is covered by a test above', (t) => {
  t.deepEqual(buildDemoQuestions(sites.url).map((q) => q.key).sort(), [
    'bridge-approved',
    'dredging-approved',
    'ferry-strike-ended',
    'football-result',
    'hockey-winner',
    'lighthouse-reopened',
    'mayor-election',
    'nwc-above-100',
  ])
})

test('the price question and the feed follow the price the market site serves', async (t) => {
  // A server of its own: the price moves here without touching the one the other tests read.
  const moving = await startDemoSites()
  try {
    const question = buildDemoQuestions(moving.url).find((q) => q.key === 'nwc-above-100')!
    const spec = buildDemoFeedSpec(moving.url)
    t.is(spec.description, DEMO_FEED.description)
    t.is(spec.decimals, DEMO_FEED.decimals)
    const readFeedValue = createFeedValueReader(fetcher)

    const first = await readFeedValue(spec)
    t.like(first, { ok: true, value: 11_842_000_000n, confidenceBps: 10_000 })
    t.is(moving.getPrice(), DEMO_INITIAL_PRICE)

    moving.setPrice('121.07')
    t.like(await readFeedValue(spec), { ok: true, value: 12_107_000_000n })

    moving.setPrice('95.1')
    t.is(moving.getPrice(), '95.10')
    t.like(await readFeedValue(spec), { ok: true, value: 9_510_000_000n })
    const below = await resolve(question)
    t.like(below, { kind: 'observed', answer: 1n })
    t.true(below.kind === 'observed' && below.confidenceBps > config.model.minConfidenceBps)

    // The demo's lying node: ten times the value, from the same sources.
    t.like(await createLyingFeedValueReader(readFeedValue)(spec), { ok: true, value: 95_100_000_000n })
  } finally {
    await moving.close()
  }
})

test('a lying node reports a different valid outcome for every question, with the same evidence; its bundle records the honest answer', async (t) => {
  const liar = createLyingResolver(resolver)
  for (const question of buildDemoQuestions(sites.url)) {
    // One after the other: a discovery question's 40 articles at once from both would starve the shared page pool.
    const honest = await resolve(question)
    const lie = await resolve(question, liar)
    if (honest.kind !== 'observed' || lie.kind !== 'observed') return t.fail(`${question.key}: ${'reason' in honest ? honest.reason : ''} ${'reason' in lie ? lie.reason : ''}`)
    t.not(lie.answer, honest.answer, question.key)
    t.true(lie.answer >= 0n && lie.answer < BigInt(question.outcomes.length), question.key)
    t.is(lie.confidenceBps, honest.confidenceBps)
    t.is(lie.modelHash, honest.modelHash)
    // The same pages, and a bundle that records the honest judgement (the hashes differ only by fetch and
    // creation times): what its replay shows against what it signed.
    const pages = (o: typeof honest) => o.evidence?.bundle.sources.map((s) => s.rawHash)
    t.deepEqual(pages(lie), pages(honest), question.key)
    t.is(lie.evidence?.bundle.header.answer, honest.answer, question.key)
    t.is(lie.evidence?.bundle.header.confidenceBps, honest.confidenceBps, question.key)
  }
})
