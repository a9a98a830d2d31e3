/**
 * The pair judge as the node runs it: the committed ONNX model and vocabulary named by judge-model.json, on CPU.
 * The encoding must be the training script's (judge-lab/src/pair-model/train-pair-model.py): the hash of unknown
 * words is checked against values that script printed, and the shipped training record's reference batch
 * (ids made by the script) must give the probabilities the script computed.
 */
import test from 'ava'
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import * as ort from 'onnxruntime-node'
import { judgeModelPath, JudgeModelError, loadJudgeModel } from '../resolve/load-judge-model.ts'
import type { JudgeModel } from '../resolve/score-evidence.ts'
import { createPairJudge, fnv1a } from './create-pair-judge.ts'
import { detectDenial } from './detect-denial.ts'
import { tokenizeWords } from './tokenize-words.ts'

const model = JSON.parse(readFileSync(judgeModelPath, 'utf8')) as JudgeModel
const files = model.pairJudge!
const onnxPath = resolve(dirname(judgeModelPath), files.onnx)
const vocabPath = resolve(dirname(judgeModelPath), files.vocab)

test('unknown words hash as in the training script; the tokenizer keeps numbers whole', (t) => {
  // Printed by train-pair-model.py's fnv1a for the same strings.
  t.is(fnv1a('zyxw'), 2663796001)
  t.is(fnv1a('héllo'), 1252296000)
  t.deepEqual(tokenizeWords('In 2019, it cost $1,200.50 — not 3.5%!', 48), ['in', '2019', ',', 'it', 'cost', '$', '1,200.50', '—', 'not', '3.5', '%', '!'])
  t.is(tokenizeWords('a b c d', 2).length, 2)
})

test('the ONNX model gives the training script its own probabilities on the reference batch', async (t) => {
  const reference = (files.training as { reference?: Record<string, number[][]> }).reference
  if (reference === undefined) return t.fail('judge-model.json records no reference batch for the pair judge')
  const session = await ort.InferenceSession.create(onnxPath)
  const b = reference.premise_ids!.length
  const lp = reference.premise_ids![0]!.length
  const lh = reference.hypothesis_ids![0]!.length
  const out = await session.run({
    premise_ids: new ort.Tensor('int64', BigInt64Array.from(reference.premise_ids!.flat().map(BigInt)), [b, lp]),
    premise_match: new ort.Tensor('float32', Float32Array.from(reference.premise_match!.flat()), [b, lp]),
    hypothesis_ids: new ort.Tensor('int64', BigInt64Array.from(reference.hypothesis_ids!.flat().map(BigInt)), [b, lh]),
    hypothesis_match: new ort.Tensor('float32', Float32Array.from(reference.hypothesis_match!.flat()), [b, lh]),
  })
  const got = [...(out.probabilities!.data as Float32Array)]
  reference.probabilities!.flat().forEach((want, i) => t.true(Math.abs(got[i]! - want) < 1e-4, `probability ${i}: ${got[i]} vs ${want}`))
})

test('it reads which words the evidence contradicts: another number, another year; a denial is the rule\'s job', async (t) => {
  const judge = createPairJudge({ onnxPath, vocabPath, executionProvider: 'cpu' })
  const [affirmed, denied, number, year, unrelated] = await judge.judgePairs([
    { premise: 'The ferry authority raised fares for 2025 after a 5 to 0 vote.', hypothesis: 'The ferry authority raised fares in 2025.' },
    { premise: 'The ferry authority will not raise fares in 2025; the board rejected the increase.', hypothesis: 'The ferry authority raised fares in 2025.' },
    { premise: 'The bridge will cost 12 million dollars.', hypothesis: 'The bridge will cost 40 million dollars.' },
    { premise: 'The museum opened in 1998.', hypothesis: 'The museum opened in 2004.' },
    { premise: 'The weather in the valley was mild on Tuesday.', hypothesis: 'The ferry authority raised fares in 2025.' },
  ])
  t.log({ affirmed, denied, number, year, unrelated })
  t.true(affirmed!.entailment > affirmed!.contradiction, 'affirmed')
  // The model alone reads this denial as support (it is weak there): detect-denial.ts catches it for judge-text.
  t.true(detectDenial('The ferry authority raised fares in 2025.', 'The ferry authority will not raise fares in 2025; the board rejected the increase.'))
  t.log('denial, model alone', denied)
  t.true(number!.contradiction > number!.entailment, 'another number')
  t.true(year!.contradiction > year!.entailment, 'another year')
  t.true(unrelated!.neutral > 0.5, 'unrelated')
  t.is(judge.device(), 'cpu')
})

test('batching changes nothing: one call of many pairs equals one call per pair', async (t) => {
  const judge = createPairJudge({ onnxPath, vocabPath, executionProvider: 'cpu', batchSize: 8 })
  const pairs = Array.from({ length: 20 }, (_, i) => ({
    premise: `Report ${i}: the council ${i % 2 ? 'approved' : 'rejected'} the plan for ${'a new bridge over the river '.repeat(1 + (i % 4))}in ${2000 + i}.`,
    hypothesis: `The council approved the plan in ${2000 + ((i * 7) % 20)}.`,
  }))
  const together = await judge.judgePairs(pairs)
  for (const [i, p] of pairs.entries()) {
    const [alone] = await judge.judgePairs([p])
    t.true(Math.abs(alone!.entailment - together[i]!.entailment) < 1e-4 && Math.abs(alone!.contradiction - together[i]!.contradiction) < 1e-4, `pair ${i}`)
  }
  t.deepEqual(await judge.judgePairs([]), [])
})

test('a pair judge file that is not the one judge-model.json names is refused at load', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sibyl-pair-judge-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const copy = { ...model, pairJudge: { ...files, onnx: 'pair-judge.onnx', vocab: 'pair-judge-vocab.json' } }
  writeFileSync(join(dir, 'judge-model.json'), JSON.stringify(copy))
  copyFileSync(onnxPath, join(dir, 'pair-judge.onnx'))
  copyFileSync(vocabPath, join(dir, 'pair-judge-vocab.json'))
  t.truthy(loadJudgeModel(join(dir, 'judge-model.json'), { executionProvider: 'cpu' }).pairJudge)
  const words = JSON.parse(readFileSync(vocabPath, 'utf8')) as string[]
  ;[words[10], words[11]] = [words[11]!, words[10]!]
  writeFileSync(join(dir, 'pair-judge-vocab.json'), JSON.stringify(words))
  t.throws(() => loadJudgeModel(join(dir, 'judge-model.json')), { instanceOf: JudgeModelError, message: /is not the one/ })
  t.falsy(loadJudgeModel(join(dir, 'judge-model.json'), { pairJudge: false }).pairJudge, 'the logistic judge alone loads without it')
})
