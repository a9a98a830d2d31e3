/**
 * The commit phase alone, against fakes: claim with a lease, stand down when the chain says committed,
 * simulate, send, record; release with backoff on failure (by the injected clock) and give up after the
 * last attempt; every "commit attempt failed" line names the round.
 */
import test from 'ava'
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { ResolutionOracle__factory } from '@sibyl/contracts/typechain'
import { REQUEST_STATUS } from '@sibyl/protocol/request-status'
import { roundKey } from '../rounds/round-record.ts'
import { ORACLE, REQUEST_ID, START_MS, buildRoundRecord, counterValue, createTestContext, storedAnswers } from '../testing/phase-fixture.ts'
import { commitRound, scheduleCommit, waitForCommits } from './commit.ts'
import { createFakeChain } from '../testing/phase-fixture.ts'

const KEY = roundKey({ kind: 'resolution', contract: ORACLE, requestId: REQUEST_ID, round: 0 })
const oracleInterface = ResolutionOracle__factory.createInterface()

async function withQuorum(f: ReturnType<typeof createTestContext>, overrides = {}) {
  f.store.records.set(KEY, buildRoundRecord({ observations: await storedAnswers([1n, 0n, 1n, 1n]), ...overrides }))
}

/** A revert as ethers reports it from eth_call: the custom error's data on the error. */
function revert(name: 'RequestNotOpen' | 'QuorumNotReached', args: unknown[]) {
  return Object.assign(new Error('execution reverted'), { code: 'CALL_EXCEPTION', data: oracleInterface.encodeErrorResult(name, args) })
}

test('a round with a quorum is claimed, simulated, sent and recorded as committed', async (t) => {
  const f = createTestContext()
  await withQuorum(f)
  await commitRound(f.ctx, KEY)
  const record = f.store.records.get(KEY)!
  t.is(record.state, 'committed')
  t.is(record.commit?.answer, '1')
  t.false(record.commit?.byOther)
  t.is(record.claim?.attempts, 1)
  t.is(record.claim?.untilMs, START_MS + f.ctx.options.commitLeaseMs)
  t.is(f.sender.sent.length, 1)
  t.is(f.sender.sent[0]!.gasLimit, 125_000n, 'the estimate times gasLimitPercent')
  // The dissenting observation goes to the contract too, as signed dissent (ResolutionOracle.commitReportWithDissent).
  const call = oracleInterface.decodeFunctionData('commitReportWithDissent', f.sender.sent[0]!.data)
  t.is(call[0], REQUEST_ID)
  t.is(call[2], 1n)
  t.is((call[3] as unknown[]).length, 3, 'the three agreeing observations')
  const dissent = call[4] as { answer: bigint }[]
  t.is(dissent.length, 1, 'and the one dissent')
  t.is(dissent[0]!.answer, 0n)
  t.deepEqual(f.advanced.map((a) => a.record.state), ['committed'])
  t.is(await counterValue(f.metrics.commits, { kind: 'resolution', result: 'ok' }), 1)
})

test('a unanimous round is a plain commitReport; a report whose dissent the contract refuses is sent without it', async (t) => {
  const unanimous = createTestContext()
  unanimous.store.records.set(KEY, buildRoundRecord({ observations: await storedAnswers([1n, 1n, 1n]) }))
  await commitRound(unanimous.ctx, KEY)
  t.is(oracleInterface.parseTransaction({ data: unanimous.sender.sent[0]!.data })?.name, 'commitReport')

  const f = createTestContext()
  await withQuorum(f)
  const dissentSelector = oracleInterface.getFunction('commitReportWithDissent')!.selector
  const simulated: string[] = []
  f.ctx.provider = {
    call: async (tx) => {
      simulated.push(String(tx.data).slice(0, 10))
      if (String(tx.data).startsWith(dissentSelector)) throw revert('QuorumNotReached', [0n, 3n])
      return '0x'
    },
    estimateGas: async () => 100_000n,
  }
  await commitRound(f.ctx, KEY)
  t.deepEqual(simulated, [dissentSelector, oracleInterface.getFunction('commitReport')!.selector])
  t.is(f.store.records.get(KEY)!.state, 'committed', 'the dissent never blocks the commit')
  t.is(oracleInterface.parseTransaction({ data: f.sender.sent[0]!.data })?.name, 'commitReport')
})

test('a round the chain shows committed already is marked committed elsewhere, and nothing is sent', async (t) => {
  const f = createTestContext()
  await withQuorum(f)
  f.chain.requests.set(REQUEST_ID.toLowerCase(), { status: REQUEST_STATUS.Committed, round: 0, answer: 1n, resolveAfter: 0n })
  await commitRound(f.ctx, KEY)
  t.is(f.store.records.get(KEY)!.state, 'committed')
  t.true(f.store.records.get(KEY)!.commit?.byOther)
  t.is(f.sender.sent.length, 0)
  t.is(await counterValue(f.metrics.roundsClosed, { outcome: 'committed-elsewhere' }), 1)
})

test('a simulation reverting RequestNotOpen stands down once the chain confirms it; QuorumNotReached syncs the registry and releases the claim', async (t) => {
  const f = createTestContext()
  await withQuorum(f)
  f.provider.revert = revert('RequestNotOpen', [REQUEST_ID, 2])
  // The simulation landed on a newer block than the check: the request is committed on-chain now.
  const reads = f.chain.readRequest
  let calls = 0
  f.chain.readRequest = async (id, tag) => (calls++ === 0 ? reads(id, tag) : { status: REQUEST_STATUS.Committed, round: 0, answer: 1n, resolveAfter: 0n })
  await commitRound(f.ctx, KEY)
  t.true(f.store.records.get(KEY)!.commit?.byOther)
  t.is(f.sender.sent.length, 0)

  const g = createTestContext()
  await withQuorum(g)
  g.provider.revert = revert('QuorumNotReached', [2, 3])
  await commitRound(g.ctx, KEY)
  const released = g.store.records.get(KEY)!
  t.is(released.state, 'open')
  t.is(released.claim?.untilMs, START_MS + 1000, 'backoff of 1 s after the first attempt')
  t.regex(released.lastError ?? '', /QuorumNotReached/)
  t.is(g.registry.syncs, 1, 'our registry may be behind the chain')
  t.is(g.sender.sent.length, 0)
})

test('a failed send releases the claim with a growing backoff, and the last attempt leaves the round failed', async (t) => {
  const f = createTestContext()
  await withQuorum(f)
  f.sender.failure = new Error('not mined')
  await commitRound(f.ctx, KEY)
  let record = f.store.records.get(KEY)!
  t.is(record.state, 'open')
  t.is(record.claim?.untilMs, START_MS + 1000)
  t.is(record.lastError, 'not mined')
  // Still backing off: not claimable yet.
  await commitRound(f.ctx, KEY)
  t.is(f.sender.sent.length, 1)
  f.clock.advance(1000)
  await commitRound(f.ctx, KEY)
  record = f.store.records.get(KEY)!
  t.is(record.claim?.untilMs, START_MS + 1000 + 2000)
  f.clock.advance(2000)
  await commitRound(f.ctx, KEY)
  t.is(f.store.records.get(KEY)!.state, 'failed', `after ${f.ctx.options.maxCommitAttempts} attempts`)
  t.is(await counterValue(f.metrics.roundsClosed, { outcome: 'failed' }), 1)
})

test('a claim held by another aggregator is left alone until its lease runs out', async (t) => {
  const f = createTestContext()
  await withQuorum(f, { state: 'committing', claim: { by: 'agg-other', untilMs: START_MS + 5000, attempts: 1 } })
  await commitRound(f.ctx, KEY)
  t.is(f.sender.sent.length, 0)
  f.clock.advance(5000)
  await commitRound(f.ctx, KEY)
  t.is(f.store.records.get(KEY)!.state, 'committed')
  t.is(f.store.records.get(KEY)!.claim?.by, 'agg-test')
  t.is(f.store.records.get(KEY)!.claim?.attempts, 2)
})

test('a commit attempt that throws is logged as "commit attempt failed" with its roundKey', async (t) => {
  const lines: Record<string, unknown>[] = []
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>)
      done()
    },
  })
  const f = createTestContext()
  f.ctx.logger = pino({ level: 'info' }, sink)
  // A record whose stored signature does not match its signer (corrupted): the report builder refuses it.
  const observations = await storedAnswers([1n, 1n, 1n])
  observations[0] = { ...observations[0]!, signature: observations[1]!.signature }
  f.store.records.set(KEY, buildRoundRecord({ observations }))
  scheduleCommit(f.ctx, KEY)
  await waitForCommits(f.ctx)
  const failed = lines.find((l) => l.msg === 'commit attempt failed')
  t.truthy(failed)
  t.is(failed?.roundKey, KEY)
  t.false('key' in (failed ?? {}))
})

test('finding 5: a revert saying the request is not open, while the chain still shows it open, is retried, never written off', async (t) => {
  const f = createTestContext()
  await withQuorum(f)
  // A backend behind the chain (or a block a reorg takes away) simulates the call against a request it
  // does not know; every configured RPC still shows round 0 open.
  f.provider.revert = revert('RequestNotOpen', [REQUEST_ID, 0])
  await commitRound(f.ctx, KEY)
  const record = f.store.records.get(KEY)!
  t.is(record.commit, undefined, 'not marked committed elsewhere')
  t.is(record.state, 'open')
  t.true((record.claim?.untilMs ?? 0) > START_MS, 'released with a backoff, to be tried again')
  t.regex(record.lastError ?? '', /RequestNotOpen/)
})

test('finding 5: one lagging RPC that does not know the request does not close a quorum round without a commit', async (t) => {
  const f = createTestContext()
  await withQuorum(f)
  const lagging = createFakeChain()
  lagging.requests.set(REQUEST_ID.toLowerCase(), { status: REQUEST_STATUS.None, round: 0, answer: 0n, resolveAfter: 0n })
  const current = f.chain
  // The commit path reads through the lagging backend; the other configured RPC is current.
  f.ctx.chain = lagging
  f.ctx.confirmViews = [lagging, current]
  await commitRound(f.ctx, KEY)
  const record = f.store.records.get(KEY)!
  t.not(record.commit?.byOther, true, 'not written off as committed elsewhere')
  t.not(record.state, 'committed')
  t.is(await counterValue(f.metrics.roundsClosed, { outcome: 'committed-elsewhere' }), 0)
  // Every RPC agrees once the lagging one catches up to a commit by someone else: then it stands down.
  f.clock.advance(60_000)
  lagging.requests.set(REQUEST_ID.toLowerCase(), { status: REQUEST_STATUS.Committed, round: 0, answer: 1n, resolveAfter: 0n })
  current.requests.set(REQUEST_ID.toLowerCase(), { status: REQUEST_STATUS.Committed, round: 0, answer: 1n, resolveAfter: 0n })
  await commitRound(f.ctx, KEY)
  t.true(f.store.records.get(KEY)!.commit?.byOther)
})

test('finding 3: a round whose commits keep failing is never abandoned: capped backoff, then it lands', async (t) => {
  const f = createTestContext()
  await withQuorum(f)
  f.sender.failure = new Error('RPC unreachable')
  const gaps: number[] = []
  for (let attempt = 1; attempt <= 10; attempt++) {
    await commitRound(f.ctx, KEY)
    const until = f.store.records.get(KEY)!.claim?.untilMs ?? f.clock.nowMs()
    gaps.push(until - f.clock.nowMs())
    f.clock.set(until)
  }
  t.is(f.sender.sent.length, 10, 'every attempt was made, past maxCommitAttempts')
  t.true(
    gaps.every((g) => g <= 60_000),
    `backoff capped at 60 s: ${gaps.join(', ')}`,
  )
  t.is(gaps.at(-1), 60_000)
  t.is(f.store.records.get(KEY)!.state, 'failed', 'marked failed for operators, still tried')
  t.is(await counterValue(f.metrics.roundsClosed, { outcome: 'failed' }), 1, 'counted once')
  f.sender.failure = undefined
  await commitRound(f.ctx, KEY)
  t.is(f.store.records.get(KEY)!.state, 'committed')
  t.false(f.store.records.get(KEY)!.commit?.byOther)
})

test('finding 7: the claim covers the sender\'s whole give-up time before the transaction goes out', async (t) => {
  const f = createTestContext({ options: { commitLeaseMs: 5000, sendLeaseMs: 120_000 } })
  await withQuorum(f)
  let claimAtSend: number | undefined
  const send = f.sender.send
  f.sender.send = async (tx) => {
    claimAtSend = f.store.records.get(KEY)!.claim?.untilMs
    return send(tx)
  }
  await commitRound(f.ctx, KEY)
  t.is(f.store.records.get(KEY)!.state, 'committed')
  t.true((claimAtSend ?? 0) >= START_MS + 120_000, `claim until ${claimAtSend! - START_MS} ms at send; the sender may take 120 s`)
})
