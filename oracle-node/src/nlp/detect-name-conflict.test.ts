import test from 'ava'
import { readFileSync } from 'node:fs'
import { judgeModelPath } from '../resolve/load-judge-model.ts'
import { detectNameConflict as conflict, NAME_CONFLICT_RULE } from './detect-name-conflict.ts'

test('another name in a role only one name can hold refutes the claim', (t) => {
  t.is(conflict('Maria Lopez won the Springfield mayoral election', 'John Carter won the Springfield mayoral election on Tuesday with 54% of the vote.'), 'refute')
  t.is(conflict('the Kansas City Chiefs won Super Bowl LIX', 'The Philadelphia Eagles won Super Bowl LIX, beating the Kansas City Chiefs 40-22.'), 'refute')
  t.is(conflict('the Kansas City Chiefs won Super Bowl LIX', 'The Kansas City Chiefs and the Philadelphia Eagles met in Super Bowl LIX; the Eagles won Super Bowl LIX.'), 'refute')
  t.is(conflict('Apple acquired Perplexity', 'Samsung acquired Perplexity in a deal valued at 14 billion dollars, the companies said.'), 'refute')
  t.is(conflict('Chelsea beat Arsenal', 'Arsenal beat Chelsea 2-1 at the Emirates.'), 'refute')
  t.is(conflict('the election was won by Maria Lopez', 'The election was won by John Carter, who defeated Maria Lopez by 400 votes.'), 'refute')
})

test('another name in any other role only takes the support away, and only when the claim\'s name is not in the passage', (t) => {
  t.is(conflict('the Senate passed the GENIUS Act', 'The House passed the GENIUS Act on Thursday.'), 'unsupported')
  t.is(conflict('the Senate passed the GENIUS Act', 'The House passed the GENIUS Act on Thursday, sending it to the Senate.'), undefined)
  t.is(conflict('Maria Lopez won a seat on the council', 'John Carter won a seat on the council.'), 'unsupported', 'an indefinite object: several can win one')
  t.is(conflict('Maria Lopez was elected to the city council', 'John Carter was elected to the city council.'), 'unsupported')
  t.is(conflict('Tesla bought bitcoin', 'MicroStrategy bought bitcoin again on Monday.'), 'unsupported')
})

test('the same name shortened, as initials or with a title is one name', (t) => {
  t.is(conflict('Maria Lopez won the Springfield mayoral election', 'Maria Lopez won the Springfield mayoral election on Tuesday.'), undefined)
  t.is(conflict('the Fed cut rates', 'The Federal Reserve cut rates by a quarter point.'), undefined)
  t.is(conflict('the ECB raised rates', 'The European Central Bank raised rates on Thursday.'), undefined)
  t.is(conflict('Manchester United won the FA Cup', 'Man Utd won the FA Cup final at Wembley.'), undefined)
  t.is(conflict('Donald Trump signed the bill', 'President Trump signed the bill on Friday.'), undefined)
  t.is(conflict('the Kansas City Chiefs won Super Bowl LVIII', 'The Kansas City Chiefs won Super Bowl LVIII, beating the San Francisco 49ers in overtime.'), undefined)
})

test('names that hold the role together, or are named beside the rival other than as the loser, are no conflict', (t) => {
  t.is(conflict('Michel Devoret won the Nobel Prize in Physics', 'John Clarke won the Nobel Prize in Physics along with Michel Devoret and John Martinis.'), undefined)
  t.is(conflict('Michel Devoret won the Nobel Prize in Physics', 'John Clarke, Michel Devoret and John Martinis won the Nobel Prize in Physics.'), undefined)
  t.is(conflict('EA was acquired by PIF', 'EA was acquired by Silver Lake, PIF and Affinity Partners.'), undefined)
  t.is(conflict('Mexico hosted the 2026 World Cup', 'Canada, Mexico and the United States hosted the 2026 World Cup.'), undefined)
})

test('places and times nest, other events and other wording are not compared', (t) => {
  t.is(conflict('It was first published in England', 'A Christmas Carol is a novella by Charles Dickens, first published in London by Chapman & Hall in 1843.'), undefined)
  t.is(conflict('William Brad Pitt was born in Nevada', 'Pitt was born in Shawnee, Oklahoma, to William Alvin Pitt.'), undefined)
  t.is(conflict('the 2026 Champions League final be held in Munich', 'The 2026 Champions League final will be held in Budapest at the Puskas Arena.'), undefined)
  t.is(conflict('Maria Lopez won the Springfield mayoral election', 'John Carter won the Iowa caucus.'), undefined, 'another event')
  t.is(conflict('Ruppert co-owned the Red Sox', 'He also owned the New York Yankees of Major League Baseball from 1915.'), undefined)
  t.is(conflict('Officials approved the plan', 'Regulators approved the plan on Monday.'), undefined, 'a capitalised word opening a sentence is not a name')
  t.is(conflict('Lionel Messi signed with Inter Miami', 'Cristiano Ronaldo signed with Al Nassr in January.'), undefined)
  t.is(conflict('', 'John Carter won the election.'), undefined)
  t.is(conflict('Maria Lopez won the election', ''), undefined)
})

test('judge-model.json records the rule, and its examples are what the code says', (t) => {
  const model = JSON.parse(readFileSync(judgeModelPath, 'utf8')) as { nameConflicts?: unknown }
  t.deepEqual(model.nameConflicts, NAME_CONFLICT_RULE)
  for (const [claim, passage, said] of NAME_CONFLICT_RULE.examples) t.is(conflict(claim, passage) ?? 'none', said, claim)
})
