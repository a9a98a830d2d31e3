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

test('a decade agrees with the years inside it, either way round; a year written with an apostrophe is a year', (t) => {
  // Each of these was a refutation before (the decade was read as its first year).
  t.false(detectNumberConflict('Ian Brennan was born in the 1970s.', 'Ian Brennan (born April 23, 1978) is a television writer.'))
  t.false(detectNumberConflict('Gotham premiered in the 2010s.', 'Gotham premiered on Fox on September 22, 2014.'))
  t.false(detectNumberConflict('Ian Brennan was born in 1978.', 'Ian Brennan, born in the late 1970s, is a television writer.'))
  t.false(detectNumberConflict('Germany reunified in 1990.', 'Divided in 1949, Germany reunified in the 1990s.'))
  // Not "split up": "up" before a year makes the claim's year a bound, and the rule would say nothing anyway.
  t.false(detectNumberConflict('The band disbanded in 1994.', 'The band disbanded in the mid-1990’s after two albums.'))
  // Another decade, or a year outside it, still conflicts; "2020's election" is the year 2020.
  t.true(detectNumberConflict('Justine Bateman was born in the 1950s.', 'Justine Tanya Bateman (born February 19, 1966) is an American writer.'))
  t.true(detectNumberConflict('Scandal is a rock band from the 1950s.', 'Scandal is an American rock band from the 1980s fronted by Patty Smyth.'))
  t.true(detectNumberConflict('Biden won the presidential election in 2016.', "Biden won 2020's presidential election."))
  // "The 1900s" may be a century: no reading.
  t.false(detectNumberConflict('The church was built in the 1900s.', 'The church was built in 1925.'))
})

test("a year the claim uses as a label is compared as a date: a market's edition ('the 2010 World Cup') is refuted by another", (t) => {
  t.true(detectNumberConflict('Brazil hosted the 2010 World Cup.', 'Brazil hosted the World Cup in 2014.'))
  t.true(detectNumberConflict('Easy A is a 2009 film.', 'Easy A is a 2010 American teen comedy film directed by Will Gluck.'))
})

test('judge-model.json records the rule, and its examples are what the code says', (t) => {
  const model = JSON.parse(readFileSync(judgeModelPath, 'utf8')) as { numberConflicts?: unknown }
  t.deepEqual(model.numberConflicts, NUMBER_CONFLICT_RULE)
  for (const [claim, passage, said] of NUMBER_CONFLICT_RULE.examples) t.is(detectNumberConflict(claim, passage), said, claim)
})
