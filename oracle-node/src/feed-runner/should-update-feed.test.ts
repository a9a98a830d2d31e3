import test from 'ava'
import { shouldUpdateFeed } from './should-update-feed.ts'

const spec = { deviationBps: 50, heartbeatSec: 3600 }

test('a feed updates on its first round, on a deviation at or past the threshold, and on the heartbeat', (t) => {
  t.like(shouldUpdateFeed(undefined, 100n, 0, spec), { update: true, reason: 'first_round' })
  const latest = { roundId: 3, answer: 300_000n, updatedAtSec: 1000 }
  t.like(shouldUpdateFeed(latest, 301_499n, 1001, spec), { update: false, deviationBps: 49n })
  t.like(shouldUpdateFeed(latest, 301_500n, 1001, spec), { update: true, reason: 'deviation', deviationBps: 50n })
  t.like(shouldUpdateFeed(latest, 298_500n, 1001, spec), { update: true, reason: 'deviation' })
  t.like(shouldUpdateFeed(latest, 300_000n, 1000 + 3599, spec), { update: false })
  t.like(shouldUpdateFeed(latest, 300_000n, 1000 + 3600, spec), { update: true, reason: 'heartbeat' })
})

test('negative and zero last answers do not break the deviation', (t) => {
  t.like(shouldUpdateFeed({ roundId: 1, answer: -200n, updatedAtSec: 0 }, -201n, 1, spec), { update: true, reason: 'deviation', deviationBps: 50n })
  t.like(shouldUpdateFeed({ roundId: 1, answer: 0n, updatedAtSec: 0 }, 0n, 1, spec), { update: false, deviationBps: 0n })
  t.like(shouldUpdateFeed({ roundId: 1, answer: 0n, updatedAtSec: 0 }, 1n, 1, spec), { update: true, reason: 'deviation' })
})
