import test from 'ava'
import { splitPassages } from './split-passages.ts'

test('sentences are grouped 1-3 per passage, within the character cap, never across blocks', (t) => {
  const block = 'The Chiefs won. Mahomes threw two touchdowns. The defense held late. Fans celebrated downtown. It rained.'
  const passages = splitPassages([block, 'A second paragraph stands alone here, with its own sentence.'])
  t.deepEqual(passages, [
    'The Chiefs won. Mahomes threw two touchdowns. The defense held late.',
    'Fans celebrated downtown. It rained.',
    'A second paragraph stands alone here, with its own sentence.',
  ])
})

test('abbreviations, initials and decimals do not end a sentence', (t) => {
  const passages = splitPassages(['Mr. Smith paid $3.50 for it in the U.S. yesterday. J. R. R. Tolkien wrote it. Prices rose 2.5 percent.'], { maxSentencesPerPassage: 1 })
  t.deepEqual(passages, ['Mr. Smith paid $3.50 for it in the U.S. yesterday.', 'J. R. R. Tolkien wrote it.', 'Prices rose 2.5 percent.'])
})

test('a short block (a heading) is carried into the next passage; long sentences are cut at words', (t) => {
  const long = `${'word '.repeat(200)}end.`
  const passages = splitPassages(['Final score', 'Arizona beat Vancouver 4-2 on Wednesday night.', long], { maxPassageChars: 120 })
  t.is(passages[0], 'Final score Arizona beat Vancouver 4-2 on Wednesday night.')
  t.true(passages.slice(1).every((p) => p.length <= 120))
  t.is(passages.slice(1).join(' '), long)
})

test('output is bounded whatever the input', (t) => {
  const blocks = Array.from({ length: 10_000 }, (_, i) => `Sentence number ${i} is here and long enough to stand alone as one.`)
  t.is(splitPassages(blocks, { maxPassages: 100 }).length, 100)
  t.deepEqual(splitPassages([]), [])
  t.deepEqual(splitPassages(['   ', '\n']), [])
})
