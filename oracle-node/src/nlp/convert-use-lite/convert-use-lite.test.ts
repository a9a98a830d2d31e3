import test from 'ava'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { PreTrainedTokenizer } from '@huggingface/transformers'
import { createEmbedder, type Embedder } from '../embedder.ts'
import { hashModelFiles } from '../hash-model-files.ts'
import { resolveTestModelsDir } from '../../testing/test-models-dir.ts'
import { resolveTestDataDir } from '../../testing/test-data-dir.ts'
import { convertUseLite, resolveUseLitePackageDir, USE_LITE_MODEL_HASH, type ConvertUseLiteReturnType } from './convert-use-lite.ts'
import { loadRealSentences } from './load-real-sentences.ts'

const MODEL = 'google/universal-sentence-encoder-lite'
const referenceDir = join(resolveTestModelsDir(), ...MODEL.split('/'))
const work = mkdtempSync(join(tmpdir(), 'sibyl-use-lite-'))
const sentences = loadRealSentences(resolveTestDataDir(), 400)

// One conversion for the file; the determinism test makes a second one.
let converted: Promise<ConvertUseLiteReturnType> | undefined
const convertOnce = () => (converted ??= convertUseLite({ packageDir: resolveUseLitePackageDir(), outDir: join(work, 'a', ...MODEL.split('/')) }))

test.after.always(() => rmSync(work, { recursive: true, force: true }))

test('the converted model gives the reference embeddings on a few hundred real sentences (max abs diff < 1e-5)', async (t) => {
  const { durationMs } = await convertOnce()
  t.true(sentences.length >= 300, `only ${sentences.length} sentences`)
  // The converted copy is read from the conversion folder only: no npm default, no hub.
  const embedders: Embedder[] = await Promise.all([
    createEmbedder({ modelsDir: resolveTestModelsDir(), modelCacheDir: null, executionProvider: 'cpu' }),
    createEmbedder({ modelsDir: join(work, 'a'), modelCacheDir: null, executionProvider: 'cpu' }),
  ])
  const [reference, ours] = embedders as [Embedder, Embedder]
  try {
    t.is(ours.location.kind, 'local')
    t.is(ours.dimensions, reference.dimensions)
    const [a, b] = [await reference.embed(sentences), await ours.embed(sentences)]
    let maxAbsDiff = 0
    let minCosine = 1
    for (let i = 0; i < sentences.length; i++) {
      let dot = 0
      for (let j = 0; j < reference.dimensions; j++) {
        maxAbsDiff = Math.max(maxAbsDiff, Math.abs(a[i]![j]! - b[i]![j]!))
        dot += a[i]![j]! * b[i]![j]!
      }
      minCosine = Math.min(minCosine, dot)
    }
    t.log(`conversion ${Math.round(durationMs)} ms; ${sentences.length} sentences; max abs diff ${maxAbsDiff.toExponential(2)}; min cosine ${minCosine.toFixed(7)}`)
    t.true(maxAbsDiff < 1e-5, `max abs diff ${maxAbsDiff}`)
  } finally {
    await Promise.all(embedders.map((e) => e.dispose()))
  }
})

test('the converted tokenizer gives the reference token ids', async (t) => {
  const { outDir } = await convertOnce()
  const load = (dir: string) =>
    new PreTrainedTokenizer(JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')), JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8')))
  const [reference, ours] = [load(referenceDir), load(outDir)]
  // Beyond the data: unknown characters, reserved-looking text, NFKC forms, empty and space-only input.
  const extra = ['', ' ', '  two  spaces  ', '<s> </s> extra_token_id_1', 'ﬁnancial ① Ⅻ ｆｕｌｌｗｉｄｔｈ', '漢字とかな', 'emoji 🙂 and \u0000 control', ':30 :00 :-) ://']
  let tokens = 0
  for (const s of [...sentences, ...extra]) {
    const expected = reference.encode(s)
    tokens += expected.length
    t.deepEqual(ours.encode(s), expected, s)
  }
  t.log(`${sentences.length + extra.length} texts, ${tokens} tokens: identical ids`)
  // And the files say the same thing (formatting aside).
  t.deepEqual(JSON.parse(readFileSync(join(outDir, 'tokenizer.json'), 'utf8')), JSON.parse(readFileSync(join(referenceDir, 'tokenizer.json'), 'utf8')))
})

test('conversion is deterministic: the same bytes every time, hashing to USE_LITE_MODEL_HASH', async (t) => {
  const first = await convertOnce()
  const second = await convertUseLite({ packageDir: resolveUseLitePackageDir(), outDir: join(work, 'b') })
  const digest = (dir: string) =>
    Object.fromEntries(listFiles(dir).map((f) => [relative(dir, f), createHash('sha256').update(readFileSync(f)).digest('hex')]))
  t.deepEqual(digest(second.outDir), digest(first.outDir))
  t.is(first.modelHash, second.modelHash)
  t.is(await hashModelFiles(first.outDir), first.modelHash)
  t.is(first.modelHash, USE_LITE_MODEL_HASH)
  t.deepEqual(Object.keys(digest(first.outDir)).sort(), ['LICENSE', 'config.json', 'onnx/model.onnx', 'provenance.json', 'tokenizer.json', 'tokenizer_config.json'])
  const config = JSON.parse(readFileSync(join(first.outDir, 'config.json'), 'utf8')) as Record<string, unknown>
  t.like(config, { model_type: 'bert', hidden_size: 512, num_hidden_layers: 2, num_attention_heads: 4, vocab_size: 8002, max_position_embeddings: 128 })
})

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
}
