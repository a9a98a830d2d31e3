/**
 * The pair judge's piece encoding (the `pieces` input format): the shipped tokenizer.json, read as the training
 * export reads it, the bounds on each side, and the exact-match flags.
 */
import test from 'ava'
import { join } from 'node:path'
import { resolveTestModelsDir } from '../testing/test-models-dir.ts'
import { createPieceTokenizer, encodePieces } from './encode-pieces.ts'
import { PAIR_MAX_HYPOTHESIS_PIECES, PAIR_MAX_PREMISE_PIECES } from './pair-judge-limits.ts'

const tokenizer = createPieceTokenizer(join(resolveTestModelsDir(), 'google/universal-sentence-encoder-lite/tokenizer.json'))

test('pieces are the sentence encoder\'s own ids, with no special tokens added', (t) => {
  // The first training row's hypothesis (SNLI), with the ids export-pair-pieces.ts wrote for it.
  t.deepEqual(tokenizer.encode('Two dogs swim in the lake .'), [2882, 2460, 6210, 15, 9, 6336, 30, 6])
  const a = tokenizer.encode('The museum opened in 1998.')
  const b = tokenizer.encode('The museum opened in 1998.')
  t.deepEqual(a, b)
  t.true(a.every((id) => Number.isInteger(id) && id >= 0 && id < 8002))
})

test('each side is bounded, and the exact-match flags mark pieces the other side has', (t) => {
  const long = 'word '.repeat(5_000)
  const e = encodePieces(tokenizer, long, long)
  t.is(e.premise.length, PAIR_MAX_PREMISE_PIECES)
  t.is(e.hypothesis.length, PAIR_MAX_HYPOTHESIS_PIECES)
  const m = encodePieces(tokenizer, 'The museum opened in 1998.', 'The museum opened in 2004.')
  t.is(m.premiseMatch.length, m.premise.length)
  t.is(m.hypothesisMatch.length, m.hypothesis.length)
  const year = tokenizer.encode(' 1998')
  t.true(m.premise.some((id, i) => year.includes(id) && m.premiseMatch[i] === 0), 'the year the claim lacks is not matched')
  t.true(m.premiseMatch.some((f) => f === 1), 'shared words are matched')
})

test('an empty side becomes the unknown piece, never an empty sequence', (t) => {
  const e = encodePieces(tokenizer, '', '')
  t.deepEqual(e.premise, [0])
  t.deepEqual(e.hypothesis, [0])
})

test('text the encoder has no pieces for is unreadable, English beside a few foreign words is not', (t) => {
  t.true(encodePieces(tokenizer, '今天天气很好。', 'Beijing will host the 2036 Olympics.').unreadable)
  t.true(encodePieces(tokenizer, 'The weather is fine.', '中国 😀').unreadable)
  t.false(encodePieces(tokenizer, 'The mayor of 北京 opened the games.', 'The mayor opened the games.').unreadable)
})
