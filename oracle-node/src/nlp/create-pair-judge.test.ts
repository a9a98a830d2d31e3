/**
 * The pair judge as the node runs it: the committed ONNX model and its vocabulary (the sentence encoder's
 * tokenizer.json for the `pieces` format) named by judge-model.json, on CPU. The shipped training record's
 * reference batch (ids made by the training script) must give the probabilities the script computed (closely,
 * when the shipped graph is the 8-bit one); for the
 * `words` format, the hash of unknown words is checked against values train-pair-model.py printed.
 */
import test, { type ExecutionContext } from 'ava'
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import * as ort from 'onnxruntime-node'
import { judgeModelPath, JudgeModelError, loadJudgeModel } from '../resolve/load-judge-model.ts'
import type { JudgeModel } from '../resolve/score-evidence.ts'
import { createPairJudge, fnv1a } from './create-pair-judge.ts'
import { detectDenial } from './detect-denial.ts'
import { detectNumberConflict } from './detect-number-conflict.ts'
import { tokenizeWords } from './tokenize-words.ts'

const model = JSON.parse(readFileSync(judgeModelPath, 'utf8')) as JudgeModel
const files = model.pairJudge!
const onnxPath = resolve(dirname(judgeModelPath), files.onnx)
const vocabPath = resolve(dirname(judgeModelPath), files.vocab)
// As the node decides it (load-judge-model.ts): the 8-bit graph runs one pair per call.
const quantized = loadJudgeModel(judgeModelPath, { executionProvider: 'cpu' }).pairJudgeFiles!.quantized

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
  // Every input the script recorded (ids as int64; masks and match flags as float32), in the graph's names.
  const feeds: Record<string, ort.Tensor> = {}
  for (const name of session.inputNames) {
    const rows = reference[name]
    if (rows === undefined) return t.fail(`the reference batch has no ${name}`)
    const dims = [rows.length, rows[0]!.length]
    feeds[name] = name.endsWith('_ids') ? new ort.Tensor('int64', BigInt64Array.from(rows.flat().map((v) => BigInt(v))), dims) : new ort.Tensor('float32', Float32Array.from(rows.flat()), dims)
  }
  const out = await session.run(feeds)
  const got = [...(out.probabilities!.data as Float32Array)]
  const quantized = (files.training as { quantized?: { weights: string } }).quantized
  if (quantized === undefined) {
    reference.probabilities!.flat().forEach((want, i) => t.true(Math.abs(got[i]! - want) < 1e-4, `probability ${i}: ${got[i]} vs ${want}`))
    return
  }
  // The shipped graph is the 8-bit one (quantize-pair-model.py); the script computed the float model's
  // probabilities. Rounding the weights to 7 bits moves them a little, never to another label: a transposed or
  // misscaled matrix moves them far.
  t.log(`8-bit (${quantized.weights}) vs float on the reference batch: ${got.map((g, i) => (g - reference.probabilities!.flat()[i]!).toFixed(4)).join(' ')}`)
  // Each probability may move by up to the tolerance, so two labels closer than twice it may swap: the label is
  // compared only where the float graph's top two are further apart (a tie, 0.386 against 0.383, cannot hold it).
  const tolerance = 0.05
  let labelled = 0
  reference.probabilities!.forEach((want, row) => {
    const mine = got.slice(3 * row, 3 * row + 3)
    want.forEach((w, k) => t.true(Math.abs(mine[k]! - w) < tolerance, `pair ${row} probability ${k}: ${mine[k]} vs ${w}`))
    const [first, second] = [...want].sort((a, b) => b - a)
    if (first! - second! < 2 * tolerance) return
    labelled++
    t.is(mine.indexOf(Math.max(...mine)), want.indexOf(Math.max(...want)), `pair ${row}: the same label`)
  })
  t.true(labelled > 0, 'at least one reference pair is clear enough to compare labels')
})

test('it reads the evidence: support, an unrelated passage; a denial, a number and a year are the rules\' job', async (t) => {
  const judge = createPairJudge({ onnxPath, vocabPath, inputs: files.inputs, quantized, executionProvider: 'cpu' })
  const claim = 'The ferry authority raised fares in 2025.'
  const [affirmed, denied, number, year, unrelated] = await judge.judgePairs([
    { premise: 'The ferry authority raised fares for 2025 after a 5 to 0 vote.', hypothesis: claim },
    { premise: 'The ferry authority will not raise fares in 2025; the board rejected the increase.', hypothesis: claim },
    { premise: 'The bridge will cost 12 million dollars.', hypothesis: 'The bridge will cost 40 million dollars.' },
    { premise: 'The museum opened in 1998.', hypothesis: 'The museum opened in 2004.' },
    { premise: 'The weather in the valley was mild on Tuesday.', hypothesis: claim },
  ])
  t.log({ affirmed, denied, number, year, unrelated })
  t.true(affirmed!.entailment > affirmed!.contradiction && affirmed!.entailment > affirmed!.neutral, 'affirmed')
  t.true(unrelated!.neutral > 0.5, 'unrelated')
  // The model alone is weak on these (logged above): the explicit rules catch them for judge-text.ts.
  t.true(detectDenial(claim, 'The ferry authority will not raise fares in 2025; the board rejected the increase.'))
  t.true(detectNumberConflict('The bridge will cost 40 million dollars.', 'The bridge will cost 12 million dollars.'))
  t.true(detectNumberConflict('The museum opened in 2004.', 'The museum opened in 1998.'))
  t.is(judge.device(), 'cpu')
})

test('a pair in a script the model cannot read is no evidence, not a match of unknown pieces', async (t) => {
  const judge = createPairJudge({ onnxPath, vocabPath, inputs: files.inputs, quantized, executionProvider: 'cpu' })
  // Red before the fix: every character here is the one unknown piece, so the two sides looked alike (0.92 entailment).
  const [foreign, english] = await judge.judgePairs([
    { premise: '中国 😀', hypothesis: '日本 😀' },
    { premise: 'The ferry authority raised fares for 2025 after a 5 to 0 vote.', hypothesis: 'The ferry authority raised fares in 2025.' },
  ])
  t.deepEqual(foreign, { entailment: 0, neutral: 1, contradiction: 0 })
  t.true(english!.entailment > english!.contradiction && english!.entailment > english!.neutral, 'English beside it is still read')
})

test('batching changes nothing: one call of many pairs equals one call per pair', async (t) => {
  const judge = createPairJudge({ onnxPath, vocabPath, inputs: files.inputs, quantized, executionProvider: 'cpu', batchSize: 8 })
  const pairs = Array.from({ length: 20 }, (_, i) => ({
    premise: `Report ${i}: the council ${i % 2 ? 'approved' : 'rejected'} the plan for ${'a new bridge over the river '.repeat(1 + (i % 4))}in ${2000 + i}.`,
    hypothesis: `The council approved the plan in ${2000 + ((i * 7) % 20)}.`,
  }))
  const together = await judge.judgePairs(pairs)
  for (const [i, p] of pairs.entries()) {
    const [alone] = await judge.judgePairs([p])
    // The 8-bit graph quantizes activations per call: it runs each pair alone, so the figures are the very same.
    if (quantized) t.deepEqual(alone, together[i], `pair ${i}`)
    else t.true(Math.abs(alone!.entailment - together[i]!.entailment) < 1e-4 && Math.abs(alone!.contradiction - together[i]!.contradiction) < 1e-4, `pair ${i}`)
  }
  t.deepEqual(await judge.judgePairs([]), [])
})

test('a pair judge file that is not the one judge-model.json names is refused at load', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sibyl-pair-judge-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const copy = { ...model, pairJudge: { ...files, onnx: 'pair-judge.onnx', vocab: 'vocab.json' } }
  writeFileSync(join(dir, 'judge-model.json'), JSON.stringify(copy))
  copyFileSync(onnxPath, join(dir, 'pair-judge.onnx'))
  copyFileSync(vocabPath, join(dir, 'vocab.json'))
  t.truthy(loadJudgeModel(join(dir, 'judge-model.json'), { executionProvider: 'cpu' }).pairJudge)
  // One changed byte of the vocabulary (two pieces' scores, or two words, trade places in effect).
  const bytes = readFileSync(vocabPath)
  bytes[bytes.length - 3] = bytes[bytes.length - 3] === 0x31 ? 0x32 : 0x31
  writeFileSync(join(dir, 'vocab.json'), bytes)
  t.throws(() => loadJudgeModel(join(dir, 'judge-model.json')), { instanceOf: JudgeModelError, message: /is not the one/ })
  t.falsy(loadJudgeModel(join(dir, 'judge-model.json'), { pairJudge: false }).pairJudge, 'the logistic judge alone loads without it')
  writeFileSync(join(dir, 'judge-model.json'), JSON.stringify({ ...copy, pairJudge: { ...copy.pairJudge, inputs: 'bytes' } }))
  t.throws(() => loadJudgeModel(join(dir, 'judge-model.json')), { instanceOf: JudgeModelError, message: /unknown inputs "bytes"/ })
})

/** How many [passage, statement] pairs the shipped judge reads as support (entailment its largest); logs each reading. */
async function countSupport(t: ExecutionContext, pairs: ReadonlyArray<readonly [string, string]>): Promise<number> {
  const judge = createPairJudge({ onnxPath, vocabPath, inputs: files.inputs, quantized, executionProvider: 'cpu' })
  const out = await judge.judgePairs(pairs.map(([premise, hypothesis]) => ({ premise, hypothesis })))
  t.log(out.map((o, i) => `E ${o.entailment.toFixed(2)} N ${o.neutral.toFixed(2)} C ${o.contradiction.toFixed(2)}  ${pairs[i]![0]}`).join('\n'))
  return out.filter((o) => o.entailment > o.neutral && o.entailment > o.contradiction).length
}

test('a sentence that states the claim with its own year reads as support (a judge that fails this is not shipped)', async (t) => {
  // A distilled student that beat the shipped judge by 2.6 points on the validation pairs read most of these as
  // neutral or contradiction (6 of 10 support): market questions carry years, so validation accuracy alone does not
  // decide a judge (EVALUATION.md, "Tried and not shipped: a distilled student and a mean of two").
  const pairs = [
    ['The company opened its first store in Austin in 2019.', 'The company opened its first store in 2019.'],
    ['In 2024, the central bank raised interest rates three times.', 'The central bank raised interest rates in 2024.'],
    ['The bridge was completed in 2023 after four years of work.', 'The bridge was completed in 2023.'],
    ['Voters approved the measure in November 2022 by a wide margin.', 'Voters approved the measure in 2022.'],
    ['The team won the championship in 2021, beating its rival in the final.', 'The team won the championship in 2021.'],
    ['The museum reopened to the public in March 2025 after renovations.', 'The museum reopened in 2025.'],
    ['The festival was cancelled in 2020 because of the pandemic.', 'The festival was cancelled in 2020.'],
    ['Her novel was published in 2018 and became a best seller.', 'Her novel was published in 2018.'],
    ['The airline raised ticket prices in 2025 after fuel costs rose.', 'The airline raised ticket prices in 2025.'],
    ['The law took effect on 1 January 2024.', 'The law took effect in 2024.'],
  ] as const
  const support = await countSupport(t, pairs)
  t.true(support >= 9, `${support} of ${pairs.length} read as support`)
})

test('a sentence that states the claim beside other numbers and years still reads as support', async (t) => {
  // Written on 6 December before a student of the shipped judge, trained with pairs restating statements with
  // more detail, finished (EVALUATION.md, "Tried and not shipped"); never trained on. The shipped judge reads 10 of
  // 12 as support, that student 5: it read a percentage, an amount or a second year beside the claim's own as a
  // contradiction ("Construction of the railway began in 2018 and is due to end in 2027.", P(contradiction) 0.98).
  const pairs = [
    ['The city council approved the new budget on 14 June 2023 with two members absent.', 'The city council approved the new budget in 2023.'],
    ['Shares of the carmaker fell 8 percent in 2022, its worst year in a decade.', 'Shares of the carmaker fell in 2022.'],
    ['The agency launched its second lunar probe in 2026 from a site in the south.', 'The agency launched a lunar probe in 2026.'],
    ['By a vote of 61 to 39, the senate confirmed the judge in 2021.', 'The senate confirmed the judge in 2021.'],
    ['The singer released her third album in October 2017, which sold 2 million copies.', 'The singer released an album in 2017.'],
    ['In late 2019 the factory closed, leaving 400 workers without jobs.', 'The factory closed in 2019.'],
    ['The union signed a new contract in 2024 that raised wages by 6 percent.', 'The union signed a new contract in 2024.'],
    ['The stadium hosted the final in 2016 in front of 80,000 fans.', 'The stadium hosted the final in 2016.'],
    ['Regulators fined the bank 30 million dollars in 2020 for reporting failures.', 'Regulators fined the bank in 2020.'],
    ['After 11 rounds of talks, the two countries signed the treaty in 2015.', 'The two countries signed the treaty in 2015.'],
    ['The mayor was re-elected in 2022 with 58 percent of the vote.', 'The mayor was re-elected in 2022.'],
    ['Construction of the railway began in 2018 and is due to end in 2027.', 'Construction of the railway began in 2018.'],
  ] as const
  const support = await countSupport(t, pairs)
  // One of slack, as above: the shipped judge's closest reading (the council, E 0.50 / N 0.42) may move on another CPU.
  t.true(support >= 9, `${support} of ${pairs.length} read as support`)
})

// Written on 6 December before a second student finished, whose restated pairs carried a second year tied to
// another event (EVALUATION.md, "Tried and not shipped: the same student, with a second year"); never trained on.
const BESIDE_ANOTHER_YEAR = [
  ['The museum reopened in 2021, nine years after a fire in 2012 destroyed its east wing.', 'The museum reopened in 2021.'],
  ['Elected in 2014 on a reform ticket, the governor signed the water bill in 2019.', 'The governor signed the water bill in 2019.'],
  ['The airline, which was founded in 1987, filed for bankruptcy in 2020.', 'The airline filed for bankruptcy in 2020.'],
  ['The team won the title in 2018, its first since 1995.', 'The team won the title in 2018.'],
  ['In 2023 the company moved its headquarters to Austin; it had been based in Chicago since 1971.', 'The company moved its headquarters in 2023.'],
  ['The author, born in 1958, won the prize in 2009 for her fourth novel.', 'The author won the prize in 2009.'],
  ['The treaty, first drafted in 1999, entered into force in 2005 after 40 countries ratified it.', 'The treaty entered into force in 2005.'],
  ['Prices rose 3.4 percent in 2024, down from 8 percent a year earlier.', 'Prices rose in 2024.'],
  ['The bridge, planned since the 1980s and approved in 2011, opened to traffic in 2016.', 'The bridge opened to traffic in 2016.'],
  ['Two decades after its 2001 debut, the show ended its run in 2022 with a 90-minute finale.', 'The show ended its run in 2022.'],
  ['The refinery, shut in 2015 for repairs, restarted in 2017 at half of its 2014 output.', 'The refinery restarted in 2017.'],
  ['Having lost the 2016 primary, she won the party\'s nomination in 2020.', "She won the party's nomination in 2020."],
] as const

test('a sentence that states the claim beside another year of another event (or last year\'s figure) still reads as support', async (t) => {
  // The shipped judge reads 12 of 12 as support, that student 6: a second year beside the claim's own still read as
  // a contradiction.
  const support = await countSupport(t, BESIDE_ANOTHER_YEAR)
  // One of slack, as above: the closest reading (the refinery, E 0.36 / N 0.33) may move on another CPU.
  t.true(support >= 11, `${support} of ${BESIDE_ANOTHER_YEAR.length} read as support`)
})

test('the same passages with the claim moved to the other event\'s year: a weakness, held where it is', async (t) => {
  // A year is not bound to its event (EVALUATION.md, "What still fails"): the shipped judge reads 6 of these 8 as
  // support, that student 2. The number rule does not fire (the claim's year is on the page). A judge that reads
  // more of them as support is worse at it; one of slack (the governor ties, E 0.41 / N 0.41).
  const moved: Record<string, string> = {
    'The museum reopened in 2021.': 'The museum reopened in 2012.',
    'The governor signed the water bill in 2019.': 'The governor signed the water bill in 2014.',
    'The airline filed for bankruptcy in 2020.': 'The airline filed for bankruptcy in 1987.',
    'The team won the title in 2018.': 'The team won the title in 2019.',
    'The author won the prize in 2009.': 'The author won the prize in 1958.',
    'The treaty entered into force in 2005.': 'The treaty entered into force in 1999.',
    'The refinery restarted in 2017.': 'The refinery restarted in 2015.',
    "She won the party's nomination in 2020.": "She won the party's nomination in 2016.",
  }
  const pairs = BESIDE_ANOTHER_YEAR.filter(([, claim]) => claim in moved).map(([passage, claim]) => [passage, moved[claim]!] as const)
  t.is(pairs.length, 8)
  const support = await countSupport(t, pairs)
  t.true(support <= 7, `${support} of ${pairs.length} read as support`)
})
