import test from 'ava'
import { readFileSync } from 'node:fs'
import { judgeModelPath } from '../resolve/load-judge-model.ts'
import { detectDenial, DENIAL_RULE } from './detect-denial.ts'

test('a passage that denies what the claim asserts', (t) => {
  t.true(detectDenial('the Gull Island Lighthouse Museum reopen to visitors in March 2025', 'The Gull Island Lighthouse Museum did not reopen to visitors in March as planned.'))
  t.true(detectDenial('the ferry authority raise fares for 2025', 'The board rejected a staff proposal to raise fares.'))
  t.true(detectDenial('the senator won re-election', "The senator hasn't won re-election."))
  t.true(detectDenial('the band released a new album', 'The band never released a new album after 1999.'))
})

test('no denial: affirmations, negations about other words, negated claims', (t) => {
  t.false(detectDenial('the council approve the Millrace Bridge replacement', 'The Port Alder City Council approved the replacement of the Millrace Bridge on Tuesday night.'))
  t.false(detectDenial('the council approve the bridge', 'Two members voted against it; they did not want the cost. The council approved the bridge.'))
  t.false(detectDenial('the museum did not reopen', 'The museum did not reopen.'), 'a negated claim is left to the model')
  t.false(detectDenial('the museum reopened in March', 'The museum reopened in March. No visitors were hurt.'))
  t.false(detectDenial('the museum reopen in 2025', 'Despite fears it would never reopen, the museum reopened its doors in 2025.'), 'denied, then affirmed in the same sentence')
  t.true(detectDenial('the museum reopen in 2025', 'The museum did not reopen in 2025; it will not reopen before 2027.'), 'denied twice is still a denial')
})

test('judge-model.json records the rule, and its examples are what the code says', (t) => {
  const model = JSON.parse(readFileSync(judgeModelPath, 'utf8')) as { denials?: unknown }
  t.deepEqual(model.denials, DENIAL_RULE)
  for (const [claim, passage, said] of DENIAL_RULE.examples) t.is(detectDenial(claim, passage), said, claim)
})
