import test from 'ava'
import { FAULT_KINDS, HOSTILE_KINDS, planSchedule } from './plan-schedule.ts'

const shape = { nodes: 4, aggregators: 2, natsServers: 3 }

test('the same seed gives the same schedule, another seed another one', (t) => {
  t.deepEqual(planSchedule({ seed: 7, quick: true, ...shape }), planSchedule({ seed: 7, quick: true, ...shape }))
  t.notDeepEqual(planSchedule({ seed: 7, quick: true, ...shape }).faults, planSchedule({ seed: 8, quick: true, ...shape }).faults)
})

for (const quick of [true, false]) {
  test(`a ${quick ? 'quick' : 'full'} schedule has every fault class, every hostile page and enough questions`, (t) => {
    for (const seed of [0, 1, 15, 123_456]) {
      const s = planSchedule({ seed, quick, ...shape })
      for (const kind of FAULT_KINDS) t.true(s.faults.some((f) => f.kind === kind), `seed ${seed}: ${kind}`)
      for (const kind of HOSTILE_KINDS) t.true(s.questions.some((q) => q.hostile === kind), `seed ${seed}: ${kind}`)
      t.true(s.questions.length >= (quick ? 20 : 200))
      // Every fault ends inside the window, and crashes of one kind never overlap (one liar of four: a second
      // honest node down at once would leave no quorum by design).
      for (const f of s.faults) t.true(f.atMs >= 0 && f.atMs + f.durationMs <= s.windowMs, `seed ${seed}: ${JSON.stringify(f)}`)
      const sorted = [...s.faults].sort((a, b) => a.atMs - b.atMs)
      for (let i = 1; i < sorted.length; i++) t.true(sorted[i - 1]!.atMs + sorted[i - 1]!.durationMs <= sorted[i]!.atMs, `seed ${seed}: faults ${i - 1} and ${i} overlap`)
      for (const q of s.questions) t.true(q.atMs >= 0 && q.atMs < s.windowMs)
    }
  })
}
