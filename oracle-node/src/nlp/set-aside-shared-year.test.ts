import test from 'ava'
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { judgeModelPath, loadJudgeModel } from '../resolve/load-judge-model.ts'
import type { JudgeModel } from '../resolve/score-evidence.ts'
import { createPairJudge } from './create-pair-judge.ts'
import { SHARED_YEAR_RULE, setAsideSharedYear } from './set-aside-shared-year.ts'

const read = (claim: string, passage: string) => setAsideSharedYear(claim, passage)

test('the year both sides share goes, with its preposition, month, day and part of the year', (t) => {
  t.deepEqual(read('The law took effect in 2024.', 'The law took effect on 1 January 2024.'), { claim: 'The law took effect.', passage: 'The law took effect.' })
  t.deepEqual(read('Voters approved the measure in 2022.', 'Voters approved the measure in November 2022 by a wide margin.'), {
    claim: 'Voters approved the measure.',
    passage: 'Voters approved the measure by a wide margin.',
  })
  t.is(read('The bank cut rates in 2024.', 'WASHINGTON, December 18, 2024 - The bank cut rates.').passage, 'WASHINGTON - The bank cut rates.')
  t.is(read('The factory closed in 2020.', 'In late 2020 the factory closed, leaving 400 workers without jobs.').passage, 'The factory closed, leaving 400 workers without jobs.')
  t.is(read('The orchestra toured Japan in 2016.', 'The orchestra toured Japan in the autumn of 2016, playing eleven concerts.').passage, 'The orchestra toured Japan, playing eleven concerts.')
  t.is(read('The team won the title in 2021.', 'The team won the title in 2021, beating its rival.').passage, 'The team won the title, beating its rival.')
  t.is(read('The 2018 election was close.', 'Polls before the 2018 election were wrong.').passage, 'Polls before the election were wrong.')
  // Every mention of it, in every sentence of the passage.
  t.is(read('The show ended in 2022.', 'The show ended in 2022. Its 2022 season was short.').passage, 'The show ended. Its season was short.')
})

test('a pair the year could be about something else in is left as it is', (t) => {
  const same = (claim: string, passage: string) => t.deepEqual(read(claim, passage), { claim, passage }, passage)
  // Another year in the passage: the claim's year may be another event's ("founded in 1987").
  same('The airline filed for bankruptcy in 1987.', 'The airline, which was founded in 1987, filed for bankruptcy in 2020.')
  same('The airline filed for bankruptcy in 2020.', 'The airline, which was founded in 1987, filed for bankruptcy in 2020.')
  // Two years in the claim, none, or not the passage's.
  same('The treaty, drafted in 1999, took effect in 2005.', 'The treaty took effect in 2005.')
  same('The museum reopened.', 'The museum reopened in 2025.')
  same('The museum opened in 2004.', 'The museum opened in 1998.')
  // A range, a decade, a code.
  same('The season ended in 2020.', 'The 2019-2020 season ended in 2020.')
  same('The band toured in 2019.', 'The band toured in 2019/20 and again in the 2020s.')
  same('The city had 2019 residents.', 'The city had 2019.5 residents.')
  // Nothing of a side would be left.
  same('2024?', 'The law took effect in 2024.')
})

test('judge-model.json records the rule, and its examples are what the code says', (t) => {
  const model = JSON.parse(readFileSync(judgeModelPath, 'utf8')) as { sharedYears?: unknown }
  t.deepEqual(model.sharedYears, SHARED_YEAR_RULE)
  for (const [claim, passage, claimRead, passageRead] of SHARED_YEAR_RULE.examples) t.deepEqual(read(claim, passage), { claim: claimRead, passage: passageRead }, passage)
})

// Written before the rule was measured on them (EVALUATION.md, "The year both sides share, set aside"), never
// trained on: a claim stated with its own year, the same year with the opposite or another event.
const SUPPORT = [
  ['The orchestra toured Japan in the autumn of 2016, playing eleven concerts.', 'The orchestra toured Japan in 2016.'],
  ['Construction of the stadium finished in 2014, two months behind schedule.', 'Construction of the stadium finished in 2014.'],
  ['On 3 May 2021 the regulator fined the bank for misleading customers.', 'The regulator fined the bank in 2021.'],
  ['The singer released her debut album in 2009 on a small independent label.', 'The singer released her debut album in 2009.'],
  ['Flooding closed the coastal highway for a week in February 2019.', 'Flooding closed the coastal highway in 2019.'],
  ['The startup was acquired by a larger rival in 2022 for an undisclosed sum.', 'The startup was acquired in 2022.'],
  ['Parliament passed the new data protection law in 2018 after a long debate.', 'Parliament passed the data protection law in 2018.'],
  ['The rover landed on Mars in February 2021 and sent back its first images within hours.', 'The rover landed on Mars in 2021.'],
  ['In 2017 the city opened a second airport terminal to handle growing traffic.', 'The city opened a second airport terminal in 2017.'],
  ['The company moved its headquarters to Denver during 2020.', 'The company moved its headquarters to Denver in 2020.'],
  ['The striker scored 31 goals for the club in 2015, a league record.', 'The striker scored 31 goals in 2015.'],
  ['The old factory was demolished in 2012 to make way for apartments.', 'The old factory was demolished in 2012.'],
] as const
const ANOTHER_EVENT = [
  ['The orchestra hired a new principal conductor in 2016.', 'The orchestra toured Japan in 2016.'],
  ['The city elected a new mayor in 2014.', 'Construction of the stadium finished in 2014.'],
  ['The bank opened forty new branches in 2021.', 'The regulator fined the bank in 2021.'],
  ['The singer married her longtime partner in 2009.', 'The singer released her debut album in 2009.'],
  ['Tourism to the coast reached a record high in 2019.', 'Flooding closed the coastal highway in 2019.'],
  ["The rover's design was first presented at a conference in 2021.", 'The rover landed on Mars in 2021.'],
  ['The club changed its kit sponsor in 2015.', 'The striker scored 31 goals in 2015.'],
  ['The neighbourhood got a new tram line in 2012.', 'The old factory was demolished in 2012.'],
] as const

test('the built-in pair model, as the node gives it a pair: a claim with its own year reads as support, another event of that year does not', async (t) => {
  const model = JSON.parse(readFileSync(judgeModelPath, 'utf8')) as JudgeModel
  const files = model.pairJudge!
  const quantized = loadJudgeModel(judgeModelPath, { executionProvider: 'cpu' }).pairJudgeFiles!.quantized
  const judge = createPairJudge({ onnxPath: resolve(dirname(judgeModelPath), files.onnx), vocabPath: resolve(dirname(judgeModelPath), files.vocab), inputs: files.inputs, quantized, executionProvider: 'cpu' })
  const supportCount = async (pairs: readonly (readonly [string, string])[]) => {
    const out = await judge.judgePairs(pairs.map(([passage, claim]) => {
      const r = read(claim, passage)
      return { premise: r.passage, hypothesis: r.claim }
    }))
    return out.filter((o) => o.entailment > o.neutral && o.entailment > o.contradiction).length
  }
  const support = await supportCount(SUPPORT)
  const another = await supportCount(ANOTHER_EVENT)
  t.log({ support, another })
  // Measured when the rule was added (the shipped graph): 12 of 12 (10 without the rule), and 0 of 8 (0 without).
  t.true(support >= 11, `${support} of ${SUPPORT.length} read as support`)
  t.true(another <= 1, `${another} of ${ANOTHER_EVENT.length} read as support`)
})
