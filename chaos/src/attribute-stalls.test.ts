import test from 'ava'
import { attributeStalls, readLoggedStalls } from './attribute-stalls.ts'

const at = (endMs: number, ownMs: number, wallMs = ownMs) => ({ ownMs, wallMs, endedAtMonotonicUs: endMs * 1000 })

test('a stall the idle reference shared is the machine’s; the rest is the service’s', (t) => {
  const r = attributeStalls({
    services: {
      // 150 ms, of which the reference was stalled 120 ms at the same time: 30 ms its own.
      'node-1': { gaugeMs: 150, stalls: [at(10_150, 150)] },
      // 140 ms with no reference stall anywhere near: all its own.
      'node-2': { gaugeMs: 140, stalls: [at(20_140, 140)] },
      // Under the logging threshold: the gauge stands.
      'node-3': { gaugeMs: 40, stalls: [] },
    },
    reference: [at(10_130, 120)],
    loggedOverMs: 50,
  })
  t.deepEqual(r.attributedMaxMsByService, { 'node-1': 50, 'node-2': 140, 'node-3': 40 })
  t.is(r.stalls.find((s) => s.service === 'node-1')!.machineMs, 120)
  t.is(r.stalls.find((s) => s.service === 'node-1')!.attributedMs, 30)
})

test('only the overlap counts, at most the reference’s own stall, never below zero', (t) => {
  const r = attributeStalls({
    services: { a: { gaugeMs: 200, stalls: [at(1_200, 200)] }, b: { gaugeMs: 80, stalls: [at(5_080, 80)] } },
    // Overlaps a's last 50 ms (its wall clock 100 ms, of which 90 its own); covers b entirely and more.
    reference: [at(1_250, 90, 100), at(5_100, 300)],
    loggedOverMs: 50,
  })
  t.is(r.stalls.find((s) => s.service === 'a')!.machineMs, 50)
  t.is(r.attributedMaxMsByService.a, 150)
  t.is(r.stalls.find((s) => s.service === 'b')!.attributedMs, 0)
  // b's gauge was over the threshold: what the log cannot show (≤ 50 ms) is its floor.
  t.is(r.attributedMaxMsByService.b, 50)
})

test('a machine pause does not excuse time the service spent running, nor a reference stall that read the disk', (t) => {
  const r = attributeStalls({
    services: {
      // 150 ms own, 140 of them on a CPU: at most 10 ms can have been a pause of the machine.
      busy: { gaugeMs: 150, stalls: [{ ...at(2_150, 150), onCpuMs: 140 }] },
      // Off the CPU, beside a reference stall that had a major page fault: not the machine's either.
      faulted: { gaugeMs: 120, stalls: [{ ...at(4_120, 120), onCpuMs: 1 }] },
    },
    reference: [at(2_150, 150), { ...at(4_120, 120), majorFaults: 3 }],
    loggedOverMs: 50,
  })
  t.is(r.attributedMaxMsByService.busy, 140)
  t.is(r.attributedMaxMsByService.faulted, 120)
})

test('a gauge whose stall is not in the log (a killed process’s lost line) stands as it is', (t) => {
  const r = attributeStalls({
    services: { a: { gaugeMs: 180, stalls: [at(1_080, 80)] } },
    reference: [at(1_080, 80)],
    loggedOverMs: 50,
  })
  t.is(r.attributedMaxMsByService.a, 180)
})

test('stalls are read from a service log; other and torn lines are skipped', (t) => {
  const log = [
    '{"level":30,"msg":"observation published"}',
    '{"level":40,"ownMs":61.5,"wallMs":70,"endedAtMonotonicUs":123456789,"msg":"the event loop was held for 61.5 ms"}',
    '{"level":40,"ownMs":"x","wallMs":70,"endedAtMonotonicUs":1}',
    '{"level":40,"ownMs":61.5,"endedAtMonotonicUs"',
    '',
  ].join('\n')
  t.deepEqual(readLoggedStalls(log), [{ ownMs: 61.5, wallMs: 70, endedAtMonotonicUs: 123456789 }])
})
