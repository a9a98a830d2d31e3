import test from 'ava'
import { pino } from 'pino'
import type { FeedSpec } from '@sibyl/protocol/question-spec'
import type { ResolutionRequest } from '@sibyl/oracle-node/chain/fetch-requests'
import type { ResolveOutcome, Resolver } from '@sibyl/oracle-node/node/resolver'
import { createLyingFeedValueReader, createLyingResolver, wrongOutcome } from './lying-resolver.ts'

const request = (outcomes: string[]): ResolutionRequest => ({
  requestId: '0x' + 'ab'.repeat(32),
  requester: '0x' + '11'.repeat(20),
  specHash: '0x' + 'cd'.repeat(32),
  spec: '{}',
  outcomes,
  resolveAfter: 0,
  feeWei: 0n,
  blockNumber: 1,
  logIndex: 0,
})
const observed = (answer: bigint): ResolveOutcome => ({ kind: 'observed', answer, confidenceBps: 8100, evidenceHash: '0x' + '01'.repeat(32), modelId: 'm', modelHash: '0x' + '02'.repeat(32), reason: 'because' })
const fixed = (outcome: ResolveOutcome): Resolver => async () => outcome
const context = { nowSec: 0, logger: pino({ level: 'silent' }) }

test('wrongOutcome is always another valid outcome', (t) => {
  for (let count = 2; count <= 32; count++) {
    for (let index = 0; index < count; index++) {
      const lie = wrongOutcome(index, count)
      t.true(lie !== index && lie >= 0 && lie < count)
    }
  }
  t.throws(() => wrongOutcome(2, 2), { instanceOf: RangeError })
  t.throws(() => wrongOutcome(0, 1), { instanceOf: RangeError })
})

test('the liar changes only the answer of an outcome observation', async (t) => {
  const lie = await createLyingResolver(fixed(observed(2n)))(request(['a', 'b', 'c']), undefined, context)
  t.like(lie, { kind: 'observed', answer: 0n, confidenceBps: 8100, evidenceHash: '0x' + '01'.repeat(32), modelHash: '0x' + '02'.repeat(32) })
  t.regex((lie as { reason: string }).reason, /^demo liar: reports outcome 0 instead of 2/)
})

test('reserved answers, retries and skips pass through', async (t) => {
  for (const outcome of [observed(-1n), observed(-2n), { kind: 'retry', reason: 'x' } as const, { kind: 'skip', reason: 'y' } as const]) {
    t.deepEqual(await createLyingResolver(fixed(outcome))(request(['YES', 'NO']), undefined, context), outcome)
  }
})

test('the lying feed reader multiplies values and passes failures through', async (t) => {
  const spec: FeedSpec = { version: 1, description: 'X / Y', decimals: 2, sources: [{ url: 'http://127.0.0.1/x', format: 'html', weight: 10 }], deviationBps: 50, heartbeatSec: 60 }
  const ok = { ok: true, value: 11_842n, confidenceBps: 10_000, evidenceHash: '0x', modelId: 'm', modelHash: '0x' } as const
  t.like(await createLyingFeedValueReader(async () => ok)(spec), { ok: true, value: 118_420n })
  t.like(await createLyingFeedValueReader(async () => ok, 3n)(spec), { ok: true, value: 35_526n })
  t.deepEqual(await createLyingFeedValueReader(async () => ({ ok: false, reason: 'down' }))(spec), { ok: false, reason: 'down' })
  t.throws(() => createLyingFeedValueReader(async () => ok, 1n), { instanceOf: RangeError })
})

test('a slow liar holds its answer back for delayMs, then lies as usual', async (t) => {
  const startedAt = Date.now()
  const lie = await createLyingResolver(fixed(observed(0n)), { delayMs: 150 })(request(['YES', 'NO']), undefined, context)
  t.true(Date.now() - startedAt >= 140)
  t.like(lie, { kind: 'observed', answer: 1n })
  const spec: FeedSpec = { version: 1, description: 'X / Y', decimals: 2, sources: [{ url: 'http://127.0.0.1/x', format: 'html', weight: 10 }], deviationBps: 50, heartbeatSec: 60 }
  const feedStartedAt = Date.now()
  t.like(await createLyingFeedValueReader(async () => ({ ok: true, value: 2n, confidenceBps: 10_000, evidenceHash: '0x', modelId: 'm', modelHash: '0x' }), 10n, { delayMs: 150 })(spec), { value: 20n })
  t.true(Date.now() - feedStartedAt >= 140)
})
