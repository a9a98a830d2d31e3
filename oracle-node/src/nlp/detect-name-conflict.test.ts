import test from 'ava'
import { readFileSync } from 'node:fs'
import { judgeModelPath } from '../resolve/load-judge-model.ts'
import { detectNameConflict as conflict, NAME_CONFLICT_RULE } from './detect-name-conflict.ts'

test('another name in a role only one name can hold, with the claim\'s name as the loser, refutes the claim', (t) => {
  t.is(conflict('the Kansas City Chiefs won Super Bowl LIX', 'The Philadelphia Eagles won Super Bowl LIX, beating the Kansas City Chiefs 40-22.'), 'refute')
  t.is(conflict('Maria Lopez won the Springfield mayoral election', 'John Carter won the Springfield mayoral election, defeating Maria Lopez by 400 votes.'), 'refute')
  t.is(conflict('Chelsea beat Arsenal', 'Arsenal beat Chelsea 2-1 on Sunday.'), 'refute')
  t.is(conflict('Chelsea beat Arsenal', 'Arsenal beat Chelsea 2-1 at the Emirates in the cup.'), undefined, 'teams meet more than once: which match is not said')
  t.is(conflict('the Thunder beat the Pacers in Game 7', 'The Pacers beat the Thunder in Game 6 to force a decisive Game 7.'), undefined)
  t.is(conflict('Recep Tayyip Erdoğan won the Turkish presidential runoff', 'Kemal Kilicdaroglu won the Turkish presidential runoff over Erdogan.'), 'refute', 'accents do not count')
})

test('another name in the claim\'s place, the claim\'s name nowhere: no support, no refutation', (t) => {
  t.is(conflict('Maria Lopez won the Springfield mayoral election', 'John Carter won the Springfield mayoral election on Tuesday with 54% of the vote.'), 'unsupported')
  t.is(conflict('Apple acquired Perplexity', 'Samsung acquired Perplexity in a deal valued at 14 billion dollars, the companies said.'), 'unsupported')
  t.is(conflict('the Senate passed the GENIUS Act', 'The House passed the GENIUS Act on Thursday.'), 'unsupported')
  t.is(conflict('Maria Lopez won a seat on the council', 'John Carter won a seat on the council.'), 'unsupported')
  t.is(conflict('Maria Lopez was elected to the city council', 'John Carter was elected to the city council.'), 'unsupported')
  t.is(conflict('Tesla bought bitcoin', 'MicroStrategy bought bitcoin again on Monday.'), 'unsupported')
  t.is(conflict('EA was acquired by PIF', 'EA was acquired by Silver Lake in a record buyout.'), 'unsupported')
})

test('the claim\'s name elsewhere in the passage, other than as the loser, is no conflict: co-winners, the next sentence', (t) => {
  t.is(conflict('the Senate passed the GENIUS Act', 'The House passed the GENIUS Act on Thursday, sending it to the Senate.'), undefined)
  t.is(conflict('the Kansas City Chiefs won Super Bowl LIX', 'The Kansas City Chiefs and the Philadelphia Eagles met in Super Bowl LIX; the Eagles won Super Bowl LIX.'), undefined)
  t.is(conflict('Michel Devoret won the Nobel Prize in Physics', 'John Clarke won the Nobel Prize in Physics on Tuesday. He shares it with Michel Devoret and John Martinis.'), undefined)
  t.is(conflict('Michel Devoret won the Nobel Prize in Physics', 'John Clarke, Michel Devoret and John Martinis won the Nobel Prize in Physics.'), undefined)
  t.is(conflict('Mexico hosted the 2026 World Cup', 'Canada, Mexico and the United States hosted the 2026 World Cup.'), undefined)
  t.is(conflict('Lionel Messi won the 2022 World Cup', 'Argentina won the 2022 World Cup on penalties. Messi scored twice in the final.'), undefined)
  t.is(conflict('Maria Lopez won the Springfield mayoral election', 'Reports that John Carter won the Springfield mayoral election were premature. Lopez was declared the winner.'), undefined)
})

test('a loser of another event, another edition, another match or a mere opponent is no refutation', (t) => {
  // Found by a second review as refutations of the first narrow version.
  const cases: [string, string][] = [
    ['the Dodgers won the World Series', 'The Yankees won the World Series opener against the Dodgers, but lost the next four games.'],
    ['Real Madrid won the Champions League', 'Borussia Dortmund won the Champions League group stage match against Real Madrid, who went on to lift the trophy at Wembley.'],
    ['Max Verstappen won the Japanese Grand Prix', 'Norris won the Japanese Grand Prix pole position battle against Verstappen, who converted it into victory on Sunday.'],
    ['Oleksandr Usyk beat Tyson Fury', 'Tyson Fury beat Deontay Wilder in 2020 but lost twice against Usyk.'],
    ['Real Madrid beat Barcelona', 'Barcelona beat Atletico Madrid on Saturday, a week after a loss against Real Madrid at the Bernabeu.'],
    ['Google acquired Wiz', 'Alphabet acquired Wiz for 32 billion dollars after regulators dropped their case against Google.'],
    ['Meta won the FTC antitrust case', 'Zuckerberg won the FTC antitrust case against Meta critics, he said.'],
    ['Maria Lopez won the Springfield mayoral election', 'John Carter won the Springfield mayoral election in 2021 over Maria Lopez, but this time Lopez prevailed by 4,000 votes.'],
    ['the Kansas City Chiefs won the Super Bowl', 'The Eagles won the Super Bowl two years ago, beating the Chiefs, but on Sunday the Kansas City Chiefs were crowned champions again.'],
    // A sixth review, of wire-style reports:
    ['the Celtics beat the Knicks', 'The Celtics routed the Knicks 118-94 on Monday to even the series at 2-2, two days after the Knicks beat the Celtics on Saturday.'],
    ['the Lakers beat the Warriors', 'The Lakers topped the Warriors 120-115 on Christmas Day. In October, the Warriors beat the Lakers 118-108.'],
    ['Djokovic beat Alcaraz', 'Djokovic stunned Alcaraz 7-6 7-6 in the Olympic final on Sunday. Three weeks earlier, Alcaraz beat Djokovic 6-2 6-2 7-6.'],
  ]
  for (const [claim, passage] of cases) t.not(conflict(claim, passage), 'refute', passage)
})

test('a third review: the passage also puts the asked one in the role; initials with periods; a city for its team; another name of the event', (t) => {
  t.is(conflict('the Chiefs beat the Bills', 'The Chiefs beat the Bills 32-29 on Sunday, a month after the Bills beat the Chiefs 30-21.'), undefined)
  t.is(conflict('Maria Lopez defeated John Carter', 'Maria Lopez defeated John Carter on Tuesday, four years after Carter defeated Lopez.'), undefined)
  t.is(conflict('the Chiefs won the AFC Championship', 'The Chiefs won the AFC Championship on Sunday, two years after the Bengals won the AFC Championship over the Chiefs.'), undefined)
  t.is(conflict('the U.S. imposed tariffs on China', 'The United States imposed tariffs on China on Tuesday, the White House said.'), undefined)
  t.is(conflict('the United Nations approved the resolution', 'The U.N. approved the resolution on Friday.'), undefined)
  t.is(conflict('the Eagles won Super Bowl LIX', 'Philadelphia won Super Bowl LIX, routing Kansas City 40-22.'), undefined)
  t.is(conflict('the Chiefs won Super Bowl LVIII', 'KC won Super Bowl LVIII in overtime.'), undefined)
  t.is(conflict('Carlos Alcaraz won the French Open', 'Carlos Alcaraz won Roland Garros on Sunday, saving three match points.'), undefined)
  t.is(conflict('the Chiefs won Super Bowl LIX', 'The Chiefs won the Lombardi Trophy on Sunday night in New Orleans.'), undefined)
})

test('a place and a name of another kind may be one holder; two countries are two', (t) => {
  t.is(conflict('Argentina won the 2022 World Cup', 'France won the 2022 World Cup on penalties.'), 'unsupported')
  t.is(conflict('Argentina won the 2022 World Cup', 'Lionel Messi won the 2022 World Cup in Qatar.'), undefined)
  t.is(conflict('the United States imposed tariffs on China', 'Washington imposed tariffs on China on Tuesday.'), undefined)
  t.is(conflict('Russia rejected the ceasefire proposal', 'Kremlin spokesman Dmitry Peskov rejected the ceasefire proposal.'), undefined)
  t.is(conflict('the Thunder won the NBA title', 'Oklahoma City won the NBA title in seven games.'), undefined)
  t.is(conflict('Manchester United won the FA Cup', 'Man U won the FA Cup at Wembley.'), undefined)
})

test('the same name shortened, as initials, with accents, hyphens or a title is one name', (t) => {
  t.is(conflict('Maria Lopez won the Springfield mayoral election', 'Maria Lopez won the Springfield mayoral election on Tuesday.'), undefined)
  t.is(conflict('the Fed cut rates', 'The Federal Reserve cut rates by a quarter point.'), undefined)
  t.is(conflict('the ECB raised rates', 'The European Central Bank raised rates on Thursday.'), undefined)
  t.is(conflict('the Department of Justice sued Google', 'The DOJ sued Google on Tuesday.'), undefined)
  t.is(conflict('Manchester United won the FA Cup', 'Man Utd won the FA Cup final at Wembley.'), undefined)
  t.is(conflict('Donald Trump signed the bill', 'President Trump signed the bill on Friday.'), undefined)
  t.is(conflict('Recep Tayyip Erdoğan won the Turkish presidential runoff', 'Erdogan won the Turkish presidential runoff on Sunday.'), undefined)
  t.is(conflict('Alexandria Ocasio-Cortez won the primary', 'Ocasio Cortez won the primary by 30 points.'), undefined)
  t.is(conflict("Beto O'Rourke won the Texas Senate primary", 'O’Rourke won the Texas Senate primary.'), undefined)
  t.is(conflict('The Catcher in the Rye is a novel by J.D. Salinger', 'The Catcher in the Rye is a 1951 novel by J. D. Salinger.'), undefined)
  t.is(conflict('Elon Musk acquired Twitter', 'The Tesla CEO acquired Twitter for 44 billion dollars.'), undefined, 'a description of the holder')
})

test('passives, forecasts, conditions, other objects, places and times are not compared', (t) => {
  t.is(conflict('Google acquired Wiz', 'Wiz was acquired for 32 billion dollars in March.'), undefined)
  t.is(conflict('Chelsea beat Arsenal', 'Arsenal were beaten 2-1 at Stamford Bridge on Sunday.'), undefined)
  t.is(conflict('Maria Lopez won the Springfield mayoral election', 'Polls suggest John Carter will win the Springfield mayoral election comfortably.'), undefined)
  t.is(conflict('Maria Lopez won the Springfield mayoral election', 'If John Carter wins the Springfield mayoral election, he will cut taxes.'), undefined)
  t.is(conflict('Maria Lopez won the Springfield mayoral election', 'Will John Carter win the Springfield mayoral election?'), undefined)
  t.is(conflict('Jannik Sinner won the US Open final', 'Carlos Alcaraz won the first set of the US Open final. Sinner then took three straight sets.'), undefined)
  t.is(conflict('Maria Lopez won the Springfield mayoral election', 'John Carter won the Shelbyville mayoral election by 12 points. In neighbouring Springfield, Maria Lopez cruised to victory.'), undefined)
  t.is(conflict('It was first published in England', 'A Christmas Carol is a novella by Charles Dickens, first published in London by Chapman & Hall in 1843.'), undefined)
  t.is(conflict('William Brad Pitt was born in Nevada', 'Pitt was born in Shawnee, Oklahoma, to William Alvin Pitt.'), undefined)
  t.is(conflict('Maria Lopez won the Springfield mayoral election', 'John Carter won the Iowa caucus.'), undefined, 'another event')
  t.is(conflict('Ed Gagliardi died on April 11, 2014', 'Gagliardi died of cancer on May 11, 2014.'), undefined, 'a date is the number rule\'s')
  t.is(conflict('Two and a Half Men is an US television sitcom', 'Two and a Half Men is an American television sitcom.'), undefined, 'no verb')
  t.is(conflict('Officials approved the plan', 'Regulators approved the plan on Monday.'), undefined, 'a capitalised word opening a sentence is not a name')
  t.is(conflict('', 'John Carter won the election.'), undefined)
  t.is(conflict('Maria Lopez won the election', ''), undefined)
})

test('judge-model.json records the rule, and its examples are what the code says', (t) => {
  const model = JSON.parse(readFileSync(judgeModelPath, 'utf8')) as { nameConflicts?: unknown }
  t.deepEqual(model.nameConflicts, NAME_CONFLICT_RULE)
  for (const [claim, passage, said] of NAME_CONFLICT_RULE.examples) t.is(conflict(claim, passage) ?? 'none', said, claim)
})
