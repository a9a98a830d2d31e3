/**
 * Sentence embeddings for ranking passages: transformers.js `feature-extraction` on the Universal Sentence
 * Encoder lite (512-d). Its ONNX graph already returns the L2-normalised sentence vector as a one-token
 * `last_hidden_state`, so the pipeline runs with `pooling: 'cls', normalize: true` (see the model's README)
 * and cosine similarity is a plain dot product. Work is sent in batches of `batchSize` texts.
 */
import type { FeatureExtractionPipeline } from '@huggingface/transformers'
import { loadModel, type CreatePipeline, type Device, type ExecutionProvider, type ModelLocation, type ModelLogger } from './load-model.ts'

export const DEFAULT_EMBEDDING_MODEL = 'google/universal-sentence-encoder-lite'

export type CreateEmbedderParameters = {
  /** Configured local models folder (transformers.js layout), tried first. */
  modelsDir: string | undefined
  modelId?: string
  /**
   * Models folder of the npm-installed default, tried second (converted into on first use); null skips it.
   * Default: resolveModelCacheDir() of this process (see model-cache-dir.ts).
   */
  modelCacheDir?: string | null
  allowRemoteModels?: boolean
  executionProvider?: ExecutionProvider
  /** Logs the resolution order and a first-use conversion. */
  logger?: ModelLogger
  /** Texts per model call; 32 is about 100 ms on 2 CPU cores for USE-lite. */
  batchSize?: number
  /** Injected for other runtimes; defaults to transformers.js. */
  createPipeline?: CreatePipeline
  isCudaProviderInstalled?: () => boolean
}

export type Embedder = {
  modelId: string
  /** bytes32 hex of the weights + tokenizer (see load-model.ts); undefined only for unhashable hub loads. */
  modelHash: `0x${string}` | undefined
  device: Device
  /** Where the weights came from (configured folder, npm-installed default, hub). */
  location: ModelLocation
  dimensions: number
  batchSize: number
  /** Warnings from loading (a CUDA fallback), for the caller to log. */
  warnings: string[]
  /** One L2-normalised vector per text, in order. */
  embed: (texts: readonly string[]) => Promise<Float32Array[]>
  dispose: () => Promise<void>
}

export type CreateEmbedderReturnType = Embedder

/** Loads the embedding model once; the returned embedder is safe to share across requests. */
export async function createEmbedder(parameters: CreateEmbedderParameters): Promise<CreateEmbedderReturnType> {
  const batchSize = parameters.batchSize ?? 32
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`)
  const loaded = await loadModel<FeatureExtractionPipeline>({
    modelId: parameters.modelId ?? DEFAULT_EMBEDDING_MODEL,
    task: 'feature-extraction',
    modelsDir: parameters.modelsDir,
    ...(parameters.modelCacheDir !== undefined ? { modelCacheDir: parameters.modelCacheDir } : {}),
    ...(parameters.logger ? { logger: parameters.logger } : {}),
    allowRemoteModels: parameters.allowRemoteModels ?? false,
    executionProvider: parameters.executionProvider ?? 'cpu',
    ...(parameters.createPipeline ? { createPipeline: parameters.createPipeline } : {}),
    ...(parameters.isCudaProviderInstalled ? { isCudaProviderInstalled: parameters.isCudaProviderInstalled } : {}),
  })
  const extractor = loaded.pipeline
  let dimensions = 0

  // Determinism (evidence replay). On onnxruntime's CPU kernels a row's vector depends, in its last bits
  // (~1e-8), on how long the batch is padded (the reductions over the sequence are blocked differently) and on
  // whether the batch has one row or more (another kernel path); not on the other rows. So texts are batched
  // only with texts of the same token length (no padding at all) and a lone text is sent twice: a text's vector
  // is then a pure function of the text, whatever else is embedded with it or before it (and the cache in
  // cache-embeddings.ts is exact). Pipelines without a tokenizer (test doubles) batch by character length.
  const tokenizer = (extractor as { tokenizer?: { encode?: (text: string) => number[]; model_max_length?: number } }).tokenizer
  const maxTokens = tokenizer?.model_max_length ?? Number.POSITIVE_INFINITY
  const lengthOf = (text: string): number => (tokenizer?.encode ? Math.min(tokenizer.encode(text).length, maxTokens) : -1)

  const embed = async (texts: readonly string[]): Promise<Float32Array[]> => {
    // An empty string tokenizes to nothing; the model needs at least one token.
    const inputs = texts.map((t) => (t.trim() === '' ? ' ' : t))
    const tokens = inputs.map(lengthOf)
    const order = inputs.map((_, i) => i).sort((a, b) => tokens[a]! - tokens[b]! || inputs[a]!.length - inputs[b]!.length || a - b)
    const vectors = new Array<Float32Array>(texts.length)
    let start = 0
    while (start < order.length) {
      let end = start + 1
      while (end < order.length && end - start < batchSize && tokens[order[end]!] === tokens[order[start]!]) end++
      const ids = order.slice(start, end)
      start = end
      const batch = ids.map((i) => inputs[i]!)
      if (batch.length === 1) batch.push(batch[0]!)
      const output = await extractor(batch, { pooling: 'cls', normalize: true })
      const [rows, dims] = output.dims as [number, number]
      const data = output.data as Float32Array
      for (let r = 0; r < Math.min(rows, ids.length); r++) vectors[ids[r]!] = data.slice(r * dims, (r + 1) * dims)
      dimensions = dims
      output.dispose?.()
    }
    return vectors
  }

  // One call fixes the dimension and warms the session up.
  await embed(['warm-up'])
  return {
    modelId: loaded.modelId,
    modelHash: loaded.modelHash,
    device: loaded.device,
    location: loaded.location,
    dimensions,
    batchSize,
    warnings: loaded.warnings,
    embed,
    dispose: async () => {
      await extractor.dispose()
    },
  }
}
