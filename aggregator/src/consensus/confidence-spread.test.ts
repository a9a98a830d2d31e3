import test from 'ava'
import { confidenceSpreadSchema } from '@sibyl/protocol/messages'
import { confidenceSpread } from './confidence-spread.ts'

test('min, lower median and max of the signed confidences; intervals only from those that carry one', (t) => {
  const spread = confidenceSpread([
    { confidenceBps: 9000, confidenceInterval: [8500, 9400] },
    { confidenceBps: 6000 },
    { confidenceBps: 7000, confidenceInterval: [6000, 8000] },
    { confidenceBps: 9500, confidenceInterval: [9000, 9900] },
  ])
  t.deepEqual(spread, {
    observations: 4,
    minBps: 6000,
    medianBps: 7000,
    maxBps: 9500,
    interval: { observations: 3, low: { minBps: 6000, medianBps: 8500, maxBps: 9000 }, high: { minBps: 8000, medianBps: 9400, maxBps: 9900 } },
  })
  t.true(confidenceSpreadSchema.safeParse(spread).success, 'what the outlier message carries')
})

test('no intervals, no interval block; nothing observed, no spread', (t) => {
  t.deepEqual(confidenceSpread([{ confidenceBps: 5000 }]), { observations: 1, minBps: 5000, medianBps: 5000, maxBps: 5000 })
  t.is(confidenceSpread([]), undefined)
})
