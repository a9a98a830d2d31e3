/**
 * Replay is exact: a bundle built the way the node builds it (pages read, judged with a warmed, cached encoder)
 * replays on a fresh encoder to the same answer, confidence, per-outcome probabilities and per-passage scores,
 * bit for bit; a bundle whose recorded answer was changed does not. Real model (../shared/models), real pages
 * (the demo's sites in feeds/demo).
 */
import test from 'ava'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { keccak256, toUtf8Bytes, ZeroHash } from 'ethers'
import { encodeAnswer } from '@sibyl/protocol/answers'
import { decodeEvidenceBundle, hashEvidenceBundle } from '@sibyl/protocol/evidence-bundle'
import { questionSpecSchema } from '@sibyl/protocol/question-spec'
import { createEmbedder, type Embedder } from '../nlp/embedder.ts'
import { cacheEmbeddings } from '../nlp/cache-embeddings.ts'
import { resolveTestModelsDir } from '../testing/test-models-dir.ts'
import { readFetchedSource } from '../sources/read-source.ts'
import { resolveQuestion, type SourceDocument } from '../resolve/resolve-question.ts'
import { DEFAULT_TOP_K_PER_SOURCE } from '../resolve/judge-text.ts'
import { loadPipelineJudge, pipelineModelHash, pipelineModelId } from '../node/pipeline-models.ts'
import { buildEvidenceBundle, buildEvidenceSources } from './build-evidence-bundle.ts'
import { compareReplay, passagesOfText, replayEvidence } from './replay-evidence.ts'

const SITES = 'http://sites.test'
const sitesDir = fileURLToPath(new URL('../../../feeds/demo/sites/', import.meta.url))
const questions = JSON.parse(readFileSync(new URL('../../../feeds/demo/questions.json', import.meta.url), 'utf8')) as { questions: { key: string; spec: unknown }[] }

function demoSpec(key: string) {
  const raw = JSON.stringify(questions.questions.find((q) => q.key === key)!.spec).replaceAll('{{sitesUrl}}', SITES)
  return { text: raw, spec: questionSpecSchema.parse(JSON.parse(raw)) }
}

function page(url: string): Buffer {
  const path = url.slice(SITES.length + 1)
  return readFileSync(`${sitesDir}${path === '' || path.endsWith('/') ? `${path}index.html` : path}`)
}

let fresh: Embedder
let warmed: Embedder
const { judge, judgeHash } = loadPipelineJudge()

test.before(async () => {
  const modelsDir = resolveTestModelsDir()
  ;[fresh, warmed] = await Promise.all([createEmbedder({ modelsDir, modelCacheDir: null }), createEmbedder({ modelsDir, modelCacheDir: null, batchSize: 7 })])
})

test.after.always(async () => {
  await fresh?.dispose()
  await warmed?.dispose()
})

/** What the pipeline resolver does, with pages from disk: read, judge, bundle. */
async function judgeAndBundle(key: string, embedder: Pick<Embedder, 'embed'>) {
  const { text, spec } = demoSpec(key)
  const reads = spec.sources.map((source) =>
    readFetchedSource(source, { finalUrl: source.url, status: 200, contentType: 'text/html; charset=utf-8', fetchedAtMs: 1_741_500_000_000, body: page(source.url) }),
  )
  const documents: SourceDocument[] = reads.flatMap((read, sourceIndex) =>
    read.ok ? [{ sourceIndex, text: read.document.text, passages: read.document.passages, ...(read.html === undefined ? {} : { html: read.html }), weight: spec.sources[sourceIndex]!.weight }] : [],
  )
  const nowSec = 1_741_600_000
  const result = await resolveQuestion({ embedder, judge }, spec, documents, { minConfidenceBps: 6000, nowSec, topKPerSource: DEFAULT_TOP_K_PER_SOURCE })
  const { bundle, bytes } = buildEvidenceBundle({
    header: {
      kind: 'resolution', chainId: 31337n, contract: '0x5FbDB2315678afecb367f032d93F642f64180aa3', requestId: keccak256(toUtf8Bytes(key)), round: 0,
      signer: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', node: 'node-test', spec: text, questionType: spec.type, nowSec, createdAtMs: 1, modelId: pipelineModelId(fresh.modelId),
      modelHash: pipelineModelHash(fresh.modelHash, judgeHash), models: [{ role: 'embedder', id: fresh.modelId, hash: fresh.modelHash ?? ZeroHash }, { role: 'judge', id: 'sibyl-judge-v1', hash: judgeHash }],
      device: 'cpu', minConfidenceBps: 6000, topKPerSource: DEFAULT_TOP_K_PER_SOURCE, answer: encodeAnswer(result.answer), confidenceBps: result.confidenceBps,
      reason: result.reason, outcomeProbabilitiesBps: result.outcomeProbabilitiesBps ?? [], value: result.value ?? '',
    },
    sources: buildEvidenceSources({ reads, ...(result.judgedPairs ? { judgedPairs: result.judgedPairs } : {}), votes: result.votes }),
  })
  return { bundle, bytes, result, documents }
}

test('the passages replay makes of a stored text are the passages the reader made', (t) => {
  for (const key of ['bridge-approved', 'mayor-election']) {
    const { spec } = demoSpec(key)
    for (const source of spec.sources) {
      const read = readFetchedSource(source, { finalUrl: source.url, status: 200, contentType: 'text/html', fetchedAtMs: 0, body: page(source.url) })
      if (!read.ok) return t.fail(read.message)
      t.deepEqual(passagesOfText(read.document.text, source.format), read.document.passages, source.url)
    }
  }
})

for (const key of ['bridge-approved', 'mayor-election', 'hockey-winner']) {
  test.serial(`${key}: judged with a warmed, cached encoder; replayed on a fresh one from the decoded bundle, bit for bit`, async (t) => {
    t.timeout(120_000)
    // History must not matter: the node's encoder has seen other texts, in other batches, and caches vectors.
    const cached = cacheEmbeddings(warmed, { maxEntries: 10_000 })
    await cached.embed(['the bridge', 'Port Alder City Council', 'A council vote on Tuesday approved the replacement of the Millrace Bridge.'])
    const { bundle, bytes, result } = await judgeAndBundle(key, cached)
    const decoded = decodeEvidenceBundle(bytes)
    t.is(hashEvidenceBundle(decoded), hashEvidenceBundle(bundle))
    if (bundle.header.questionType === 'text') t.true(decoded.sources.some((s) => s.passages.length > 0), 'the judged passages are recorded')
    else t.true(decoded.sources.some((s) => s.values.length > 0), 'the structured values are recorded')

    const replay = await replayEvidence({ embedder: fresh, judge }, decoded)
    if (!replay.ok) return t.fail(replay.reason)
    t.true(replay.matchesBundle, `${replay.answer}/${replay.confidenceBps} vs ${bundle.header.answer}/${bundle.header.confidenceBps}`)
    t.is(replay.answer, encodeAnswer(result.answer))
    t.is(replay.confidenceBps, result.confidenceBps)
    t.deepEqual(replay.passages, { compared: replay.passages.compared, sameTexts: true, maxScoreDiffE9: 0 })
    t.deepEqual(replay.extraction.mismatched, [])
    t.is(replay.extraction.checked, bundle.sources.length)
    t.true(compareReplay(replay, { answer: result ? encodeAnswer(result.answer) : 0n, confidenceBps: result.confidenceBps }, { node: 'cpu', replay: 'cpu' }).matches)
  })
}

test.serial('a signed answer that is not the judge’s does not survive replay', async (t) => {
  t.timeout(120_000)
  const { bytes, result } = await judgeAndBundle('bridge-approved', fresh)
  const replay = await replayEvidence({ embedder: fresh, judge }, decodeEvidenceBundle(bytes))
  if (!replay.ok) return t.fail(replay.reason)
  const lie = { answer: (encodeAnswer(result.answer) + 1n) % 2n, confidenceBps: result.confidenceBps }
  const verdict = compareReplay(replay, lie, { node: 'cpu', replay: 'cpu' })
  t.false(verdict.matches)
  t.false(verdict.answerMatches)
  // Across devices the confidence may move by the stated tolerance, never the answer.
  t.true(compareReplay(replay, { answer: replay.answer, confidenceBps: replay.confidenceBps + 10 }, { node: 'cuda', replay: 'cpu' }).matches)
  t.false(compareReplay(replay, { answer: replay.answer, confidenceBps: replay.confidenceBps + 11 }, { node: 'cuda', replay: 'cpu' }).matches)
})

test.serial('a page kept only as its hash still replays for text, and the raw cap is honoured', async (t) => {
  t.timeout(120_000)
  const { spec } = demoSpec('bridge-approved')
  const reads = spec.sources.map((source) => readFetchedSource(source, { finalUrl: source.url, status: 200, contentType: 'text/html', fetchedAtMs: 0, body: page(source.url) }))
  const sources = buildEvidenceSources({ reads, maxRawBytes: 100 })
  t.true(sources.every((s) => !s.rawIncluded && s.raw.length === 0 && s.rawSize > 100 && s.rawHash !== ZeroHash && s.text.length > 0))
})
