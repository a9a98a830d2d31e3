/**
 * What a round needs next, by its record and the injected clock: commit, close at the deadline, report,
 * or wait; and advanceRound starting the step it names.
 */
import test from 'ava'
import { roundKey } from '../rounds/round-record.ts'
import { ORACLE, REQUEST_ID, START_MS, buildRoundRecord, counterValue, createTestContext, storedAnswers } from '../testing/phase-fixture.ts'
import { advanceRound, nextStep } from './advance-round.ts'
import { waitForCommits } from './commit.ts'

const KEY = roundKey({ kind: 'resolution', contract: ORACLE, requestId: REQUEST_ID, round: 0 })
const DEADLINE = START_MS + 4000

test('nextStep: commit a quorum whose claim is free, close at the deadline, report once finished', async (t) => {
  const { ctx } = createTestContext()
  const quorum = await storedAnswers([1n, 1n, 1n])
  const two = quorum.slice(0, 2)
  t.is(nextStep(ctx, buildRoundRecord({ observations: quorum }), START_MS), 'commit')
  t.is(nextStep(ctx, buildRoundRecord({ state: 'no-quorum', observations: quorum }), START_MS), 'commit', 'a quorum that came late is still committed')
  t.is(nextStep(ctx, buildRoundRecord({ observations: quorum, claim: { by: 'x', untilMs: START_MS + 1, attempts: 1 } }), START_MS), 'wait')
  t.is(nextStep(ctx, buildRoundRecord({ state: 'committing', observations: quorum, claim: { by: 'x', untilMs: START_MS, attempts: 1 } }), START_MS), 'commit', 'an expired claim is taken over')
  t.is(nextStep(ctx, buildRoundRecord({ observations: two }), DEADLINE - 1), 'wait')
  t.is(nextStep(ctx, buildRoundRecord({ observations: two }), DEADLINE), 'close')
  const committed = buildRoundRecord({ state: 'committed', observations: quorum })
  t.is(nextStep(ctx, committed, DEADLINE - 1), 'wait', 'the silent operator may still answer before the deadline')
  t.is(nextStep(ctx, committed, DEADLINE), 'report')
  t.is(nextStep(ctx, { ...committed, observations: await storedAnswers([1n, 1n, 1n, 0n]) }, START_MS), 'report', 'everyone answered: no need to wait')
  t.is(nextStep(ctx, { ...committed, reported: true }, DEADLINE), 'wait')
})

test('advanceRound closes a round at its deadline without a quorum and reports it, never forcing a commit', async (t) => {
  const f = createTestContext()
  f.store.records.set(KEY, buildRoundRecord({ observations: await storedAnswers([1n, 1n, 0n]) }))
  f.clock.set(DEADLINE)
  advanceRound(f.ctx, KEY, f.store.records.get(KEY)!)
  await waitForCommits(f.ctx)
  t.is(f.store.records.get(KEY)!.state, 'no-quorum')
  t.true(f.store.records.get(KEY)!.reported)
  t.is(f.published[0]?.message.outcome, 'no-quorum')
  t.is(f.sender.sent.length, 0)
  t.is(await counterValue(f.metrics.roundsClosed, { outcome: 'no-quorum' }), 1)
})

test('advanceRound starts the commit of a quorum, then the report once the commit is recorded', async (t) => {
  const f = createTestContext({ advance: (ctx, key, record) => advanceRound(ctx, key, record) })
  f.store.records.set(KEY, buildRoundRecord({ observations: await storedAnswers([1n, 1n, 1n, 0n]) }))
  f.ctx.advance(KEY, f.store.records.get(KEY)!)
  await waitForCommits(f.ctx)
  t.is(f.sender.sent.length, 1)
  t.is(f.store.records.get(KEY)!.state, 'committed')
  t.is(f.published.length, 1, 'everyone answered: reported at once')
  t.deepEqual(f.published[0]!.message.outliers.map((o) => o.answer), ['0'])
})
