/**
 * Sentence embeddings per second through the node's embedder (oracle-node/src/nlp/embedder.ts), batched and
 * one sentence per call, against the limit of this machine: a bare onnxruntime-node InferenceSession on the
 * same onnx file, fed the same token ids in the same batches (sorted by length, `embedder.batchSize` each, as
 * the embedder forms them), tokenized once before timing. The pipeline's figure includes what it does on top
 * of the session (tokenizing, building tensors, pooling, normalising, copying rows out); the tokenizer's own
 * rate is reported so the gap can be read.
 *
 * Before timing, the raw session's vectors are compared with the embedder's: the two must be the same model
 * on the same inputs (the largest absolute difference is reported).
 */
import { join } from 'node:path'
import { InferenceSession, Tensor } from 'onnxruntime-node'
import type { FeatureExtractionPipeline } from '@huggingface/transformers'
import { createEmbedder, DEFAULT_EMBEDDING_MODEL } from '@sibyl/oracle-node/nlp/embedder'
import { loadModel } from '@sibyl/oracle-node/nlp/load-model'
import { resolveTestModelsDir } from '@sibyl/oracle-node/testing/test-models-dir'
import { resolveTestDataDir } from '@sibyl/oracle-node/testing/test-data-dir'
import { loadSentences } from '../load-sentences.ts'
import { formatRate, measureInterleaved, pairedRatio, ratios, spread } from '../measure.ts'
import type { BenchSection } from '../section.ts'

const AIM_BATCHED_OVER_RAW = 0.9

export const nlpEmbedSection: BenchSection = {
  name: 'nlp-embed',
  title: 'Sentence embeddings',
  run: async ({ quick, log }) => {
    const sentenceCount = quick ? 256 : 512
    const unbatchedCount = quick ? 48 : 96
    const repetitions = quick ? 3 : 5
    const modelsDir = resolveTestModelsDir()
    const sentences = loadSentences(resolveTestDataDir(), sentenceCount)

    log(`nlp-embed: loading ${DEFAULT_EMBEDDING_MODEL} from the shared models folder`)
    const embedder = await createEmbedder({ modelsDir, executionProvider: 'cpu' })
    // A second handle on the same model, for its tokenizer and the path of its onnx file.
    const loaded = await loadModel<FeatureExtractionPipeline>({
      modelId: embedder.modelId,
      task: 'feature-extraction',
      modelsDir,
      allowRemoteModels: false,
      executionProvider: 'cpu',
    })
    if (loaded.location.dir === undefined) throw new Error('nlp-embed: the model has no local folder')
    const onnxPath = join(loaded.location.dir, 'onnx', 'model.onnx')
    const tokenizer = loaded.pipeline.tokenizer
    const session = await InferenceSession.create(onnxPath, { executionProviders: ['cpu'] })

    // The embedder's batching: texts sorted by length (then index), `batchSize` per model call.
    const order = sentences.map((_, i) => i).sort((a, b) => sentences[a]!.length - sentences[b]!.length || a - b)
    const batches: { ids: number[]; feeds: Record<string, Tensor> }[] = []
    let tokens = 0
    for (let start = 0; start < order.length; start += embedder.batchSize) {
      const ids = order.slice(start, start + embedder.batchSize)
      const encoded = tokenizer(ids.map((i) => sentences[i]!), { padding: true, truncation: true }) as unknown as Record<string, { data: BigInt64Array; dims: number[] }>
      const feeds: Record<string, Tensor> = {}
      for (const name of session.inputNames) {
        const input = encoded[name]
        if (!input) throw new Error(`nlp-embed: the tokenizer gives no ${name}`)
        feeds[name] = new Tensor('int64', input.data, input.dims)
      }
      batches.push({ ids, feeds })
      const mask = encoded.attention_mask?.data
      if (mask) for (const v of mask) tokens += Number(v)
    }

    // Same model, same inputs: the bare session's vectors must be the embedder's.
    const fromEmbedder = await embedder.embed(sentences)
    let maxAbsDiff = 0
    for (const batch of batches) {
      const out = await session.run(batch.feeds)
      const vectors = out.sentence_embedding ?? Object.values(out)[0]!
      const [rows, dims] = vectors.dims as [number, number]
      const data = vectors.data as Float32Array
      for (let r = 0; r < rows; r++) {
        const expected = fromEmbedder[batch.ids[r]!]!
        for (let d = 0; d < dims; d++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(data[r * dims + d]! - expected[d]!))
      }
    }
    if (maxAbsDiff > 1e-4) throw new Error(`nlp-embed: the bare session and the embedder disagree (max abs diff ${maxAbsDiff})`)

    log(`nlp-embed: ${sentences.length} sentences (${tokens} tokens) in ${batches.length} batches of ${embedder.batchSize}; ${repetitions} repetitions`)
    // Unit k is batch k for every contender: the same sentences, hence the same padded shape.
    const texts = batches.map((b) => b.ids.map((i) => sentences[i]!))
    const perUnitSingles = Math.max(1, Math.round(unbatchedCount / batches.length))
    // For one sentence per call: a few of each batch's sentences, spread over its length range.
    const singles = texts.map((t) => t.filter((_, i) => i % Math.ceil(t.length / perUnitSingles) === 0))
    const unbatchedItems = singles.reduce((n, t) => n + t.length, 0)
    const result = await measureInterleaved({
      contenders: [
        { name: 'raw', unit: async (k) => (await session.run(batches[k]!.feeds), texts[k]!.length) },
        { name: 'batched', unit: async (k) => (await embedder.embed(texts[k]!)).length },
        {
          name: 'unbatched',
          unit: async (k) => {
            for (const text of singles[k]!) await embedder.embed([text])
            return singles[k]!.length
          },
        },
        { name: 'tokenize', unit: (k) => (tokenizer(texts[k]!, { padding: true, truncation: true }), texts[k]!.length) },
      ],
      repetitions,
      unitsPerRepetition: batches.length,
      onRepetition: (rep, rates) => log(`nlp-embed: repetition ${rep + 1}: ${Object.entries(rates).map(([k, v]) => `${k} ${formatRate(v)}/s`).join(', ')}`),
    })
    await embedder.dispose()
    await loaded.pipeline.dispose()
    await session.release()

    const m = result.medians
    const ratio = pairedRatio(result, 'batched', 'raw')
    // What the embedder would do if tokenizing cost nothing (its time minus the tokenizer's, per repetition).
    const withoutTokenizer = 1 / (1 / m.batched! - 1 / m.tokenize!) / m.raw!
    return {
      figures: {
        'nlp.embed.batchedPerSec': round1(m.batched!),
        'nlp.embed.unbatchedPerSec': round1(m.unbatched!),
        'nlp.embed.rawOrtPerSec': round1(m.raw!),
        'nlp.embed.batchedOverRaw': round3(ratio),
        'nlp.embed.tokenizePerSec': round1(m.tokenize!),
        'nlp.embed.batchSize': embedder.batchSize,
        'nlp.embed.maxAbsDiffVsRaw': maxAbsDiff,
      },
      tables: [
        {
          title: `Sentence embeddings per second (${embedder.modelId}, CPU)`,
          table: {
            columns: ['path', 'sentences/s', 'x raw', 'spread'],
            rows: [
              ['bare onnxruntime-node session, pre-tokenized (limit)', formatRate(m.raw!), '1.00', pct(spread(result.rates.raw!))],
              [`embedder, batches of ${embedder.batchSize}`, formatRate(m.batched!), ratio.toFixed(3), pct(spread(result.rates.batched!))],
              ['embedder, one sentence per call', formatRate(m.unbatched!), pairedRatio(result, 'unbatched', 'raw').toFixed(3), pct(spread(result.rates.unbatched!))],
              ['tokenizer alone (part of the embedder)', formatRate(m.tokenize!), '', pct(spread(result.rates.tokenize!))],
              ['embedder minus its tokenizer time (derived)', '', withoutTokenizer.toFixed(3), ''],
            ],
          },
        },
      ],
      aims: [{ label: 'nlp.embed: batched / raw', value: `${ratio.toFixed(3)}x`, aim: `≥ ${AIM_BATCHED_OVER_RAW}x`, met: ratio >= AIM_BATCHED_OVER_RAW }],
      notes: [
        `${sentences.length} real sentences from the shared data (${tokens} tokens, mean ${(tokens / sentences.length).toFixed(1)} per sentence); one sentence per call over ${unbatchedItems} of them.`,
        `Largest absolute difference between the bare session's vectors and the embedder's: ${maxAbsDiff.toExponential(2)}.`,
        `Per-repetition ratios batched / raw: ${ratios(result, 'batched', 'raw').map((r) => r.toFixed(3)).join(', ')}.`,
        `${repetitions} repetitions; in each, every batch runs through every path back to back, in an order that flips from batch to batch.`,
      ],
    }
  },
}

const round1 = (v: number) => Math.round(v * 10) / 10
const round3 = (v: number) => Math.round(v * 1000) / 1000
const pct = (v: number) => `${Math.round(v * 100)}%`
