import test from 'ava'
import { createSlicer } from '@sibyl/service-kit/time/slice-work'
import { DuplicateBandingError, groupNearDuplicates, groupNearDuplicatesSliced } from './group-near-duplicates.ts'
import { CONTRADICTING_REPORT, INDEPENDENT_REPORTS, syndicatedCopy, WIRE_STORY } from './testing/build-news-articles.ts'

test('edited copies of a wire story form one group; independent reports of the same event stay apart', (t) => {
  const copies = Array.from({ length: 20 }, (_, k) => syndicatedCopy(WIRE_STORY, k))
  const texts = [...copies, ...INDEPENDENT_REPORTS, CONTRADICTING_REPORT]
  const { groups, groupOf } = groupNearDuplicates({ texts, seed: 'test' })
  t.deepEqual(groups[0], copies.map((_, k) => k))
  t.is(groups.length, 1 + INDEPENDENT_REPORTS.length + 1)
  for (let i = copies.length; i < texts.length; i++) t.is(groups[groupOf[i]!]!.length, 1, `text ${i} is alone`)
})

test('a trimmed copy (last three sentences cut) still joins its story; a story sharing one paragraph does not', (t) => {
  const paragraphs = WIRE_STORY.split(/(?<=\.) (?=[A-Z"])/)
  const trimmed = paragraphs.slice(0, -3).join(' ')
  const borrowing = `${paragraphs[0]} ${INDEPENDENT_REPORTS[0]} ${INDEPENDENT_REPORTS[1]} ${INDEPENDENT_REPORTS[2]}`
  const { groupOf } = groupNearDuplicates({ texts: [WIRE_STORY, trimmed, borrowing], seed: 'test' })
  t.is(groupOf[1], groupOf[0])
  t.not(groupOf[2], groupOf[0])
})

test('deterministic for a seed; every index in exactly one group', (t) => {
  const texts = [...Array.from({ length: 6 }, (_, k) => syndicatedCopy(WIRE_STORY, k)), ...INDEPENDENT_REPORTS]
  const a = groupNearDuplicates({ texts, seed: 's1' })
  const b = groupNearDuplicates({ texts, seed: 's1' })
  t.deepEqual(a, b)
  t.deepEqual(a.groups.flat().sort((x, y) => x - y), texts.map((_, i) => i))
})

test('grouped in slices on the event loop, the groups are the same, and the loop had turns', async (t) => {
  const texts = [...Array.from({ length: 40 }, (_, k) => syndicatedCopy(WIRE_STORY, k)), ...INDEPENDENT_REPORTS, CONTRADICTING_REPORT]
  const slicer = createSlicer({ sliceMs: 0.01 })
  t.deepEqual(await groupNearDuplicatesSliced({ texts, seed: 's1' }, slicer), groupNearDuplicates({ texts, seed: 's1' }))
  t.true(slicer.yields() > 0)
})

test('hostile input: 10,000 tiny texts, a 5 MB text, empty texts and 2,000 identical copies stay bounded', (t) => {
  const tiny = Array.from({ length: 10_000 }, (_, i) => `item ${i} ok`)
  let started = performance.now()
  const small = groupNearDuplicates({ texts: tiny, seed: 'x' })
  t.log(`10,000 tiny texts: ${Math.round(performance.now() - started)} ms, ${small.groups.length} groups`)
  t.is(small.groups.flat().length, 10_000)
  t.true(performance.now() - started < 20_000)

  const huge = 'word '.repeat(1_000_000) // 5 MB
  started = performance.now()
  const big = groupNearDuplicates({ texts: [huge, huge.slice(0, 4_000_000), '', '', '   ', WIRE_STORY], seed: 'x' })
  t.log(`5 MB text: ${Math.round(performance.now() - started)} ms`)
  t.true(performance.now() - started < 5_000)
  t.is(big.groupOf[0], big.groupOf[1])
  // Texts without words are never copies of anything, not even of each other.
  t.is(new Set([big.groupOf[2], big.groupOf[3], big.groupOf[4], big.groupOf[5], big.groupOf[0]]).size, 5)

  started = performance.now()
  const same = groupNearDuplicates({ texts: Array.from({ length: 2000 }, () => WIRE_STORY), seed: 'x' })
  t.log(`2,000 copies: ${Math.round(performance.now() - started)} ms`)
  t.is(same.groups.length, 1)
})

test('a bad banding is a clear error, not a silent misgrouping', (t) => {
  t.throws(() => groupNearDuplicates({ texts: ['a'], numHashes: 100, bands: 30 }), { instanceOf: DuplicateBandingError })
})
