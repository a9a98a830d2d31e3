import test from 'ava'
import { readFileSync } from 'node:fs'
import { judgeModelPath } from '../resolve/load-judge-model.ts'
import { detectNumberConflict, NUMBER_CONFLICT_RULE } from './detect-number-conflict.ts'

test('another year or amount about the same thing is a conflict', (t) => {
  t.true(detectNumberConflict('The museum opened in 2004.', 'The museum opened in 1998.'))
  t.true(detectNumberConflict('The bridge will cost 40 million dollars.', 'The bridge will cost 12 million dollars.'))
  t.true(detectNumberConflict('Turnout was 62 percent.', 'Official figures put turnout at 48 % on Sunday.'))
  t.true(detectNumberConflict('The club was founded in 1901.', 'Records show the club was founded in 1899 by local miners.'))
})

test('the same number written differently, or present among others, is no conflict', (t) => {
  t.false(detectNumberConflict('The bridge will cost 12 million dollars.', 'The bridge will cost $12,000,000.'))
  t.false(detectNumberConflict('She was born in 1950.', 'She was born on 12 May 1950 and died in 2010.'))
  t.false(detectNumberConflict('The museum opened in 2004.', 'Planned in 1998, the museum opened in 2004.'))
})

test('a number about something else, of another kind, or with no unit is no conflict', (t) => {
  t.false(detectNumberConflict('The film came out in 2004.', 'Its director, born in 1962, grew up in Ohio.'))
  t.false(detectNumberConflict('The museum opened in 2004.', 'The museum has 300 paintings.'))
  t.false(detectNumberConflict('Three of them won.', 'Five of them lost in 2004.'))
  t.false(detectNumberConflict('The Chiefs won Super Bowl LVIII.', 'The Chiefs beat the 49ers 25-22 in overtime.'))
  t.false(detectNumberConflict('', 'The museum opened in 1998.'))
  t.false(detectNumberConflict('The firm hired 12 constructor workers.', 'The firm hired 12 constructor workers in May.'))
})

test('supporting passages that mention other numbers are no conflict: bounds, reference points, dates, bylines', (t) => {
  // Each of these once read as a refutation (a review of the rule ran them through judgeText).
  t.false(detectNumberConflict('the Fed cut interest rates in 2025', 'The Federal Reserve, which cut interest rates three times in 2024, cut interest rates again on Wednesday.'))
  t.false(detectNumberConflict('the population of Tokyo exceed 14 million people', 'Tokyo had 14.1 million people in 2024, the census office said.'))
  t.false(detectNumberConflict('the Senate pass the bill by 31 December 2025', 'The Senate passed the bill on 15 December 2025 after a long debate.'))
  t.false(detectNumberConflict('the museum reopen in 2025', 'The museum, closed since 2019 for repairs, reopened its doors on Saturday.'))
  t.false(detectNumberConflict('the Federal Reserve cut rates in 2025', 'WASHINGTON, Dec 18, 2024 (Reuters) - The Federal Reserve cut rates by a quarter point on Wednesday.'))
})

test("the claim's year on the page, but describing something else, before the event stated with another year, is a conflict", (t) => {
  // Each of these read as support before (the node answered YES to 11 of 12 such questions through judgeText).
  t.true(detectNumberConflict('The airline filed for bankruptcy in 1987.', 'The airline, which was founded in 1987, filed for bankruptcy in 2020.'))
  t.true(detectNumberConflict('The airline filed for bankruptcy in 1987.', 'Founded in 1987, the airline filed for bankruptcy in 2020.'))
  t.true(detectNumberConflict('The museum opened in 1998.', 'Planned in 1998, the museum opened in 2004.'))
  t.true(detectNumberConflict('Smith won the Nobel Prize in 1950.', 'Smith, born in 1950, won the Nobel Prize in 1990.'))
  t.true(detectNumberConflict('The senator announced her retirement in 1996.', 'The senator, who first ran for office in 1996, announced her retirement in 2023.'))
  t.true(detectNumberConflict('Garcia resigned from the council in 2010.', 'Elected mayor in 2010, Garcia resigned from the council in 2018.'))
  t.true(detectNumberConflict("She won the party's nomination in 2016.", "Having lost the 2016 primary, she won the party's nomination in 2020."))
})

test("the claim's year bound to the claim's event, or a year in front of the sentence, is no conflict", (t) => {
  t.false(detectNumberConflict('The airline was founded in 1987.', 'The airline, which was founded in 1987, filed for bankruptcy in 2020.'))
  t.false(detectNumberConflict('The airline filed for bankruptcy in 2020.', 'Founded in 1987, the airline filed for bankruptcy in 2020.'))
  t.false(detectNumberConflict('The governor signed the bill in 2019.', 'In 2019, after a campaign that began in 2012, the governor signed the bill.'))
  t.false(detectNumberConflict('The governor signed the bill in 2019.', 'In 2019, the governor, who had vetoed the bill in 2012, signed the bill.'))
  t.false(detectNumberConflict('Smith won the Nobel Prize in 1990.', 'Smith, who won the Nobel Prize in 1990, was born in 1950.'))
  t.false(detectNumberConflict('The airline filed for bankruptcy in 1987.', 'The airline filed for bankruptcy in 1987, which it survived, and again in 2020.'))
  t.false(detectNumberConflict('The stadium was built in 1962.', 'Built in 1962 and renovated in 2014, the stadium hosted the final.'))
  // Another word for the claim's verb: the event clause does not hold the claim's words, so nothing is said.
  t.false(detectNumberConflict('The company was listed on the stock exchange in 1999.', 'The company, which went public in 1999, was delisted from the stock exchange in 2015.'))
  // A describing clause after the event's describes the event's last words, not its subject (a FEVER training pair).
  t.false(
    detectNumberConflict(
      'The Invisible Man was based on a H. G. Wells novel from 1897.',
      "The Invisible Man is an American 1933 Pre-Code science fiction horror film based on H. G. Wells' science fiction novel The Invisible Man, published in 1897, as adapted by R.C. Sherriff.",
    ),
  )
})

test('judge-model.json records the rule, and its examples are what the code says', (t) => {
  const model = JSON.parse(readFileSync(judgeModelPath, 'utf8')) as { numberConflicts?: unknown }
  t.deepEqual(model.numberConflicts, NUMBER_CONFLICT_RULE)
  for (const [claim, passage, said] of NUMBER_CONFLICT_RULE.examples) t.is(detectNumberConflict(claim, passage), said, claim)
})
