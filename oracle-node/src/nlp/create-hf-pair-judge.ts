/**
 * A pluggable judge: any Hugging Face NLI cross-encoder or zero-shot (MNLI-head) model in the transformers.js
 * layout (`config.json` with `id2label`, `tokenizer.json`, `onnx/model.onnx`), e.g. `Xenova/nli-deberta-v3-xsmall`,
 * `Xenova/bart-large-mnli` or a `cross-encoder/nli-*` conversion, selected by `model.judge` in the node config.
 *
 * It is found where the sentence encoder is found (load-model.ts: the models folder, then the hub where the config
 * allows it) and answers the built-in pair judge's question: for each (premise, hypothesis) pair, P(entailment),
 * P(neutral), P(contradiction), from the model's own label names:
 *   - three labels: entail* → entailment, neutral → neutral, contradict* → contradiction (any order, any case);
 *   - two labels (entailment / not_entailment): not_entailment → neutral, contradiction 0. Such a model cannot
 *     tell a denial from silence, so a question it judges can only be answered YES or abstain: say so to operators.
 * Anything else is refused at load with the labels it found: a judge whose labels are guessed would sign
 * answers that mean the opposite.
 *
 * Batches hold pairs of one token length (no padding), as for the built-in judge: a pair's probabilities never
 * depend on which other pairs share its call, so replay reproduces them.
 *
 * `modelHash` covers every file the judge reads: sha256 over config.json (its label map decides what an output
 * means), tokenizer.json, tokenizer_config.json (when present) and onnx/model.onnx.
 */
import { createHash } from 'node:crypto'
import { createReadStream, existsSync } from 'node:fs'
import { join } from 'node:path'
import { BaseError } from '@sibyl/protocol/errors'
import type { PairJudge, PairJudgement } from './create-pair-judge.ts'
import { loadModel, type Device, type ExecutionProvider, type LoadModelParameters, type ModelLogger } from './load-model.ts'

export class HfPairJudgeError extends BaseError {
  override name = 'HfPairJudgeError' as const
}

/** The files a transformers.js judge reads, in hashing order (a missing optional file hashes as absent). */
export const HF_JUDGE_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'] as const

/** Longest premise (characters) sent to the tokenizer; passages are shorter, this bounds a hostile one. */
const MAX_PREMISE_CHARS = 2000
const MAX_HYPOTHESIS_CHARS = 500
/** Tokens per pair; longer pairs are truncated by the tokenizer. */
const MAX_TOKENS = 256

export type LabelMap = { entailment: number; neutral: number | undefined; contradiction: number | undefined }

export type HfPairJudge = PairJudge & {
  modelId: string
  modelHash: `0x${string}`
  /** The model's labels in output order, as config.json names them. */
  labels: string[]
  dispose: () => Promise<void>
}

export type LoadHfPairJudgeParameters = {
  modelId: string
  modelsDir: string | undefined
  allowRemoteModels: boolean
  executionProvider: ExecutionProvider
  /** At most this many pairs per inference call (default 32). */
  batchSize?: number
  logger?: ModelLogger
  /** For tests: the pipeline loader (default transformers.js through load-model.ts). */
  createPipeline?: LoadModelParameters['createPipeline']
}

type Tokenized = { input_ids: { dims: number[] } } & Record<string, unknown>
type SequenceClassifier = {
  model: ((inputs: Record<string, unknown>) => Promise<{ logits: { data: Float32Array; dims: number[] } }>) & {
    config: { id2label?: Record<string, string> }
    dispose?: () => Promise<unknown>
  }
  tokenizer: (text: string | string[], options: { text_pair?: string | string[]; padding?: boolean; truncation?: boolean; max_length?: number }) => Tokenized
}

export async function loadHfPairJudge(parameters: LoadHfPairJudgeParameters): Promise<HfPairJudge> {
  const loaded = await loadModel<SequenceClassifier>({
    modelId: parameters.modelId,
    task: 'text-classification',
    modelsDir: parameters.modelsDir,
    allowRemoteModels: parameters.allowRemoteModels,
    executionProvider: parameters.executionProvider,
    // No judge ships on npm: the models folder or the hub.
    modelCacheDir: null,
    ...(parameters.logger ? { logger: parameters.logger } : {}),
    ...(parameters.createPipeline ? { createPipeline: parameters.createPipeline } : {}),
  })
  const { model, tokenizer } = loaded.pipeline
  const labels = labelsOf(model.config.id2label, parameters.modelId)
  const map = mapLabels(labels, parameters.modelId)
  const dir = loaded.location.dir
  if (dir === undefined) {
    throw new HfPairJudgeError(`The judge ${parameters.modelId} was loaded but its files cannot be found on disk to hash.`, {
      details: 'A node signs the hash of the judge that answered; put the model in model.modelsDir.',
    })
  }
  const modelHash = await hashJudgeFiles(dir)
  const batchSize = parameters.batchSize ?? 32
  const device: Device = loaded.device

  const judgePairs = async (pairs: readonly { premise: string; hypothesis: string }[]): Promise<PairJudgement[]> => {
    if (pairs.length === 0) return []
    const texts = pairs.map((p) => ({ premise: p.premise.slice(0, MAX_PREMISE_CHARS), hypothesis: p.hypothesis.slice(0, MAX_HYPOTHESIS_CHARS) }))
    // Group by token length so no batch needs padding.
    const groups = new Map<number, number[]>()
    texts.forEach((t, i) => {
      const length = tokenizer(t.premise, { text_pair: t.hypothesis, truncation: true, max_length: MAX_TOKENS }).input_ids.dims.at(-1)!
      const group = groups.get(length)
      if (group) group.push(i)
      else groups.set(length, [i])
    })
    const out: PairJudgement[] = new Array(pairs.length)
    for (const members of groups.values()) {
      for (let start = 0; start < members.length; start += batchSize) {
        const ids = members.slice(start, start + batchSize)
        const inputs = tokenizer(
          ids.map((i) => texts[i]!.premise),
          { text_pair: ids.map((i) => texts[i]!.hypothesis), padding: true, truncation: true, max_length: MAX_TOKENS },
        )
        const { logits } = await model(inputs)
        const width = logits.dims.at(-1)!
        if (width !== labels.length) throw new HfPairJudgeError(`The judge ${parameters.modelId} returned ${width} logits for ${labels.length} labels.`)
        ids.forEach((i, k) => {
          out[i] = toJudgement(softmax(logits.data.subarray(k * width, (k + 1) * width)), map)
        })
      }
    }
    return out
  }

  return {
    modelId: parameters.modelId,
    modelHash,
    labels,
    judgePairs,
    device: () => device,
    dispose: async () => {
      await model.dispose?.()
    },
  }
}

function labelsOf(id2label: Record<string, string> | undefined, modelId: string): string[] {
  const entries = Object.entries(id2label ?? {})
  if (entries.length === 0) throw new HfPairJudgeError(`The judge ${modelId} has no id2label in its config.json.`)
  const labels: string[] = []
  for (const [id, label] of entries) {
    const i = Number(id)
    if (!Number.isInteger(i) || i < 0 || i >= entries.length || labels[i] !== undefined) {
      throw new HfPairJudgeError(`The judge ${modelId} has a malformed id2label.`, { details: JSON.stringify(id2label).slice(0, 300) })
    }
    labels[i] = String(label)
  }
  return labels
}

/** Which output is which: entailment / neutral / contradiction from the model's own label names. */
export function mapLabels(labels: readonly string[], modelId: string): LabelMap {
  const norm = labels.map((l) => l.trim().toLowerCase().replace(/[\s-]+/g, '_'))
  const find = (test: (l: string) => boolean) => {
    const hits = norm.flatMap((l, i) => (test(l) ? [i] : []))
    return hits.length === 1 ? hits[0] : hits.length === 0 ? undefined : -1
  }
  const refuse = () =>
    new HfPairJudgeError(`The judge ${modelId} has labels Sibyl cannot map: ${labels.join(', ')}.`, {
      details: 'Expected entailment, neutral and contradiction (any order), or entailment and not_entailment.',
    })
  if (norm.length === 3) {
    const entailment = find((l) => l.startsWith('entail'))
    const neutral = find((l) => l === 'neutral')
    const contradiction = find((l) => l.startsWith('contradict'))
    if (entailment === undefined || neutral === undefined || contradiction === undefined) throw refuse()
    if (entailment < 0 || neutral < 0 || contradiction < 0) throw refuse()
    return { entailment, neutral, contradiction }
  }
  if (norm.length === 2) {
    const entailment = find((l) => l === 'entailment' || l === 'entailed')
    const not = find((l) => l === 'not_entailment' || l === 'non_entailment' || l === 'not_entailed')
    if (entailment === undefined || not === undefined || entailment < 0 || not < 0) throw refuse()
    return { entailment, neutral: not, contradiction: undefined }
  }
  throw refuse()
}

function softmax(logits: Float32Array): number[] {
  const max = Math.max(...logits)
  const exps = Array.from(logits, (v) => Math.exp(v - max))
  const sum = exps.reduce((a, b) => a + b, 0)
  return exps.map((e) => e / sum)
}

function toJudgement(p: readonly number[], map: LabelMap): PairJudgement {
  return {
    entailment: p[map.entailment]!,
    neutral: map.neutral === undefined ? 0 : p[map.neutral]!,
    contradiction: map.contradiction === undefined ? 0 : p[map.contradiction]!,
  }
}

/** sha256 over sha256(file) of each of HF_JUDGE_FILES in order (an absent optional file contributes 32 zero bytes). */
export async function hashJudgeFiles(dir: string): Promise<`0x${string}`> {
  const outer = createHash('sha256')
  for (const file of HF_JUDGE_FILES) {
    const path = join(dir, file)
    if (!existsSync(path)) {
      if (file === 'tokenizer_config.json') {
        outer.update(Buffer.alloc(32))
        continue
      }
      throw new HfPairJudgeError(`The judge's file ${path} is missing.`)
    }
    const inner = createHash('sha256')
    for await (const chunk of createReadStream(path)) inner.update(chunk as Buffer)
    outer.update(inner.digest())
  }
  return `0x${outer.digest('hex')}`
}
