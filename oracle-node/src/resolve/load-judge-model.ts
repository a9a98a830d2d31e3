/**
 * Reads the trained text judge (judge-model.json beside this file unless a path is given) and checks it was
 * trained on the features this code computes. Done once at start-up; the result is passed in as a dependency.
 *
 * When the file names a pair judge (an ONNX cross-attention model and its vocabulary), their bytes must match
 * the sha256 recorded in the file: the node signs keccak256(judge-model.json), so that hash then names every
 * file the judge reads, and a swapped model file is refused here rather than signed under the old name.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BaseError } from '@sibyl/protocol/errors'
import { createPairJudge, type PairJudge, type PairJudgeInputs } from '../nlp/create-pair-judge.ts'
import type { ExecutionProvider } from '../nlp/load-model.ts'
import type { Lexicon } from './extract-pair-features.ts'
import { prepareJudgeModel, type JudgeModel } from './score-evidence.ts'

export class JudgeModelError extends BaseError {
  override name = 'JudgeModelError' as const
}

export type LoadJudgeModelReturnType = {
  model: JudgeModel
  lexicon: Lexicon
  pairJudge?: PairJudge
  /** The checked files of the pair judge, for a caller that runs it elsewhere (a thread of its own). */
  pairJudgeFiles?: { onnxPath: string; vocabPath: string; inputs: PairJudgeInputs; quantized: boolean }
}

export type LoadJudgeModelOptions = {
  /** Where the pair judge runs (default auto: CUDA when onnxruntime's CUDA provider is installed). */
  executionProvider?: ExecutionProvider
  /** False: the logistic judge only, even when the file names a pair judge (for comparisons). */
  pairJudge?: boolean
}

/** The committed judge the node runs; judge-lab's training script writes it here. */
export const judgeModelPath = fileURLToPath(new URL('./judge-model.json', import.meta.url))

export function loadJudgeModel(path: string = judgeModelPath, options: LoadJudgeModelOptions = {}): LoadJudgeModelReturnType {
  let model: JudgeModel
  try {
    model = JSON.parse(readFileSync(path, 'utf8')) as JudgeModel
  } catch (cause) {
    throw new JudgeModelError(`Cannot read the judge model ${path}.`, { cause })
  }
  let prepared: { model: JudgeModel; lexicon: Lexicon }
  try {
    prepared = prepareJudgeModel(model)
  } catch (cause) {
    throw new JudgeModelError(`The judge model ${path} does not fit this code.`, { cause })
  }
  const files = model.pairJudge
  if (files === undefined || options.pairJudge === false) return prepared
  if (files.inputs !== undefined && files.inputs !== 'words' && files.inputs !== 'pieces') throw new JudgeModelError(`The judge model ${path} names a pair judge with unknown inputs "${String(files.inputs)}".`)
  const onnxPath = resolve(dirname(path), files.onnx)
  const vocabPath = resolve(dirname(path), files.vocab)
  for (const [file, expected] of [[onnxPath, files.sha256.onnx], [vocabPath, files.sha256.vocab]] as const) {
    let actual: string
    try {
      actual = createHash('sha256').update(readFileSync(file)).digest('hex')
    } catch (cause) {
      throw new JudgeModelError(`Cannot read the pair judge file ${file}.`, { cause })
    }
    if (actual !== expected) throw new JudgeModelError(`The pair judge file ${file} is not the one ${path} names.`, { details: `sha256 ${actual}, expected ${expected}` })
  }
  try {
    const inputs = files.inputs ?? 'words'
    // An 8-bit graph (quantize-pair-model.py) runs one pair per call: see create-pair-judge.ts.
    const quantized = files.training.quantized !== undefined
    return { ...prepared, pairJudge: createPairJudge({ onnxPath, vocabPath, inputs, executionProvider: options.executionProvider, quantized }), pairJudgeFiles: { onnxPath, vocabPath, inputs, quantized } }
  } catch (cause) {
    throw new JudgeModelError(`Cannot load the pair judge named by ${path}.`, { cause })
  }
}
