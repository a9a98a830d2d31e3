/**
 * Consensus over a round record: only on-time observations of active signers decide; late ones are judged
 * against the committed answer (resolution: any other answer; feed: bounds, then the same MAD rule).
 */
import test from 'ava'
import { roundKey } from '../rounds/round-record.ts'
import { FEED, buildRoundRecord, createTestContext, operators, storedAnswers } from '../testing/phase-fixture.ts'
import { decideRound, judgeLateObservations } from './decide-round.ts'

const lateAll = <T extends object>(list: T[]) => list.map((o) => ({ ...o, late: true as const }))

test('resolution: a quorum of on-time answers decides; late and inactive signers do not count', async (t) => {
  const { ctx, registry } = createTestContext()
  const onTime = await storedAnswers([1n, 1n])
  const late = lateAll(await storedAnswers([1n], {}, 2))
  t.false(decideRound(ctx, buildRoundRecord({ observations: [...onTime, ...late] })).reached, 'two on time and one late are not a quorum of 3')
  const three = await storedAnswers([1n, 1n, 1n, 0n])
  const decision = decideRound(ctx, buildRoundRecord({ observations: three }))
  t.true(decision.reached)
  if (!decision.reached) return
  t.is(decision.answer, 1n)
  t.deepEqual(decision.signers.map((o) => o.signer), operators.slice(0, 3).map((w) => w.address))
  t.deepEqual(decision.outliers.map((o) => o.obs.signer), [operators[3]!.address])
  registry.active.delete(operators[0]!.address)
  // 3 active: quorum 3, and one of the three agreeing signers left.
  t.false(decideRound(ctx, buildRoundRecord({ observations: three })).reached)
})

test('with the round rules read from the chain: n is the epoch\'s, only its members count, and every agreeing member signs', async (t) => {
  const { ctx, registry } = createTestContext()
  const observations = await storedAnswers([1n, 1n, 1n, 1n])
  const record = buildRoundRecord({ observations })
  const all = operators.slice(0, 4).map((w) => w.address)
  // The registry's estimate: 4 active, all four agree.
  t.true(decideRound(ctx, record).reached)
  // The chain says: the round's epoch had 5 members (quorum 4), and operator 3 was not one of them.
  ctx.memory.roundRules.set(roundKey(record), { epoch: 9, operatorCount: 5, signers: new Set(all), counted: new Set(all.slice(0, 3)) })
  t.false(decideRound(ctx, record).reached, '3 members of 5 are not a quorum of 4')
  ctx.memory.roundRules.set(roundKey(record), { epoch: 9, operatorCount: 4, signers: new Set(all), counted: new Set(all) })
  registry.active.clear() // the registry no longer matters for the signers the rules cover
  const decision = decideRound(ctx, record)
  t.true(decision.reached)
  if (decision.reached) t.deepEqual(decision.signers.map((o) => o.signer), all, 'every agreeing member goes on record, not just a quorum')
})

test('feed: the median of the in-bounds inliers, with the spread it was judged by', async (t) => {
  const { ctx } = createTestContext()
  const observations = await storedAnswers([11901n, 11903n, 1190100n, 11899n], { kind: 'feed' })
  const decision = decideRound(ctx, buildRoundRecord({ kind: 'feed', contract: FEED.address, requestId: FEED.feedId.toLowerCase(), round: 1, observations }))
  t.true(decision.reached)
  if (!decision.reached) return
  t.is(decision.answer, 11901n)
  t.deepEqual(decision.outliers.map((o) => o.obs.answer), ['1190100'])
  t.true(decision.spread !== undefined && decision.spread.mad >= 0n)
})

test('late resolution observations: a dissent is a late outlier, an agreement is not', async (t) => {
  const { ctx } = createTestContext()
  const late = lateAll(await storedAnswers([0n, 1n], {}, 3))
  const record = buildRoundRecord({ state: 'committed', observations: [...(await storedAnswers([1n, 1n, 1n])), ...late] })
  const judged = judgeLateObservations(ctx, record, { answer: 1n })
  t.deepEqual(judged.map((o) => [o.obs.signer, o.reason]), [[operators[3]!.address, 'answered 0 after the commit of 1']])
  t.deepEqual(judgeLateObservations(ctx, record, undefined), [], 'nothing to judge against')
})

test('late feed values: out of bounds, or beyond the MAD rule around the committed median, are late outliers', async (t) => {
  const { ctx } = createTestContext()
  const onTime = await storedAnswers([11901n, 11903n, 11899n], { kind: 'feed' })
  const record = buildRoundRecord({ kind: 'feed', contract: FEED.address, requestId: FEED.feedId.toLowerCase(), round: 1, state: 'committed', observations: onTime })
  const decision = decideRound(ctx, record)
  t.true(decision.reached)
  if (!decision.reached) return
  const committed = { answer: decision.answer, ...(decision.spread ? { spread: decision.spread } : {}) }
  const [near, far] = lateAll(await storedAnswers([11902n, 13000n], { kind: 'feed' }, 3))
  // judgeLateObservations looks at values only: the out-of-bounds one reuses a signed entry.
  const outOfBounds = { ...far!, answer: '0' }
  const judged = judgeLateObservations(ctx, { ...record, observations: [...onTime, near!, far!, outOfBounds] }, committed)
  t.deepEqual(
    judged.map((o) => o.obs.answer),
    ['13000', '0'],
    'one tick away is kept (the floor); far and out-of-bounds are not',
  )
  t.regex(judged[0]!.reason, /from the committed median 11901, after the commit/)
  t.regex(judged[1]!.reason, /outside \[1, 100000000\], after the commit/)
})
