import test from 'ava'
import { trackLongestTimerGap } from '@sibyl/service-kit/testing/track-longest-timer-gap'
import { loadJudgeModel } from '../resolve/load-judge-model.ts'
import { createWorkerPairJudge } from './create-worker-pair-judge.ts'

const loaded = loadJudgeModel(undefined, { executionProvider: 'cpu' })

const pairs = [
  { premise: 'The council approved the bridge on Tuesday after a long debate.', hypothesis: 'The council approved the bridge.' },
  { premise: 'The museum stayed closed all of March; it will not reopen this year.', hypothesis: 'The museum reopened in March.' },
  { premise: 'Gulls nest on the island every spring.', hypothesis: 'The team won the final 3-1.' },
  { premise: '', hypothesis: 'Anything.' },
]

test('the pair judge on its own thread gives exactly what it gives on the main thread, and does not hold the loop', async (t) => {
  t.truthy(loaded.pairJudge && loaded.pairJudgeFiles, 'the committed judge names a pair model')
  const onWorker = createWorkerPairJudge({ ...loaded.pairJudgeFiles!, executionProvider: 'cpu' })
  try {
    const expected = await loaded.pairJudge!.judgePairs(pairs)
    // A large batch: on the main thread its synchronous runs would hold the loop for a long time.
    const many = Array.from({ length: 400 }, (_, i) => pairs[i % pairs.length]!)
    const gaps = trackLongestTimerGap(5)
    const [got, bulk] = await Promise.all([onWorker.judgePairs(pairs), onWorker.judgePairs(many)])
    const longestGapMs = gaps.stop()
    t.deepEqual(got, expected)
    t.is(bulk.length, many.length)
    bulk.forEach((j, i) => t.deepEqual(j, expected[i % pairs.length], `pair ${i}`))
    t.is(onWorker.device(), 'cpu')
    t.deepEqual(await onWorker.judgePairs([]), [])
    t.log(`longest event-loop gap while 404 pairs were judged on the thread: ${longestGapMs.toFixed(1)} ms`)
  } finally {
    await onWorker.dispose()
  }
})

test('a thread that cannot start fails the call, and the judge says so clearly', async (t) => {
  const broken = createWorkerPairJudge({ onnxPath: '/nonexistent/pair.onnx', vocabPath: '/nonexistent/vocab.json', executionProvider: 'cpu' })
  try {
    await t.throwsAsync(() => broken.judgePairs(pairs), { name: 'WorkerPairJudgeError' })
    // And again: a failed start is not cached as a dead thread.
    await t.throwsAsync(() => broken.judgePairs(pairs), { name: 'WorkerPairJudgeError' })
  } finally {
    await broken.dispose()
  }
})
