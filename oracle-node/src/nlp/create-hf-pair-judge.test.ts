// The pluggable-judge path with tiny BERT cross-encoders of the real architecture and RANDOM weights, built by
// judge-lab/src/tiny-nli/build-tiny-nli.py: what is tested is loading through transformers.js, the tokenizer's
// pair encoding, batching, the label mapping and the hash; the models' answers mean nothing.
import test from 'ava'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { hashJudgeFiles, loadHfPairJudge, mapLabels } from './create-hf-pair-judge.ts'

const modelsDir = fileURLToPath(new URL('./testing/tiny-nli', import.meta.url))
const open = (modelId: string, dir = modelsDir) => loadHfPairJudge({ modelId, modelsDir: dir, allowRemoteModels: false, executionProvider: 'cpu', batchSize: 2 })

const pairs = [
  { premise: 'The lighthouse reopened on Monday after the storm.', hypothesis: 'The lighthouse reopened.' },
  { premise: 'The team lost the final.', hypothesis: 'The team won the cup.' },
  { premise: 'Prices rose.', hypothesis: 'Prices fell.' },
  { premise: 'The council approved the bill on Tuesday after a long vote.', hypothesis: 'The bill was rejected.' },
  { premise: 'It rained.', hypothesis: 'It rained.' },
]

test('a three-label cross-encoder: labels mapped by name whatever their order, probabilities sum to one', async (t) => {
  const judge = await open('sibyl-test/tiny-nli')
  t.deepEqual(judge.labels, ['CONTRADICTION', 'ENTAILMENT', 'NEUTRAL'])
  const out = await judge.judgePairs(pairs)
  t.is(out.length, pairs.length)
  for (const j of out) {
    t.true(Math.abs(j.entailment + j.neutral + j.contradiction - 1) < 1e-6)
    t.true([j.entailment, j.neutral, j.contradiction].every((p) => p > 0 && p < 1))
  }
  t.is(judge.device(), 'cpu')
  await judge.dispose()
})

test("batching never changes a pair's probabilities (batches hold one token length, no padding)", async (t) => {
  const judge = await open('sibyl-test/tiny-nli')
  const together = await judge.judgePairs(pairs)
  const alone = await Promise.all(pairs.map(async (p) => (await judge.judgePairs([p]))[0]!))
  t.deepEqual(together, alone)
  t.deepEqual(await judge.judgePairs([...pairs].reverse()), [...together].reverse())
  await judge.dispose()
})

test('a two-label model (entailment / not_entailment): not_entailment reads as neutral, never as contradiction', async (t) => {
  const judge = await open('sibyl-test/tiny-nli-2')
  for (const j of await judge.judgePairs(pairs)) {
    t.is(j.contradiction, 0)
    t.true(Math.abs(j.entailment + j.neutral - 1) < 1e-6)
  }
  await judge.dispose()
})

test('labels that say nothing (LABEL_0…) are refused at load, naming them', async (t) => {
  const error = await t.throwsAsync(open('sibyl-test/tiny-nli-bad'))
  t.regex(error!.message, /LABEL_0, LABEL_1, LABEL_2/)
})

test('mapLabels: names in any case and order; ambiguous or missing names refused', (t) => {
  t.deepEqual(mapLabels(['contradiction', 'entailment', 'neutral'], 'm'), { entailment: 1, neutral: 2, contradiction: 0 })
  t.deepEqual(mapLabels(['ENTAILMENT', 'NEUTRAL', 'CONTRADICTION'], 'm'), { entailment: 0, neutral: 1, contradiction: 2 })
  t.deepEqual(mapLabels(['entailment', 'not_entailment'], 'm'), { entailment: 0, neutral: 1, contradiction: undefined })
  t.throws(() => mapLabels(['entailment', 'entailment', 'neutral'], 'm'))
  t.throws(() => mapLabels(['positive', 'negative'], 'm'))
  t.throws(() => mapLabels(['a', 'b', 'c', 'd'], 'm'))
})

test('a model found nowhere is a clear error naming where it looked', async (t) => {
  const error = await t.throwsAsync(open('sibyl-test/no-such-judge'))
  t.regex(error!.message, /not found/)
})

test('the hash covers the label map: the same weights with swapped labels hash differently', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sibyl-hf-judge-'))
  try {
    cpSync(join(modelsDir, 'sibyl-test/tiny-nli'), join(dir, 'sibyl-test/tiny-nli'), { recursive: true })
    const config = join(dir, 'sibyl-test/tiny-nli/config.json')
    const original = await hashJudgeFiles(join(dir, 'sibyl-test/tiny-nli'))
    t.is(original, await hashJudgeFiles(join(modelsDir, 'sibyl-test/tiny-nli')))
    const c = JSON.parse(readFileSync(config, 'utf8'))
    c.id2label = { 0: 'ENTAILMENT', 1: 'CONTRADICTION', 2: 'NEUTRAL' }
    writeFileSync(config, JSON.stringify(c))
    t.not(await hashJudgeFiles(join(dir, 'sibyl-test/tiny-nli')), original)
    const judge = await open('sibyl-test/tiny-nli', dir)
    t.is(judge.modelHash, await hashJudgeFiles(join(dir, 'sibyl-test/tiny-nli')))
    await judge.dispose()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
