/**
 * The pair judge: a cross-attention NLI model (trained by judge-lab/src/pair-model/) that reads a passage and a
 * statement token by token and says whether the passage entails the statement, contradicts it, or neither. It
 * runs with onnxruntime-node, in batches, on CUDA when asked and present, else on CPU.
 *
 * Two input formats, as the training scripts built them:
 * - `words` (ESIM / decomposable attention over GloVe, train-pair-model.py): word ids (0 padding,
 *   1..PAIR_OOV_BUCKETS hashed unknown words, then the vocabulary file's words) and an exact-match flag per word;
 * - `pieces` (the sentence encoder's transformer fine-tuned under a cross-attention head,
 *   train-use-pair-model.py): SentencePiece ids from the tokenizer.json shipped beside the model, a mask and
 *   an exact-match flag per piece (encode-pieces.ts).
 * In both, the flag lets names and numbers line up. The ONNX graph returns the three probabilities.
 *
 * The session starts on first use (onnxruntime's create is asynchronous; the judge is loaded synchronously at
 * start-up), and the files' bytes are checked against the hashes recorded in judge-model.json before that, by
 * the loader: the signed model hash covers these files through it.
 */
import { readFileSync } from 'node:fs'
import * as ort from 'onnxruntime-node'
import { BaseError } from '@sibyl/protocol/errors'
import { isCudaProviderInstalled, type Device, type ExecutionProvider } from './load-model.ts'
import { createPieceTokenizer, encodePieces } from './encode-pieces.ts'
import { PAIR_MAX_HYPOTHESIS_TOKENS, PAIR_MAX_PREMISE_TOKENS, PAIR_OOV_BUCKETS } from './pair-judge-limits.ts'
import { tokenizeWords } from './tokenize-words.ts'

export class PairJudgeError extends BaseError {
  override name = 'PairJudgeError' as const
}

export type PairJudgeInputs = 'words' | 'pieces'

export type PairJudgement = { entailment: number; neutral: number; contradiction: number }

export type PairJudge = {
  /** Judges every (premise, hypothesis) pair; results in input order. */
  judgePairs: (pairs: readonly { premise: string; hypothesis: string }[]) => Promise<PairJudgement[]>
  /** The device of the running session (undefined before the first call). */
  device: () => Device | undefined
}

export type CreatePairJudgeParameters = {
  onnxPath: string
  /** `words`: a JSON array of words (word i has id 1 + PAIR_OOV_BUCKETS + i); `pieces`: a tokenizer.json. */
  vocabPath: string
  /** The model's input format (default `words`). */
  inputs?: PairJudgeInputs
  executionProvider?: ExecutionProvider
  /** At most this many pairs (of one shape) per inference call (default 64); one when `quantized`. */
  batchSize?: number
  /** The graph quantizes its activations per call (judge-model.json records `training.quantized`). */
  quantized?: boolean
}

export function createPairJudge(parameters: CreatePairJudgeParameters): PairJudge {
  const encode = createEncoder(parameters)
  const runner = createPairModelRunner(parameters)
  const judgePairs = async (pairs: readonly { premise: string; hypothesis: string }[]): Promise<PairJudgement[]> =>
    runner.run(pairs.map((p) => encode(p.premise, p.hypothesis)))
  return { judgePairs, device: runner.device }
}

export type PairModelRunner = {
  /** Runs the model on pairs already encoded in its input format; results in input order. */
  run: (encoded: readonly EncodedPair[]) => Promise<PairJudgement[]>
  device: () => Device | undefined
}

/** The ONNX session and its batching, apart from the text encoding (judge-lab compares models on encoded rows). */
export function createPairModelRunner(parameters: Pick<CreatePairJudgeParameters, 'onnxPath' | 'executionProvider' | 'batchSize' | 'quantized'>): PairModelRunner {
  const batchSize = parameters.batchSize ?? 64
  const provider = parameters.executionProvider ?? 'auto'
  let session: Promise<{ session: ort.InferenceSession; device: Device }> | undefined
  let device: Device | undefined

  const start = async () => {
    const cuda = provider === 'cuda' || (provider === 'auto' && isCudaProviderInstalled())
    if (cuda) {
      try {
        return { session: await ort.InferenceSession.create(parameters.onnxPath, { executionProviders: ['cuda'] }), device: 'cuda' as const }
      } catch (cause) {
        if (provider === 'cuda') throw new PairJudgeError('The pair judge cannot start on CUDA.', { cause })
      }
    }
    return { session: await ort.InferenceSession.create(parameters.onnxPath, { executionProviders: ['cpu'], intraOpNumThreads: 1 }), device: 'cpu' as const }
  }

  const run = async (encoded: readonly EncodedPair[]): Promise<PairJudgement[]> => {
    if (encoded.length === 0) return []
    session ??= start()
    const s = await session
    device = s.device
    // A pair's probabilities must never depend on which other pairs share its call, so that replay reproduces
    // them whatever else a node judged. The 8-bit model (quantize-pair-model.py) quantizes its activations over
    // the whole call's tensor, so even pairs of one shape would shift each other's rounding: with it every pair
    // runs alone, on any device (on this CPU that costs about a tenth of the throughput). A float model batches
    // pairs of one shape only (same premise and hypothesis lengths: no padding, which the recurrent encoder
    // would read). Results go back to input order.
    const perCall = parameters.quantized ? 1 : batchSize
    const groups = new Map<string, number[]>()
    const out: PairJudgement[] = new Array(encoded.length)
    encoded.forEach((e, i) => {
      // Text the model cannot read is no evidence either way (encode-pieces.ts).
      if (e.unreadable) {
        out[i] = { entailment: 0, neutral: 1, contradiction: 0 }
        return
      }
      const key = `${e.p.length}:${e.h.length}`
      const group = groups.get(key)
      if (group) group.push(i)
      else groups.set(key, [i])
    })
    for (const members of groups.values()) {
      for (let start = 0; start < members.length; start += perCall) {
        const ids = members.slice(start, start + perCall)
        const result = await s.session.run(toTensors(ids.map((i) => encoded[i]!)))
        const probs = result.probabilities!.data as Float32Array
        ids.forEach((i, k) => {
          out[i] = { entailment: probs[3 * k]!, neutral: probs[3 * k + 1]!, contradiction: probs[3 * k + 2]! }
        })
      }
    }
    return out
  }
  return { run, device: () => device }
}

/** `masks`: the graph takes premise_mask / hypothesis_mask inputs (the `pieces` format). */
export type EncodedPair = { p: number[]; pm: number[]; h: number[]; hm: number[]; masks?: true; unreadable?: boolean }

function createEncoder(parameters: CreatePairJudgeParameters): (premise: string, hypothesis: string) => EncodedPair {
  if (parameters.inputs === 'pieces') {
    let tokenizer: ReturnType<typeof createPieceTokenizer>
    try {
      tokenizer = createPieceTokenizer(parameters.vocabPath)
    } catch (cause) {
      throw new PairJudgeError(`${parameters.vocabPath} is not a tokenizer.json this judge can read.`, { cause })
    }
    return (premise, hypothesis) => {
      const e = encodePieces(tokenizer, premise, hypothesis)
      return { p: e.premise, pm: e.premiseMatch, h: e.hypothesis, hm: e.hypothesisMatch, masks: true, unreadable: e.unreadable }
    }
  }
  const words = JSON.parse(readFileSync(parameters.vocabPath, 'utf8')) as string[]
  if (!Array.isArray(words) || words.some((w) => typeof w !== 'string')) throw new PairJudgeError(`${parameters.vocabPath} is not a list of words.`)
  const index = new Map(words.map((w, i) => [w, i + 1 + PAIR_OOV_BUCKETS]))
  return (premise, hypothesis) => encodePair(premise, hypothesis, index)
}

/** Word ids and exact-match flags, as judge-lab/src/pair-model/train-pair-model.py builds them. */
export function encodePair(premise: string, hypothesis: string, index: ReadonlyMap<string, number>): EncodedPair {
  let p = tokenizeWords(premise, PAIR_MAX_PREMISE_TOKENS)
  let h = tokenizeWords(hypothesis, PAIR_MAX_HYPOTHESIS_TOKENS)
  // An empty side would give the attention nothing to attend to: one padding-free unknown word stands in.
  if (p.length === 0) p = ['.']
  if (h.length === 0) h = ['.']
  const pSet = new Set(p)
  const hSet = new Set(h)
  const id = (t: string) => index.get(t) ?? 1 + (fnv1a(t) % PAIR_OOV_BUCKETS)
  return { p: p.map(id), pm: p.map((t) => (hSet.has(t) ? 1 : 0)), h: h.map(id), hm: h.map((t) => (pSet.has(t) ? 1 : 0)) }
}

/** 32-bit FNV-1a over the UTF-8 bytes (the training script's hash of unknown words). */
export function fnv1a(token: string): number {
  let h = 0x811c9dc5
  for (const b of Buffer.from(token, 'utf8')) {
    h ^= b
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h >>> 0
}

export function toTensors(batch: readonly EncodedPair[]): Record<string, ort.Tensor> {
  const lp = Math.max(...batch.map((b) => b.p.length))
  const lh = Math.max(...batch.map((b) => b.h.length))
  const pIds = new BigInt64Array(batch.length * lp)
  const pMatch = new Float32Array(batch.length * lp)
  const hIds = new BigInt64Array(batch.length * lh)
  const hMatch = new Float32Array(batch.length * lh)
  batch.forEach((b, i) => {
    b.p.forEach((v, j) => {
      pIds[i * lp + j] = BigInt(v)
      pMatch[i * lp + j] = b.pm[j]!
    })
    b.h.forEach((v, j) => {
      hIds[i * lh + j] = BigInt(v)
      hMatch[i * lh + j] = b.hm[j]!
    })
  })
  const tensors: Record<string, ort.Tensor> = {
    premise_ids: new ort.Tensor('int64', pIds, [batch.length, lp]),
    premise_match: new ort.Tensor('float32', pMatch, [batch.length, lp]),
    hypothesis_ids: new ort.Tensor('int64', hIds, [batch.length, lh]),
    hypothesis_match: new ort.Tensor('float32', hMatch, [batch.length, lh]),
  }
  if (batch[0]!.masks) {
    // Batches hold pairs of one shape: every position is a real token.
    tensors.premise_mask = new ort.Tensor('float32', new Float32Array(batch.length * lp).fill(1), [batch.length, lp])
    tensors.hypothesis_mask = new ort.Tensor('float32', new Float32Array(batch.length * lh).fill(1), [batch.length, lh])
  }
  return tensors
}
