/**
 * The phases wired together by createAggregator, with in-memory dependencies and a manual clock: a round
 * from its first observation to its commit and report, then a dissent that arrives after the commit and
 * revises the report; and a failed dependency answered as retry.
 */
import test from 'ava'
import { pino } from 'pino'
import type { PubAck } from '@nats-io/jetstream'
import { outlierMessageSchema, type OutlierMessage } from '@sibyl/protocol/messages'
import { createAggregatorMetrics } from './metrics/aggregator-metrics.ts'
import { roundKey } from './rounds/round-record.ts'
import {
  ORACLE,
  REQUEST_ID,
  createFakeChain,
  createFakeDeps,
  createFakeRegistry,
  createMemoryRoundStore,
  manualClock,
  observationBytes,
  operators,
  testOptions,
} from './testing/phase-fixture.ts'
import { createAggregator } from './create-aggregator.ts'

const KEY = roundKey({ kind: 'resolution', contract: ORACLE, requestId: REQUEST_ID, round: 0 })

function setup() {
  const clock = manualClock()
  const store = createMemoryRoundStore()
  const { provider, sender } = createFakeDeps()
  const reports: { msgID: string; message: OutlierMessage }[] = []
  const ids = new Set<string>()
  const js = {
    publish: async (_subject: string, data?: Uint8Array | string, options?: { msgID?: string }): Promise<PubAck> => {
      const msgID = options?.msgID ?? ''
      const duplicate = ids.has(msgID)
      ids.add(msgID)
      if (!duplicate) reports.push({ msgID, message: outlierMessageSchema.parse(JSON.parse(new TextDecoder().decode(data as Uint8Array))) })
      return { stream: 'SIBYL_OUTLIERS', seq: reports.length, duplicate }
    },
  }
  const aggregator = createAggregator(
    { provider: { ...provider, provider: null }, sender, store, js, registry: createFakeRegistry(), metrics: createAggregatorMetrics({ aggregator: 't' }), logger: pino({ level: 'silent' }), nowMs: clock.nowMs, chain: createFakeChain() },
    testOptions(),
  )
  return { aggregator, clock, store, sender, reports }
}

test('three agreeing observations are committed once; the silent fourth is reported at the deadline', async (t) => {
  const { aggregator, clock, store, sender, reports } = setup()
  for (let i = 0; i < 3; i++) t.like(await aggregator.handleMessage(await observationBytes({ signer: operators[i]!, answer: 1n })), { status: 'accepted' })
  await aggregator.idle()
  t.is(sender.sent.length, 1)
  t.is(store.records.get(KEY)!.state, 'committed')
  t.is(reports.length, 0, 'the fourth operator may still answer before the deadline')
  clock.advance(testOptions().deadlineMs)
  await aggregator.sweep()
  await aggregator.idle()
  t.deepEqual(reports.map((r) => r.message.nonResponders), [[operators[3]!.address]])
})

test('a dissent delivered after the commit and the first report is published as a late outlier', async (t) => {
  const { aggregator, clock, store, sender, reports } = setup()
  for (let i = 0; i < 3; i++) await aggregator.handleMessage(await observationBytes({ signer: operators[i]!, answer: 1n }))
  clock.advance(testOptions().deadlineMs)
  await aggregator.sweep()
  await aggregator.idle()
  t.is(reports.length, 1)
  const result = await aggregator.handleMessage(await observationBytes({ signer: operators[3]!, answer: 0n }))
  t.deepEqual(result, { status: 'accepted', roundKey: KEY, late: true })
  await aggregator.idle()
  t.is(reports.length, 2, 'the revision is not taken for a duplicate of the first report')
  const revised = reports[1]!.message
  t.deepEqual(revised.outliers.map((o) => [o.signer, o.answer, o.late]), [[operators[3]!.address, '0', true]])
  t.deepEqual(revised.nonResponders, [])
  t.is(revised.committedAnswer, '1')
  t.is(sender.sent.length, 1, 'late evidence never makes a second commit')
  t.true(store.records.get(KEY)!.reported)
  // The same message again (redelivered) changes nothing.
  t.like(await aggregator.handleMessage(await observationBytes({ signer: operators[3]!, answer: 0n })), { status: 'rejected', reason: 'duplicate' })
  await aggregator.idle()
  t.is(reports.length, 2)
})

test('a dependency failure is answered as retry', async (t) => {
  const { aggregator, store } = setup()
  store.failing = true
  const result = await aggregator.handleMessage(await observationBytes())
  t.is(result.status, 'retry')
})
