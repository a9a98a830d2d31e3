/**
 * The sweep: registry sync (its failure counted, not thrown), the full scan every few sweeps, forgetting
 * finished and reported rounds, and the open-rounds gauge.
 */
import test from 'ava'
import { REQUEST_STATUS } from '@sibyl/protocol/request-status'
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

test('finding 2: a round record that cannot be read does not stop the sweep of the others', async (t) => {
  const f = createTestContext()
  f.store.records.set(keyOf(ids[0]!), buildRoundRecord({ requestId: ids[0]!, observations: await storedAnswers([1n]) }))
  f.store.records.set(keyOf(ids[1]!), buildRoundRecord({ requestId: ids[1]!, observations: await storedAnswers([1n]) }))
  const get = f.store.get
  f.store.get = async (key) => {
    if (key === keyOf(ids[0]!)) throw new Error('Round record does not parse.')
    return get(key)
  }
  await sweep(f.ctx)
  t.deepEqual(
    f.advanced.map((a) => a.key),
    [keyOf(ids[1]!)],
  )
  t.is(await counterValue(f.metrics.chainErrors, { operation: 'round-store' }), 1)
})

test('finding 6: a round closed without a quorum is asked about rarely, and retired only once the chain settles its request', async (t) => {
  const f = createTestContext()
  const key = keyOf(ids[0]!)
  f.store.records.set(key, buildRoundRecord({ requestId: ids[0]!, state: 'no-quorum', reported: true, observations: await storedAnswers([1n]) }))
  await sweep(f.ctx)
  t.true(f.ctx.memory.unsettled.has(key), 'scheduled for a settle check')
  const reads = f.chain.reads
  await sweep(f.ctx)
  t.is(f.chain.reads, reads, 'not before its first check is due')
  f.clock.advance(10_000)
  await sweep(f.ctx)
  t.is(f.chain.reads, reads + 1, 'asked once when due')
  t.is(f.store.records.get(key)!.state, 'no-quorum', 'still open on-chain: left as it is')
  t.is(f.ctx.memory.unsettled.get(key)?.waitMs, 20_000, 'the next check waits twice as long')
  f.chain.requests.set(ids[0]!, { status: REQUEST_STATUS.Committed, round: 0, answer: 1n, resolveAfter: 0n })
  f.clock.advance(20_000)
  await sweep(f.ctx)
  t.is(f.store.records.get(key)!.state, 'committed')
  t.true(f.store.records.get(key)!.commit?.byOther)
  t.false(f.ctx.memory.unsettled.has(key))
  t.is(await counterValue(f.metrics.roundsClosed, { outcome: 'committed-elsewhere' }), 1)
})
