/**
 * The node's text judge, as `model.judge` selects it: the built-in trained pair judge (its files checked against
 * judge-model.json, whose keccak256 is the judge's hash), or a Hugging Face NLI model (create-hf-pair-judge.ts),
 * whose hash covers every file it reads. Either runs on a thread of its own. The built-in judge's logistic
 * features and lexicon stay (they read numbers, dates and denials the models miss); the fusion and scale fitted
 * to the built-in pair judge are dropped for another model, whose probabilities are used as they come.
 *
 * The id and hash returned go into the signed modelHash (pipeline-models.ts), so two nodes with different
 * judges are visibly different in every observation.
 */
import { concat, keccak256 } from 'ethers'
import type { Logger } from 'pino'
import type { NodeConfig } from '../config/node-config.ts'
import { createWorkerPairJudge } from '../isolate/create-worker-pair-judge.ts'
import { HfPairJudgeError } from '../nlp/create-hf-pair-judge.ts'
import { loadPipelineJudge, type PipelineJudge } from './pipeline-models.ts'

export async function openPipelineJudge(config: Pick<NodeConfig, 'model'> & Partial<Pick<NodeConfig, 'workers'>>, logger: Logger): Promise<PipelineJudge> {
  const builtin = loadPipelineJudge()
  const isolation = config.workers?.isolation
  const selected = config.model.judge ?? 'builtin'
  if (selected === 'builtin') {
    // The pair judge runs on a thread of its own (the files were checked against judge-model.json first).
    const files = builtin.judge.pairJudgeFiles
    if (!files) return builtin
    return { ...builtin, judge: { ...builtin.judge, pairJudge: createWorkerPairJudge({ ...files, executionProvider: config.model.device }, { logger, isolation }) } }
  }
  const pairJudge = createWorkerPairJudge(
    {
      kind: 'hf',
      modelId: selected,
      modelsDir: config.model.modelsDir,
      allowRemoteModels: config.model.allowRemoteModels,
      executionProvider: config.model.device,
      batchSize: config.model.batchSize,
    },
    { logger, isolation },
  )
  // Loaded now, not on the first question: a judge that cannot be found or whose labels cannot be mapped
  // stops the node at start-up with the reason, and its hash is needed for every observation.
  const identity = await pairJudge.identify()
  if (!identity) throw new HfPairJudgeError(`The judge ${selected} did not identify itself.`)
  // The judge's hash also covers the built-in text judge's file: its features and lexicon still take part.
  const judgeHash = keccak256(concat([identity.modelHash, builtin.judgeHash]))
  logger.info({ judge: identity.modelId, labels: identity.labels, judgeHash }, `judge ${identity.modelId} loaded (labels ${identity.labels.join(', ')})`)
  const { pairJudge: _, pairJudgeFiles: __, ...rest } = builtin.judge
  return {
    judgeId: identity.modelId,
    judgeHash,
    judge: { ...rest, model: { ...rest.model, pairJudge: undefined }, pairJudge },
  }
}
