/**
 * Intake alone: each check in its order (schema, domain, signature, registry, round, store), what a refusal
 * counts, what a failed dependency returns (retry, nothing stored), and the store step's rules (duplicate,
 * equivocation, round-full, late). The clock is injected; nothing sleeps.
 */
import test from 'ava'
import { Wallet } from 'ethers'
import { signObservation } from '@sibyl/protocol/eip712'
import { MAX_SIGNERS_PER_ROUND } from '@sibyl/protocol/limits'
import { toObservationMessage } from '@sibyl/protocol/messages'
import { buildObservation } from '@sibyl/protocol/testing/build-observation'
import { REQUEST_STATUS } from '@sibyl/protocol/request-status'
import { roundKey } from '../rounds/round-record.ts'
import {
  CHAIN_ID,
  FEED,
  ORACLE,
  REQUEST_ID,
  START_MS,
  buildRoundRecord,
  counterValue,
  createTestContext,
  encodeMessage,
  observationBytes,
  operators,
  signedMessage,
  storedAnswers,
  storedFrom,
  createFakeChain,
} from '../testing/phase-fixture.ts'
import { applyObservation, handleObservation } from './intake.ts'

const KEY = roundKey({ kind: 'resolution', contract: ORACLE, requestId: REQUEST_ID, round: 0 })
const rejected = (f: ReturnType<typeof createTestContext>, reason: string) => counterValue(f.metrics.observationsRejected, { reason })

test('a valid observation is stored in a new round record, and the round is looked at', async (t) => {
  const f = createTestContext()
  const result = await handleObservation(f.ctx, await observationBytes({ signer: operators[0]!, answer: 1n }))
  t.deepEqual(result, { status: 'accepted', roundKey: KEY, late: false })
  const record = f.store.records.get(KEY)!
  t.is(record.state, 'open')
  t.is(record.openedAtMs, START_MS)
  t.is(record.deadlineAtMs, START_MS + f.ctx.options.deadlineMs)
  t.deepEqual(record.observations.map((o) => [o.signer, o.answer, o.late]), [[operators[0]!.address, '1', undefined]])
  t.deepEqual(f.advanced.map((a) => a.key), [KEY])
  t.true(f.ctx.memory.known.has(KEY))
  t.is(await counterValue(f.metrics.observationsAccepted, { kind: 'resolution' }), 1)
})

test('the observation that completes the quorum stamps the time of quorum from the injected clock', async (t) => {
  const f = createTestContext()
  for (let i = 0; i < 3; i++) {
    f.clock.advance(250)
    await handleObservation(f.ctx, await observationBytes({ signer: operators[i]!, answer: 1n }))
  }
  const record = f.store.records.get(KEY)!
  t.is(record.quorumAtMs, START_MS + 750)
  t.is(record.openedAtMs, START_MS + 250)
  const histogram = await f.metrics.timeToQuorum.get()
  t.is(histogram.values.find((v) => v.metricName === 'sibyl_time_to_quorum_seconds_sum')?.value, 0.5)
})

test('malformed messages are refused: not JSON, the wrong shape, an address with a broken checksum', async (t) => {
  const f = createTestContext()
  const good = await signedMessage()
  // Flip the case of one letter of a checksummed address: still hex, no longer its EIP-55 form.
  const at = [...good.signer].findIndex((c, i) => i > 1 && /[a-fA-F]/.test(c))
  const c = good.signer[at]!
  const broken = good.signer.slice(0, at) + (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()) + good.signer.slice(at + 1)
  const results = [
    await handleObservation(f.ctx, encodeMessage('{"version":1,')),
    await handleObservation(f.ctx, encodeMessage({ version: 1, kind: 'resolution' })),
    await handleObservation(f.ctx, encodeMessage({ ...good, signer: broken })),
  ]
  t.deepEqual(results.map((r) => r.status === 'rejected' && r.reason), ['malformed', 'malformed', 'malformed'])
  t.is(await rejected(f, 'malformed'), 3)
  t.is(f.store.records.size, 0)
})

test('another chain, another contract, or a feed observation for another feed id is the wrong domain', async (t) => {
  const f = createTestContext()
  const results = [
    await handleObservation(f.ctx, await observationBytes({ domain: { chainId: 999n, verifyingContract: ORACLE } })),
    await handleObservation(f.ctx, await observationBytes({ domain: { chainId: CHAIN_ID, verifyingContract: FEED.address } })),
    await handleObservation(f.ctx, await observationBytes({ kind: 'feed', requestId: REQUEST_ID })),
  ]
  t.deepEqual(results.map((r) => r.status === 'rejected' && r.reason), ['wrong-domain', 'wrong-domain', 'wrong-domain'])
  t.is(f.chain.reads, 0, 'refused before any chain read')
})

test('a tampered answer or a signature by someone else than the claimed signer is forged', async (t) => {
  const f = createTestContext()
  const honest = await signedMessage({ signer: operators[1]!, answer: 1n })
  const byStranger = await signedMessage({ signer: new Wallet(Wallet.createRandom().privateKey) })
  const results = [
    await handleObservation(f.ctx, encodeMessage({ ...honest, observation: { ...honest.observation, answer: '0' } })),
    await handleObservation(f.ctx, encodeMessage({ ...byStranger, signer: operators[0]!.address })),
  ]
  t.deepEqual(results.map((r) => r.status === 'rejected' && r.reason), ['forged', 'forged'])
  t.is(f.registry.syncs, 0)
})

test('an unknown signer makes intake read the registry at most once a second (by the injected clock)', async (t) => {
  const f = createTestContext()
  const stranger = new Wallet(Wallet.createRandom().privateKey)
  const bytes = await observationBytes({ signer: stranger })
  t.like(await handleObservation(f.ctx, bytes), { status: 'rejected', reason: 'unknown-signer' })
  t.like(await handleObservation(f.ctx, bytes), { status: 'rejected', reason: 'unknown-signer' })
  t.is(f.registry.syncs, 1)
  f.clock.advance(1001)
  t.like(await handleObservation(f.ctx, bytes), { status: 'rejected', reason: 'unknown-signer' })
  t.is(f.registry.syncs, 2, 'read again a second later')
  // It staked meanwhile (the registry learnt it): accepted without another read.
  f.registry.active.add(stranger.address)
  t.like(await handleObservation(f.ctx, bytes), { status: 'accepted' })
  t.is(f.registry.syncs, 2)
})

test('the round is checked on-chain once: unknown request, stale round, then cached for the round', async (t) => {
  const f = createTestContext()
  f.chain.requests.set(REQUEST_ID.toLowerCase(), { status: REQUEST_STATUS.None, round: 0, answer: 0n, resolveAfter: 0n })
  t.like(await handleObservation(f.ctx, await observationBytes()), { status: 'rejected', reason: 'unknown-request' })
  f.chain.requests.set(REQUEST_ID.toLowerCase(), { status: REQUEST_STATUS.Committed, round: 0, answer: 1n, resolveAfter: 0n })
  t.like(await handleObservation(f.ctx, await observationBytes()), { status: 'rejected', reason: 'stale-round' })
  f.chain.requests.delete(REQUEST_ID.toLowerCase())
  const reads = f.chain.reads
  await handleObservation(f.ctx, await observationBytes({ signer: operators[0]! }))
  await handleObservation(f.ctx, await observationBytes({ signer: operators[1]! }))
  t.is(f.chain.reads, reads + 1)
  // A feed round must follow the feed's last round.
  f.chain.feedRounds.set(FEED.address.toLowerCase(), 7)
  t.like(await handleObservation(f.ctx, await feedObservationBytes({ round: 7 })), { status: 'rejected', reason: 'stale-round' })
  t.like(await handleObservation(f.ctx, await feedObservationBytes({ round: 8 })), { status: 'accepted' })
})

/** A feed value as a node publishes it: signed as a FeedObservation with observedAt, sent as observedAtMs. */
async function feedObservationBytes(p: { round: number; observedAt?: number; answer?: bigint; signer?: Wallet }): Promise<Uint8Array> {
  const domain = { chainId: CHAIN_ID, verifyingContract: FEED.address }
  const observedAt = p.observedAt ?? START_MS / 1000
  const signed = await signObservation({
    signer: p.signer ?? operators[0]!,
    domain,
    observation: buildObservation({ requestId: FEED.feedId, round: p.round, answer: p.answer ?? 1n, observedAt }),
  })
  const { observedAt: _, ...fields } = signed.observation
  return encodeMessage(toObservationMessage('feed', domain, { ...signed, observation: fields }, { modelId: 'test-model', observedAtMs: observedAt * 1000 }))
}

test('a feed value is checked as signed with its observation time; a later one from the same node replaces it', async (t) => {
  const f = createTestContext()
  // Signed without its time (an Observation, not a FeedObservation): it does not recover its signer.
  const domain = { chainId: CHAIN_ID, verifyingContract: FEED.address }
  const untimed = await signObservation({ signer: operators[0]!, domain, observation: buildObservation({ requestId: FEED.feedId, round: 1, answer: 10n }) })
  const untimedBytes = encodeMessage(toObservationMessage('feed', domain, untimed, { modelId: 'test-model', observedAtMs: START_MS }))
  t.like(await handleObservation(f.ctx, untimedBytes), { status: 'rejected', reason: 'forged' })
  const first = await handleObservation(f.ctx, await feedObservationBytes({ round: 1, answer: 10n }))
  t.like(first, { status: 'accepted' })
  const key = first.status === 'accepted' ? first.roundKey : ''
  // The node observed the open round again later: the newer value replaces its earlier one, no equivocation.
  t.like(await handleObservation(f.ctx, await feedObservationBytes({ round: 1, answer: 11n, observedAt: START_MS / 1000 + 1800 })), { status: 'accepted' })
  const record = f.store.records.get(key)!
  t.is(record.observations.length, 1)
  t.is(record.observations[0]!.answer, '11')
  t.is(record.equivocations.length, 0)
  // An older one after a newer one is an equivocation, kept as evidence.
  t.like(await handleObservation(f.ctx, await feedObservationBytes({ round: 1, answer: 12n, observedAt: START_MS / 1000 + 1 })), { status: 'rejected', reason: 'equivocation' })
})

test('a failed dependency is retry, not a refusal, and nothing is stored: KV, chain, registry', async (t) => {
  const f = createTestContext()
  f.store.failing = true
  const kv = await handleObservation(f.ctx, await observationBytes())
  t.is(kv.status, 'retry')
  t.is(await counterValue(f.metrics.chainErrors, { operation: 'round-store' }), 1)
  f.store.failing = false
  f.chain.failing = true
  t.like(await handleObservation(f.ctx, await observationBytes()), { status: 'retry' })
  t.is(await counterValue(f.metrics.chainErrors, { operation: 'read-round' }), 1)
  f.chain.failing = false
  f.registry.failing = true
  const stranger = new Wallet(Wallet.createRandom().privateKey)
  const registry = await handleObservation(f.ctx, await observationBytes({ signer: stranger }))
  t.like(registry, { status: 'retry' })
  t.regex(registry.status === 'retry' ? registry.error : '', /registry-sync: RPC unavailable/)
  t.is(f.store.records.size, 0)
  t.is(await counterValue(f.metrics.observationsRejected, {}), 0, 'no refusal counted')
  // The same message, delivered again once the dependencies are back, is accepted.
  f.registry.failing = false
  t.like(await handleObservation(f.ctx, await observationBytes()), { status: 'accepted' })
})

test('the same observation twice is a duplicate; a second, different one an equivocation kept once', async (t) => {
  const f = createTestContext()
  const first = await observationBytes({ signer: operators[0]!, answer: 1n })
  await handleObservation(f.ctx, first)
  t.like(await handleObservation(f.ctx, first), { status: 'rejected', reason: 'duplicate' })
  const other = await observationBytes({ signer: operators[0]!, answer: 0n })
  t.like(await handleObservation(f.ctx, other), { status: 'rejected', reason: 'equivocation' })
  t.like(await handleObservation(f.ctx, other), { status: 'rejected', reason: 'equivocation' })
  const record = f.store.records.get(KEY)!
  t.is(record.observations.length, 1)
  t.deepEqual(record.equivocations.map((e) => [e.signer, e.answer]), [[operators[0]!.address, '0']])
  t.is(await rejected(f, 'duplicate'), 1)
  t.is(await rejected(f, 'equivocation'), 2)
  // A third answer by the same signer is refused too but not kept: one proof a signer, so a node equivocating again
  // and again can neither crowd out another's evidence nor make report revision after revision.
  t.like(await handleObservation(f.ctx, await observationBytes({ signer: operators[0]!, answer: 5n })), { status: 'rejected', reason: 'equivocation' })
  t.is(f.store.records.get(KEY)!.equivocations.length, 1)
  t.like(await handleObservation(f.ctx, await observationBytes({ signer: operators[1]!, answer: 1n })), { status: 'accepted' })
  t.like(await handleObservation(f.ctx, await observationBytes({ signer: operators[1]!, answer: 0n })), { status: 'rejected', reason: 'equivocation' })
  t.deepEqual(f.store.records.get(KEY)!.equivocations.map((e) => e.signer), [operators[0]!.address, operators[1]!.address])
})

test(`a round holding ${MAX_SIGNERS_PER_ROUND} observations refuses more as round-full, not as duplicate`, async (t) => {
  const f = createTestContext()
  const template = storedFrom(await signedMessage({ signer: operators[1]! }))
  const fill = Array.from({ length: MAX_SIGNERS_PER_ROUND }, (_, i) => ({ ...template, signer: `0x${(i + 1).toString(16).padStart(40, '0')}` }))
  f.store.records.set(KEY, buildRoundRecord({ observations: fill }))
  const result = await handleObservation(f.ctx, await observationBytes({ signer: operators[0]! }))
  t.like(result, { status: 'rejected', reason: 'round-full' })
  t.is(await rejected(f, 'round-full'), 1)
  t.is(await rejected(f, 'duplicate'), 0)
})

test('an observation for a committed round is stored as late evidence and reopens a published report', async (t) => {
  const f = createTestContext()
  const observations = await storedAnswers([1n, 1n, 1n])
  f.store.records.set(KEY, buildRoundRecord({ state: 'committed', observations, reported: true, lastReport: { outcome: 'committed', observations: 3, equivocations: 0 } }))
  // The chain says committed: it is not asked (the round has a record).
  f.chain.failing = true
  const result = await handleObservation(f.ctx, await observationBytes({ signer: operators[3]!, answer: 0n }))
  t.deepEqual(result, { status: 'accepted', roundKey: KEY, late: true })
  const record = f.store.records.get(KEY)!
  t.deepEqual(record.observations.map((o) => o.late ?? false), [false, false, false, true])
  t.false(record.reported, 'the report is published again, revised')
  t.is(record.quorumAtMs, undefined, 'a late observation is no part of the quorum')
  t.deepEqual(f.advanced.at(-1)?.key, KEY)
})

test('applyObservation: one per signer, late only after the commit, a report reopened only when it was out', async (t) => {
  const [a, b] = await storedAnswers([1n, 0n])
  const parameters = { target: { kind: 'resolution' as const, contract: ORACLE, requestId: REQUEST_ID, round: 0 }, nowMs: START_MS, deadlineMs: 1000, activeCount: 4, reachesQuorum: () => false }
  const opened = applyObservation(undefined, { ...parameters, stored: a! })
  t.is(opened.outcome, 'added')
  t.is(opened.next?.requestId, REQUEST_ID.toLowerCase())
  t.false(opened.late)
  for (const state of ['open', 'committing', 'no-quorum', 'failed'] as const) {
    const r = applyObservation(buildRoundRecord({ state, observations: [a!] }), { ...parameters, stored: b! })
    t.false(r.late, state)
  }
  const late = applyObservation(buildRoundRecord({ state: 'committed', observations: [a!], reported: false }), { ...parameters, stored: b! })
  t.true(late.late)
  t.false(late.next?.reported)
  const reopened = applyObservation(buildRoundRecord({ state: 'no-quorum', observations: [a!], reported: true }), { ...parameters, stored: b! })
  t.false(reopened.next?.reported, 'a no-quorum report whose non-responder answered is revised too')
  t.is(applyObservation(buildRoundRecord({ observations: [a!] }), { ...parameters, stored: a! }).outcome, 'duplicate')
  const quorum = applyObservation(buildRoundRecord({ observations: [a!] }), { ...parameters, stored: b!, reachesQuorum: () => true, nowMs: START_MS + 5 })
  t.is(quorum.next?.quorumAtMs, START_MS + 5)
  t.true(quorum.reachedNow)
})

test('finding 5: unknown-request and stale-round are final only when every RPC agrees; until then the message comes back', async (t) => {
  const f = createTestContext()
  const lagging = f.chain
  const current = createFakeChain()
  f.ctx.confirmViews = [lagging, current]
  // The backend intake reads does not know the request yet; the other configured RPC does.
  lagging.requests.set(REQUEST_ID.toLowerCase(), { status: REQUEST_STATUS.None, round: 0, answer: 0n, resolveAfter: 0n })
  t.like(await handleObservation(f.ctx, await observationBytes({ signer: operators[0]! })), { status: 'accepted' })
  t.is(await rejected(f, 'unknown-request'), 0)

  // Another request: the primary says its round moved on, the other RPC cannot be read: decide nothing now.
  const other = '0x' + '0b'.repeat(32)
  lagging.requests.set(other, { status: REQUEST_STATUS.Committed, round: 0, answer: 1n, resolveAfter: 0n })
  const unreadable = createFakeChain()
  unreadable.failing = true
  f.ctx.confirmViews = [lagging, unreadable]
  const result = await handleObservation(f.ctx, await observationBytes({ requestId: other }))
  t.is(result.status, 'retry', 'not acknowledged: it is handled again once every RPC can be read')
  t.is(await rejected(f, 'stale-round'), 0)

  // Every RPC agrees: now it is refused for good.
  unreadable.failing = false
  unreadable.requests.set(other, { status: REQUEST_STATUS.Committed, round: 0, answer: 1n, resolveAfter: 0n })
  t.like(await handleObservation(f.ctx, await observationBytes({ requestId: other })), { status: 'rejected', reason: 'stale-round' })
})
