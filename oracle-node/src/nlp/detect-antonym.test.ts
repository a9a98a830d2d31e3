import test from 'ava'
import { readFileSync } from 'node:fs'
import { judgeModelPath } from '../resolve/load-judge-model.ts'
import { detectAntonym as opposite, OPPOSITES_RULE } from './detect-antonym.ts'

test('the opposite event about the same thing is read', (t) => {
  t.true(opposite('Carlos Alcaraz won the Wimbledon final', 'Carlos Alcaraz lost the Wimbledon final to Jannik Sinner in four sets on Sunday.'))
  t.true(opposite('Apple shares rose on Monday', 'Apple shares fell 3% on Monday after the company cut its sales forecast.'))
  t.true(opposite('the company reported a profit in the third quarter', 'The company reported a loss of 40 million dollars in the third quarter.'))
  t.true(opposite('the Kestrel Bay ferry strike ended', 'The Kestrel Bay ferry strike continued into its third week on Monday.'))
  t.true(opposite('the incumbent lost the election', 'The incumbent won the election with 58 percent of the vote.'))
  t.true(opposite('the Fed raised interest rates', 'The Fed cut interest rates by a quarter point.'))
  t.true(opposite('the museum reopened to visitors', 'The museum remained closed to visitors all spring.'))
})

test('another subject, both sides said, a negation or nothing else in common is not read', (t) => {
  t.false(opposite('Apple shares rose on Monday', 'Microsoft shares fell on Monday, while Apple shares rose 2%.'), 'another clause, another subject')
  t.false(opposite('Apple shares rose on Monday', 'Microsoft shares fell on Monday.'))
  t.false(opposite('Carlos Alcaraz won the Wimbledon final', 'Carlos Alcaraz won the semi-final but lost the Wimbledon final.'), 'both sides in the sentence')
  t.false(opposite('Carlos Alcaraz won the Wimbledon final', 'Carlos Alcaraz did not lose the Wimbledon final.'))
  t.false(opposite('Carlos Alcaraz did not win the Wimbledon final', 'Carlos Alcaraz lost the Wimbledon final.'), 'a negated claim')
  t.false(opposite('Carlos Alcaraz won the Wimbledon final', 'Carlos Alcaraz lost the French Open final.'))
  t.false(opposite('the strike ended', 'Talks continued after the strike ended.'))
  t.false(opposite('won', 'lost'))
  t.false(opposite('', 'Apple shares fell.'))
})

test('judge-model.json records the rule, and its examples are what the code says', (t) => {
  const model = JSON.parse(readFileSync(judgeModelPath, 'utf8')) as { opposites?: unknown }
  t.deepEqual(model.opposites, OPPOSITES_RULE)
  for (const [claim, passage, said] of OPPOSITES_RULE.examples) t.is(opposite(claim, passage), said, claim)
})
