import test from 'ava'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createEmbedder, type Embedder } from './embedder.ts'
import { dot } from './dot.ts'
import { rankPassages } from './rank-passages.ts'
import { hashModelFiles, loadModel, ModelNotFoundError, ExecutionProviderUnavailableError } from './load-model.ts'
import { resolveTestModelsDir } from '../testing/test-models-dir.ts'

const modelsDir = resolveTestModelsDir()
// The real model, loaded once for this file.
let embedderPromise: Promise<Embedder> | undefined
const getEmbedder = () => (embedderPromise ??= createEmbedder({ modelsDir, batchSize: 4, executionProvider: 'cpu' }))

const sentences = [
  'Who won Super Bowl LVIII?',
  'The Kansas City Chiefs beat the San Francisco 49ers 25-22 in overtime to win Super Bowl LVIII.',
  'Patrick Mahomes threw the winning touchdown pass to Mecole Hardman.',
  'Taylor Swift watched the game from a suite in Las Vegas.',
  'Add the flour and stir until the batter is smooth.',
  'The central bank left interest rates unchanged on Wednesday.',
  'A short one.',
  'Ein deutscher Satz über das Wetter in Berlin, der etwas länger ist als die anderen Sätze in dieser Liste.',
  'Bitcoin closed above $60,000 on March 1.',
  '',
]

test('embeddings are 512-d, L2-normalised Float32Arrays, one per text', async (t) => {
  const embedder = await getEmbedder()
  t.is(embedder.device, 'cpu')
  t.is(embedder.dimensions, 512)
  t.regex(embedder.modelHash ?? '', /^0x[0-9a-f]{64}$/)
  const vectors = await embedder.embed(sentences)
  t.is(vectors.length, sentences.length)
  for (const v of vectors) {
    t.true(v instanceof Float32Array)
    t.is(v.length, 512)
    t.true(Math.abs(Math.sqrt(dot(v, v)) - 1) < 1e-4)
  }
})

test('batched embeddings equal one-at-a-time embeddings within 1e-5', async (t) => {
  const embedder = await getEmbedder()
  const batched = await embedder.embed(sentences) // batches of 4 with padding to the longest
  let maxDiff = 0
  for (let i = 0; i < sentences.length; i++) {
    const [single] = await embedder.embed([sentences[i]!])
    for (let j = 0; j < 512; j++) maxDiff = Math.max(maxDiff, Math.abs(single![j]! - batched[i]![j]!))
  }
  t.log(`max |batched - single| = ${maxDiff.toExponential(2)}`)
  t.true(maxDiff < 1e-5)
})

test('rankPassages puts the relevant passage first', async (t) => {
  const embedder = await getEmbedder()
  const [query, ...passages] = await embedder.embed(sentences.slice(0, 7))
  const ranked = rankPassages(query!, passages, 3)
  t.is(ranked.length, 3)
  t.is(ranked[0]!.index, 0)
  t.true(ranked[0]!.score > ranked[1]!.score)
  t.true(ranked.every((r, i) => i === 0 || ranked[i - 1]!.score >= r.score))
  t.is(ranked[0]!.score, dot(query!, passages[0]!))
  t.deepEqual(rankPassages(query!, [], 3), [])
  t.deepEqual(rankPassages(query!, passages, 0), [])
})

test('rankPassages: ties keep input order; topK past the end returns them all', (t) => {
  const v = (...xs: number[]) => Float32Array.from(xs)
  const ranked = rankPassages(v(1, 0), [v(0, 1), v(1, 0), v(0.5, 0), v(1, 0)], 10)
  t.deepEqual(
    ranked.map((r) => r.index),
    [1, 3, 2, 0],
  )
  t.deepEqual(ranked.map((r) => r.score), [1, 1, 0.5, 0])
})

test('the model hash is sha256(sha256(onnx) ‖ sha256(tokenizer.json)) and stable', async (t) => {
  const embedder = await getEmbedder()
  const dir = join(modelsDir, 'google', 'universal-sentence-encoder-lite')
  t.is(await hashModelFiles(dir), embedder.modelHash!)
})

test('a missing model is a clear error naming every place tried', async (t) => {
  const error = await t.throwsAsync(
    loadModel({ modelId: 'nobody/no-such-model', task: 'feature-extraction', modelsDir, allowRemoteModels: false, executionProvider: 'cpu' }),
    { instanceOf: ModelNotFoundError },
  )
  t.regex(error!.message, /nobody\/no-such-model/)
  t.regex(error!.message, /no-such-model \(missing config\.json, tokenizer\.json, onnx\/model\.onnx\)/)
  t.regex(error!.message, /Hugging Face hub \(not allowed/)

  const empty = mkdtempSync(join(tmpdir(), 'sibyl-models-'))
  try {
    // With the npm-installed default switched off, the configured folder is the only place left.
    const e2 = await t.throwsAsync(createEmbedder({ modelsDir: empty, modelCacheDir: null }), { instanceOf: ModelNotFoundError })
    t.true(e2!.message.includes(join(empty, 'google', 'universal-sentence-encoder-lite')))
  } finally {
    rmSync(empty, { recursive: true, force: true })
  }
})

test('execution provider: cuda without the provider is an error, auto falls back to cpu with a warning', async (t) => {
  const base = { modelId: 'google/universal-sentence-encoder-lite', task: 'feature-extraction', modelsDir, allowRemoteModels: false } as const
  await t.throwsAsync(loadModel({ ...base, executionProvider: 'cuda', isCudaProviderInstalled: () => false }), {
    instanceOf: ExecutionProviderUnavailableError,
  })
  // A provider library that is present but cannot start a session (no GPU) also falls back under 'auto'.
  const devices: string[] = []
  const loaded = await loadModel({
    ...base,
    executionProvider: 'auto',
    isCudaProviderInstalled: () => true,
    createPipeline: async ({ device }) => {
      devices.push(device)
      if (device === 'cuda') throw new Error('no CUDA device')
      return 'pipeline'
    },
  })
  t.deepEqual(devices, ['cuda', 'cpu'])
  t.is(loaded.device, 'cpu')
  t.is(loaded.warnings.length, 1)
  t.regex(loaded.warnings[0]!, /running on CPU/)
  const noCuda = await loadModel({ ...base, executionProvider: 'auto', isCudaProviderInstalled: () => false, createPipeline: async () => 'p' })
  t.is(noCuda.device, 'cpu')
  t.regex(noCuda.warnings[0]!, /not installed/)
})
