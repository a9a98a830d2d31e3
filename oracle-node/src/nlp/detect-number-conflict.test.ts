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

test("the claim's year on the page, but where something began, before the event stated with another year, is a conflict", (t) => {
  // Each of these read as support before (through judgeText the node answered YES).
  t.true(detectNumberConflict('The airline filed for bankruptcy in 1987.', 'The airline, which was founded in 1987, filed for bankruptcy in 2020.'))
  t.true(detectNumberConflict('The airline filed for bankruptcy in 1987.', 'Founded in 1987, the airline filed for bankruptcy in 2020.'))
  t.true(detectNumberConflict('The airline filed for bankruptcy in 1987.', 'The airline (founded 1987) filed for bankruptcy in 2020.'))
  t.true(detectNumberConflict('The airline filed for bankruptcy in 1987.', 'The airline, founded on March 3, 1987, filed for bankruptcy on March 3, 2020.'))
  t.true(detectNumberConflict('Smith won the Nobel Prize in 1950.', 'Smith, born in 1950, won the Nobel Prize in 1990.'))
  t.true(detectNumberConflict('The stadium hosted the World Cup final in 1962.', 'The stadium, built in 1962, hosted the World Cup final in 2014.'))
})

test("the claim's year bound to the claim's event, a year in front, or a year tied back to the event, is no conflict", (t) => {
  t.false(detectNumberConflict('The airline was founded in 1987.', 'The airline, which was founded in 1987, filed for bankruptcy in 2020.'))
  t.false(detectNumberConflict('The airline filed for bankruptcy in 2020.', 'Founded in 1987, the airline filed for bankruptcy in 2020.'))
  t.false(detectNumberConflict('The governor signed the bill in 2019.', 'In 2019, after a campaign that began in 2012, the governor signed the bill.'))
  t.false(detectNumberConflict('The governor signed the bill in 2019.', 'In 2019, the governor, who had vetoed the bill in 2012, signed the bill.'))
  t.false(detectNumberConflict('Smith won the Nobel Prize in 1990.', 'Smith, who won the Nobel Prize in 1990, was born in 1950.'))
  t.false(detectNumberConflict('The airline filed for bankruptcy in 1987.', 'The airline filed for bankruptcy in 1987, which it survived, and again in 2020.'))
  t.false(detectNumberConflict('The stadium was built in 1962.', 'Built in 1962 and renovated in 2014, the stadium hosted the final.'))
  t.false(detectNumberConflict('The company was listed on the stock exchange in 1999.', 'The company, which went public in 1999, was delisted from the stock exchange in 2015.'))
  // A describing clause after the event's describes the event's last words, not its subject (a FEVER training pair).
  t.false(
    detectNumberConflict(
      'The Invisible Man was based on a H. G. Wells novel from 1897.',
      "The Invisible Man is an American 1933 Pre-Code science fiction horror film based on H. G. Wells' science fiction novel The Invisible Man, published in 1897, as adapted by R.C. Sherriff.",
    ),
  )
})

test('true claims an earlier version of the rule refuted: a second year the claim states, a repeat, a year tied back, the event in other words', (t) => {
  // A review of the rule as an attacker found each of these (and 30 more of the same kinds) read as refutations.
  t.false(detectNumberConflict('The 2010 law took effect in 2014.', 'The law, passed in 2010, took effect in 2014.'))
  t.false(detectNumberConflict("Radiohead's 1997 album OK Computer was reissued in 2017.", "Released in 1997, Radiohead's album OK Computer was reissued in 2017."))
  t.false(detectNumberConflict('The 1987 RoboCop has been remade.', 'First released in 1987, RoboCop was remade in 2014.'))
  t.false(detectNumberConflict('Obama was elected president in 2008.', 'Obama, who beat John McCain in 2008, was re-elected president in 2012.'))
  t.false(detectNumberConflict('The airline filed for bankruptcy in 1987.', 'Founded in 1987, the airline filed for bankruptcy that same year and again in 1991.'))
  t.false(detectNumberConflict('Angela Merkel became chancellor in 2005.', 'Angela Merkel, who took office in 2005, became chancellor for a fourth term in 2018.'))
  t.false(detectNumberConflict('General Motors filed for bankruptcy in 2009.', 'General Motors, which entered Chapter 11 in June 2009, filed for bankruptcy as a result of the 2008 financial crisis.'))
  t.false(detectNumberConflict('The band released its debut album in the 1990s.', 'Formed in the 1990s, the band released its debut album in 1998.'))
  // A second review found 40 more: the origin clause is the claim's event in other words, and the later clause a
  // narrower event.
  t.false(detectNumberConflict('The game came out in 2017.', 'Released in 2017, the game came out on the Nintendo Switch in 2018.'))
  t.false(detectNumberConflict('Apple went into business in 1976.', 'Founded in 1976, Apple went into the phone business in 2007.'))
  t.false(detectNumberConflict('The museum welcomed visitors in 1998.', 'Opened in 1998, the museum welcomed its millionth visitor in 2005.'))
  t.false(detectNumberConflict('The film hit theaters in 1977.', 'Released in 1977, the film hit theaters in 2019, this time in China.'))
  t.false(detectNumberConflict('Jones started the company in 1987.', 'Founded in 1987 by Smith, Jones and Brown, the company started trading on the Nasdaq in 1995.'))
})

test('a decade agrees with the years inside it, and a decade on the page does not hide another year', (t) => {
  t.false(detectNumberConflict('Ian Brennan was born in the 1970s.', 'Ian Brennan (born April 23, 1978) is a television writer.'))
  t.false(detectNumberConflict('Ian Brennan was born in 1978.', 'Ian Brennan, born in the 1970s, is a television writer.'))
  t.true(detectNumberConflict('Justine Bateman was born in the 1950s.', 'Justine Tanya Bateman (born February 19, 1966) is an American writer.'))
  t.true(detectNumberConflict('Nirvana released Nevermind in 1992.', 'One of the defining albums of the 1990s, Nevermind was released by Nirvana in 1991.'))
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
