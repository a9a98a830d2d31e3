import test from 'ava'
import { readFileSync } from 'node:fs'
import { judgeModelPath } from '../resolve/load-judge-model.ts'
import { detectAntonym as opposite, OPPOSITES_RULE } from './detect-antonym.ts'

test('the opposite event about the same thing is read', (t) => {
  t.true(opposite('Carlos Alcaraz won the Wimbledon final', 'Carlos Alcaraz lost the Wimbledon final to Jannik Sinner in four sets on Sunday.'))
  t.true(opposite('Apple shares rose on Monday', 'Apple shares fell 3% on Monday after the company cut its sales forecast.'))
  t.true(opposite('the company reported a profit in the third quarter', 'The company reported a loss of 40 million dollars in the third quarter.'))
  t.true(opposite('the incumbent lost the election', 'The incumbent won the election with 58 percent of the vote.'))
  t.true(opposite('the Fed raised interest rates', 'The Fed cut interest rates by a quarter point.'))
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

test('an attack review\'s cases: another subject, the converse, a noun, another sense, another time, a report, a negation', (t) => {
  const cases: [string, string][] = [
    ['Apple shares rose on Monday', 'Apple shares advanced as Samsung shares fell on Monday.'],
    ['Apple shares rose on Monday', 'Apple shares ended higher as Treasury yields fell on Monday.'],
    ['Jannik Sinner lost the Wimbledon final', "Jannik Sinner's rival Carlos Alcaraz won the Wimbledon final in four sets."],
    ['the incumbent lost the election', "The incumbent's challenger won the election with 58 percent."],
    ['Apple shares rose on Monday', 'Apple shares shrugged off an early drop to end higher on Monday.'],
    ['the company raised its dividend', 'The company reversed the 2020 cut to its dividend.'],
    ['Ford sales grew', 'Ford sales got a boost this fall from new hybrid models.'],
    ['Carlos Alcaraz won the Wimbledon final', 'Carlos Alcaraz recovered from the loss of the first set to take the Wimbledon final.'],
    ['Apple shares closed higher on Monday', 'Apple shares opened higher on Monday and never looked back.'],
    ['the border reopened on Monday', 'The border crossing close to Tijuana resumed operations on Monday.'],
    ['Carlos Alcaraz won the Wimbledon final', 'A year after Carlos Alcaraz lost the Wimbledon final he lifted the trophy.'],
    ['Carlos Alcaraz won the Wimbledon final', 'Carlos Alcaraz lost the Wimbledon final in 2023 but lifted the trophy in 2024.'],
    ['Smith was convicted of fraud', 'Smith had been acquitted of fraud in 2019 but was found guilty on Tuesday.'],
    ['Apple shares rose on Monday', 'Analysts had warned Apple shares would fall on Monday.'],
    ['Apple won its lawsuit', 'Reports that Apple lost its lawsuit were false.'],
    ['Apple shares rose on Monday', 'If Apple shares fall on Monday, the index will follow.'],
    ['Apple shares rose on Monday', 'Apple shares didn’t fall on Monday.'],
    ['the Fed raised interest rates in March', 'Nobody expects the Fed to cut interest rates in March.'],
    // A second review:
    ['Tesla shares rose on Monday', 'Tesla shares fell 4% early Monday before rebounding to close 2% higher.'],
    ['Apple shares rose on Monday', 'Apple shares fell in premarket trading Monday. They closed 2% higher.'],
    ['Alcaraz won the Wimbledon final', 'Alcaraz lost his temper in the Wimbledon final, smashing a racket, yet still lifted the trophy.'],
    ['Republicans won the Senate', 'Republicans lost the Senate seat in Maine while keeping control of the chamber.'],
    ['Tesla reported a profit in Q3', 'Tesla reported a loss in its energy unit in Q3.'],
    ['the jury acquitted Smith', "The jury convicted Smith's co-defendant, Jones, on all counts."],
    ['stocks rose on Monday', 'Chinese stocks fell on Monday.'],
    ['the strike has ended', 'The strike continued for six weeks. Workers returned on Monday after ratifying the deal.'],
    ['the government shutdown ended', 'The government shutdown continued for 35 days until Congress passed a funding bill.'],
    // A third review:
    ['the museum reopened to visitors', 'The museum was closed to visitors during the renovation. It reopened on Saturday with a new wing.'],
    ['the strike has ended', 'The strike continued through the weekend. On Monday the union accepted the offer and members went back to work.'],
    ['Apple shares rose on Monday', 'Apple shares fell on Monday in the first hour of trading. They finished the session 2% higher.'],
    ['Apple shares rose on Monday', 'Apple shares rose 2% on Monday. Historically, Apple shares have fallen on Mondays more often than not.'],
    ['the Chiefs won Super Bowl LIX', 'Fact check: the Chiefs lost Super Bowl LIX? No, a doctored video spread online.'],
    ['gold prices rose', 'Gold prices rose 1.2% on Friday. On Thursday, gold prices fell 0.8% as the dollar firmed.'],
    // A sixth review, of wire-style reports:
    ['Apple shares rose on Monday', "Apple shares ended 2.1% higher on Monday. Apple shares fell on Monday in after-hours trading after the company's forecast missed estimates."],
    ['the dollar rose on Monday', 'The dollar advanced against most major currencies on Monday. The dollar fell on Monday against the safe-haven yen.'],
    ['Disney reported a profit in the second quarter', "Disney's net income rose to $3.3 billion in the second quarter. Disney reported a loss of $20 million in the second quarter at its streaming unit."],
    ['the Yankees won on Tuesday', 'The Yankees lost on Tuesday in the opener of a doubleheader against Boston. In the nightcap, Aaron Judge homered twice.'],
    ['Smith was acquitted', 'A jury found Smith not guilty of murder on Friday. Smith was convicted of illegal possession of a firearm.'],
  ]
  for (const [claim, passage] of cases) t.false(opposite(claim, passage), passage)
})

test('judge-model.json records the rule, and its examples are what the code says', (t) => {
  const model = JSON.parse(readFileSync(judgeModelPath, 'utf8')) as { opposites?: unknown }
  t.deepEqual(model.opposites, OPPOSITES_RULE)
  for (const [claim, passage, said] of OPPOSITES_RULE.examples) t.is(opposite(claim, passage), said, claim)
})
