/**
 * Reads the trained text judge (judge-model.json beside this file unless a path is given) and checks it was
 * trained on the features this code computes. Done once at start-up; the result is passed in as a dependency.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { BaseError } from '@sibyl/protocol/errors'
import type { Lexicon } from './extract-pair-features.ts'
import { prepareJudgeModel, type JudgeModel } from './score-evidence.ts'

export class JudgeModelError extends BaseError {
  override name = 'JudgeModelError' as const
}

export type LoadJudgeModelReturnType = { model: JudgeModel; lexicon: Lexicon }

/** The committed judge the node runs; judge-lab's training script writes it here. */
export const judgeModelPath = fileURLToPath(new URL('./judge-model.json', import.meta.url))

export function loadJudgeModel(path: string = judgeModelPath): LoadJudgeModelReturnType {
  let model: JudgeModel
  try {
    model = JSON.parse(readFileSync(path, 'utf8')) as JudgeModel
  } catch (cause) {
    throw new JudgeModelError(`Cannot read the judge model ${path}.`, { cause })
  }
  try {
    return prepareJudgeModel(model)
  } catch (cause) {
    throw new JudgeModelError(`The judge model ${path} does not fit this code.`, { cause })
  }
}
