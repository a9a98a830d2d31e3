// model.judge selects the node's text judge; the signed model hash names it. The Hugging Face path runs a tiny
// BERT cross-encoder with random weights (nlp/testing/tiny-nli, see create-hf-pair-judge.test.ts) on its thread.
import test from 'ava'
import { fileURLToPath } from 'node:url'
import pino from 'pino'
import { nodeConfigSchema, type NodeConfig } from '../config/node-config.ts'
import type { WorkerPairJudge } from '../isolate/create-worker-pair-judge.ts'
import { openPipelineJudge } from './open-pipeline-judge.ts'
import { JUDGE_ID, pipelineModelHash, pipelineModelId } from './pipeline-models.ts'

const modelsDir = fileURLToPath(new URL('../nlp/testing/tiny-nli', import.meta.url))
const logger = pino({ level: 'silent' })
const model = (judge: string): Pick<NodeConfig, 'model'> => ({
  model: { modelsDir, embeddingModel: 'google/universal-sentence-encoder-lite', allowRemoteModels: false, device: 'cpu', batchSize: 8, embeddingCacheEntries: 0, minConfidenceBps: 6000, judge },
})

test('two nodes with different judges sign different model hashes and ids', async (t) => {
  const builtin = await openPipelineJudge(model('builtin'), logger)
  const hf = await openPipelineJudge(model('sibyl-test/tiny-nli'), logger)
  t.is(builtin.judgeId, JUDGE_ID)
  t.is(hf.judgeId, 'sibyl-test/tiny-nli')
  t.not(hf.judgeHash, builtin.judgeHash)
  const encoder = `0x${'11'.repeat(32)}`
  t.not(pipelineModelHash(encoder, hf.judgeHash), pipelineModelHash(encoder, builtin.judgeHash))
  t.is(pipelineModelId('google/universal-sentence-encoder-lite', hf.judgeId), 'google/universal-sentence-encoder-lite+sibyl-test/tiny-nli')
  // The fusion fitted to the built-in pair judge does not apply to another model.
  t.is(hf.judge.model.pairJudge, undefined)
  const judged = await hf.judge.pairJudge!.judgePairs([{ premise: 'The bridge reopened.', hypothesis: 'The bridge reopened.' }])
  t.is(judged.length, 1)
  t.true(Math.abs(judged[0]!.entailment + judged[0]!.neutral + judged[0]!.contradiction - 1) < 1e-6)
  await (hf.judge.pairJudge as WorkerPairJudge).dispose()
  await (builtin.judge.pairJudge as WorkerPairJudge | undefined)?.dispose()
})

test('a judge whose labels cannot be mapped stops the node at start-up with the reason', async (t) => {
  const error = await t.throwsAsync(openPipelineJudge(model('sibyl-test/tiny-nli-bad'), logger))
  t.regex(error!.message, /did not start|cannot map/)
  t.regex(JSON.stringify(error), /LABEL_0/)
})

test('model.judge: "builtin" by default; a malformed id is a config error', (t) => {
  const parsedModel = nodeConfigSchema.shape.model.parse(undefined)
  t.is(parsedModel.judge, 'builtin')
  t.is(nodeConfigSchema.shape.model.parse({ judge: 'Xenova/nli-deberta-v3-xsmall' }).judge, 'Xenova/nli-deberta-v3-xsmall')
  t.throws(() => nodeConfigSchema.shape.model.parse({ judge: '../../etc/passwd' }), { message: /model.judge must be/ })
})
