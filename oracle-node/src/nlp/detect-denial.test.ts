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

test('idioms that deny nothing the claim says: a noun without something, not only, a double negative, a question, a stated lack', (t) => {
  // Each fired on an entailment pair of the training data (../shared/train) before.
  t.false(detectDenial('A man is walking to a gas station.', 'A man without a shirt walking towards a gas station.'))
  t.false(detectDenial('M and S criticize characterizations that are irrelevant.', 'They criticize characterizations that are not only irrelevant but offensive.'))
  t.false(detectDenial('Rats always freaked me out.', 'The rats never failed to freak me out.'))
  t.false(detectDenial('It is important to floss.', "And don't forget to floss."))
  t.false(detectDenial('You should join and keep supporting us in 1999.', "Won't you join us by continuing your support in 1999?"))
  t.false(detectDenial('We became friends due to a lack of mutual attraction.', "The feeling wasn't mutual, so we became friends."))
  t.false(detectDenial('Bin Laden declined, judging his circumstances more favorable.', 'Bin Ladin declined, apparently judging that his circumstances remained more favorable.'))
  t.false(detectDenial('You really need to keep up.', 'No, you must really keep up.'))
  // Still denials:
  t.true(detectDenial('The museum reopened.', 'The museum did not reopen.'))
  t.true(detectDenial('Secular regimes had many options to offer.', 'Secular regimes had no alternative to offer.'))
  t.true(detectDenial('the Senate passed the bill', 'The bill failed to pass the Senate.'))
})

test('judge-model.json records the rule, and its examples are what the code says', (t) => {
  const model = JSON.parse(readFileSync(judgeModelPath, 'utf8')) as { denials?: unknown }
  t.deepEqual(model.denials, DENIAL_RULE)
  for (const [claim, passage, said] of DENIAL_RULE.examples) t.is(detectDenial(claim, passage), said, claim)
})
