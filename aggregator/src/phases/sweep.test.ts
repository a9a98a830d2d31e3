/**
 * The sweep: registry sync (its failure counted, not thrown), the full scan every few sweeps, forgetting
 * finished and reported rounds, and the open-rounds gauge.
 */
import test from 'ava'
import { roundKey } from '../rounds/round-record.ts'
import { ORACLE, buildRoundRecord, counterValue, createTestContext, storedAnswers } from '../testing/phase-fixture.ts'
import { sweep } from './sweep.ts'

const keyOf = (requestId: string) => roundKey({ kind: 'resolution', contract: ORACLE, requestId, round: 0 })
const ids = ['0x' + '01'.repeat(32), '0x' + '02'.repeat(32), '0x' + '03'.repeat(32)]

test('the first sweep finds every round in the store; finished and reported ones are set aside', async (t) => {
  const f = createTestContext()
  const observations = await storedAnswers([1n])
  f.store.records.set(keyOf(ids[0]!), buildRoundRecord({ requestId: ids[0]!, observations }))
  f.store.records.set(keyOf(ids[1]!), buildRoundRecord({ requestId: ids[1]!, state: 'committed', reported: true, observations }))
  f.store.records.set(keyOf(ids[2]!), buildRoundRecord({ requestId: ids[2]!, state: 'committed', reported: false, observations }))
  await sweep(f.ctx)
  t.deepEqual(new Set(f.advanced.map((a) => a.key)), new Set([keyOf(ids[0]!), keyOf(ids[2]!)]))
  t.true(f.ctx.memory.finished.has(keyOf(ids[1]!)))
  t.false(f.ctx.memory.known.has(keyOf(ids[1]!)))
  t.is((await f.metrics.roundsOpen.get()).values[0]?.value, 1)
  t.is(f.registry.syncs, 1)
})

test('rounds another aggregator starts are found by the full scan, every fullScanEvery sweeps', async (t) => {
  const f = createTestContext({ options: { fullScanEvery: 3 } })
  await sweep(f.ctx)
  f.store.records.set(keyOf(ids[0]!), buildRoundRecord({ requestId: ids[0]!, observations: await storedAnswers([1n]) }))
  await sweep(f.ctx)
  t.is(f.advanced.length, 0, 'not scanned on the second sweep')
  await sweep(f.ctx)
  t.deepEqual(f.advanced.map((a) => a.key), [keyOf(ids[0]!)])
})

test('a failed registry sync is counted and the sweep goes on', async (t) => {
  const f = createTestContext()
  f.registry.failing = true
  f.store.records.set(keyOf(ids[0]!), buildRoundRecord({ requestId: ids[0]!, observations: await storedAnswers([1n]) }))
  await sweep(f.ctx)
  t.is(await counterValue(f.metrics.chainErrors, { operation: 'registry-sync' }), 1)
  t.is(f.advanced.length, 1)
})
