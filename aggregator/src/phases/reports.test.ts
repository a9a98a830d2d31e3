/**
 * The outlier report: what it lists (on-time and late outliers, equivocations, non-responders), its
 * revisions (each its own message id, so the duplicate window never swallows one), and when a round counts
 * as reported.
 */
import test from 'ava'
import { ResolutionOracle__factory } from '@sibyl/contracts/typechain'
import { governanceReportSubject, outlierSubject } from '@sibyl/protocol/subjects'
import { roundKey } from '../rounds/round-record.ts'
import { CHAIN_ID, FEED, ORACLE, REQUEST_ID, buildRoundRecord, counterValue, createTestContext, operators, storedAnswers } from '../testing/phase-fixture.ts'
import { buildOutlierReport, publishReport } from './reports.ts'

const oracleInterface = ResolutionOracle__factory.createInterface()
const KEY = roundKey({ kind: 'resolution', contract: ORACLE, requestId: REQUEST_ID, round: 0 })
const addresses = (...indexes: number[]) => indexes.map((i) => operators[i]!.address)
const committedBy = (answer: string) => ({ answer, signers: addresses(0, 1, 2), by: 'agg-test', atMs: 1, txHash: `0x${'ab'.repeat(32)}`, byOther: false })

test('a committed round: on-time dissent is an outlier, silence a non-responder; the id names the revision', async (t) => {
  const f = createTestContext()
  const observations = await storedAnswers([1n, 0n, 1n, 1n])
  const record = buildRoundRecord({ state: 'committed', commit: committedBy('1'), observations: observations.slice(0, 3) })
  const report = buildOutlierReport(f.ctx, KEY, record)
  t.is(report.subject, outlierSubject({ chainId: CHAIN_ID, contract: ORACLE, requestId: REQUEST_ID }))
  t.is(report.msgID, `${KEY}.report.committed.3.0`)
  t.is(report.message.outcome, 'committed')
  t.is(report.message.committedAnswer, '1')
  t.deepEqual(report.message.outliers.map((o) => [o.signer, o.answer, o.late]), [[operators[1]!.address, '0', undefined]])
  t.deepEqual(report.message.nonResponders, addresses(3))
})

test('a dissent after the commit is published in a revision, marked late, and its signer is no longer a non-responder', async (t) => {
  const f = createTestContext()
  const [a, b, c, liar] = await storedAnswers([1n, 1n, 1n, 0n])
  f.store.records.set(KEY, buildRoundRecord({ state: 'committed', commit: committedBy('1'), observations: [a!, b!, c!] }))
  await publishReport(f.ctx, KEY)
  t.deepEqual(f.published.map((p) => [p.message.nonResponders, p.message.outliers.length]), [[addresses(3), 0]])
  t.true(f.store.records.get(KEY)!.reported)
  t.deepEqual(f.store.records.get(KEY)!.lastReport, { outcome: 'committed', observations: 3, equivocations: 0 })

  // The liar's observation arrives after the commit (intake stores it late and reopens the report).
  const stored = f.store.records.get(KEY)!
  f.store.records.set(KEY, { ...stored, reported: false, observations: [...stored.observations, { ...liar!, late: true }] })
  await publishReport(f.ctx, KEY)
  t.is(f.published.length, 2)
  const revised = f.published[1]!
  t.false(revised.duplicate, 'a revision is not a duplicate of the first report')
  t.not(revised.msgID, f.published[0]!.msgID)
  t.deepEqual(revised.message.outliers.map((o) => [o.signer, o.answer, o.late]), [[operators[3]!.address, '0', true]])
  t.regex(revised.message.outliers[0]!.reason, /after the commit/)
  t.deepEqual(revised.message.nonResponders, [])
  t.is(await counterValue(f.metrics.outliersReported, { type: 'late-outlier' }), 1)
  t.is(await counterValue(f.metrics.outliersReported, { type: 'non-responder' }), 1, 'counted when first reported, not again')
})

test('a late agreement revises the report too: no outlier, no non-responder, published to supersede the last one', async (t) => {
  const f = createTestContext()
  const [a, b, c, d] = await storedAnswers([1n, 1n, 1n, 1n])
  f.store.records.set(KEY, buildRoundRecord({ state: 'committed', commit: committedBy('1'), observations: [a!, b!, c!] }))
  await publishReport(f.ctx, KEY)
  const stored = f.store.records.get(KEY)!
  f.store.records.set(KEY, { ...stored, reported: false, observations: [...stored.observations, { ...d!, late: true }] })
  await publishReport(f.ctx, KEY)
  t.is(f.published.length, 2)
  t.deepEqual(f.published[1]!.message.outliers, [])
  t.deepEqual(f.published[1]!.message.nonResponders, [])
})

test('nothing to say and no earlier report: nothing is published, and the round counts as reported', async (t) => {
  const f = createTestContext()
  f.store.records.set(KEY, buildRoundRecord({ state: 'committed', commit: committedBy('1'), observations: await storedAnswers([1n, 1n, 1n, 1n]) }))
  f.ctx.memory.known.add(KEY)
  await publishReport(f.ctx, KEY)
  t.is(f.published.length, 0)
  t.true(f.store.records.get(KEY)!.reported)
  t.is(f.store.records.get(KEY)!.lastReport, undefined)
  t.false(f.ctx.memory.known.has(KEY))
})

test('evidence stored while a report is being published leaves the round unreported, for a revision', async (t) => {
  const f = createTestContext()
  const [a, b, c, d] = await storedAnswers([1n, 1n, 1n, 0n])
  f.store.records.set(KEY, buildRoundRecord({ state: 'committed', commit: committedBy('1'), observations: [a!, b!, c!] }))
  const publish = f.ctx.publishReport
  f.ctx.publishReport = async (subject, data, msgID) => {
    const current = f.store.records.get(KEY)!
    f.store.records.set(KEY, { ...current, observations: [...current.observations, { ...d!, late: true }] })
    return publish(subject, data, msgID)
  }
  await publishReport(f.ctx, KEY)
  t.false(f.store.records.get(KEY)!.reported)
  f.ctx.publishReport = publish
  await publishReport(f.ctx, KEY)
  t.true(f.store.records.get(KEY)!.reported)
  t.deepEqual(f.published.map((p) => p.msgID.split('.report.')[1]), ['committed.3.0', 'committed.4.0'])
})

test('the same revision from a second aggregator is one message: a duplicate, counted once', async (t) => {
  const f = createTestContext()
  const record = buildRoundRecord({ state: 'committed', commit: committedBy('1'), observations: await storedAnswers([1n, 0n, 1n, 1n]) })
  f.store.records.set(KEY, record)
  await publishReport(f.ctx, KEY)
  f.store.records.set(KEY, record)
  await publishReport(f.ctx, KEY)
  t.deepEqual(f.published.map((p) => p.duplicate), [false, true])
  t.is(await counterValue(f.metrics.outliersReported, { type: 'outlier' }), 1)
})

test('a no-quorum report, then the commit: reported again as committed, with all of it counted anew', async (t) => {
  const f = createTestContext()
  const observations = await storedAnswers([1n, 1n, 0n])
  f.store.records.set(KEY, buildRoundRecord({ state: 'no-quorum', observations }))
  await publishReport(f.ctx, KEY)
  t.is(f.published[0]!.message.outcome, 'no-quorum')
  t.deepEqual(f.published[0]!.message.nonResponders, addresses(3))
  const [late] = await storedAnswers([1n], {}, 3)
  f.store.records.set(KEY, { ...f.store.records.get(KEY)!, state: 'committed', reported: false, commit: committedBy('1'), observations: [...observations, late!] })
  await publishReport(f.ctx, KEY)
  const committed = f.published[1]!.message
  t.is(committed.outcome, 'committed')
  t.deepEqual(committed.outliers.map((o) => [o.signer, o.late]), [[operators[2]!.address, undefined]])
  t.is(await counterValue(f.metrics.outliersReported, { type: 'outlier' }), 1)
})

test('feed: a late value far from the committed median is a late outlier; a near one is not', async (t) => {
  const f = createTestContext()
  const key = roundKey({ kind: 'feed', contract: FEED.address, requestId: FEED.feedId, round: 1 })
  const onTime = await storedAnswers([11901n, 11903n, 11899n], { kind: 'feed' })
  const [far] = await storedAnswers([1_190_100n], { kind: 'feed' }, 3)
  const [near] = await storedAnswers([11902n], { kind: 'feed' }, 4)
  f.registry.active.add(operators[4]!.address)
  const record = buildRoundRecord({
    kind: 'feed',
    contract: FEED.address,
    requestId: FEED.feedId.toLowerCase(),
    round: 1,
    state: 'committed',
    commit: { ...committedBy('11901'), txHash: `0x${'cd'.repeat(32)}` },
    observations: [...onTime, { ...far!, late: true }, { ...near!, late: true }],
  })
  const report = buildOutlierReport(f.ctx, key, record)
  t.deepEqual(report.message.outliers.map((o) => [o.signer, o.answer, o.late]), [[operators[3]!.address, '1190100', true]])
  t.deepEqual(report.message.nonResponders, [])
  t.is(report.message.committedAnswer, '11901')
})

test('an equivocation is listed with both answers, and counts in the revision', async (t) => {
  const f = createTestContext()
  const observations = await storedAnswers([1n, 1n, 1n, 1n])
  const [second] = await storedAnswers([0n])
  const record = buildRoundRecord({ state: 'committed', commit: committedBy('1'), observations, equivocations: [{ signer: second!.signer, answer: '0', signature: second!.signature }] })
  const report = buildOutlierReport(f.ctx, KEY, record)
  t.deepEqual(report.message.outliers.map((o) => [o.signer, o.answer, o.reason]), [[operators[0]!.address, '0', 'equivocation: also signed 1']])
  t.is(report.msgID, `${KEY}.report.committed.4.1`)
})

const scrutinyOf = (contested: boolean, dissentCount: number) => ({ contested, dissentCount, medianConfidenceBps: 9000, disputeEndsAt: 2_000_000_000n })

test('a contested answer: the report carries the chain scrutiny and the confidence spread, and goes to governance too', async (t) => {
  const f = createTestContext()
  const observations = await storedAnswers([1n, 1n, 1n, 0n])
  f.chain.readScrutiny = async () => scrutinyOf(true, 2)
  f.store.records.set(KEY, buildRoundRecord({ state: 'committed', commit: committedBy('1'), observations: observations.map((o, i) => ({ ...o, confidenceBps: 6000 + 1000 * i })) }))
  await publishReport(f.ctx, KEY)
  const target = { chainId: CHAIN_ID, contract: ORACLE, requestId: REQUEST_ID }
  t.deepEqual(f.published.map((p) => p.subject), [outlierSubject(target), governanceReportSubject(target)])
  const [report, governance] = f.published
  t.deepEqual(governance!.message, report!.message, 'the same report')
  t.is(governance!.msgID, `${report!.msgID}.governance`)
  t.regex(report!.msgID, /\.contested\.2$/)
  t.deepEqual(report!.message.scrutiny, { contested: true, dissentCount: 2, medianConfidenceBps: 9000, disputeEndsAt: '2000000000' })
  t.deepEqual(report!.message.confidence, { observations: 4, minBps: 6000, medianBps: 7000, maxBps: 9000 })
  t.is(await counterValue(f.metrics.contestedReports, {}), 1)
})

test('an uncontested answer is not sent to governance; a unanimous one is not published at all', async (t) => {
  const f = createTestContext()
  f.chain.readScrutiny = async () => scrutinyOf(false, 1)
  f.store.records.set(KEY, buildRoundRecord({ state: 'committed', commit: committedBy('1'), observations: await storedAnswers([1n, 1n, 1n, 0n]) }))
  await publishReport(f.ctx, KEY)
  t.deepEqual(f.published.map((p) => p.subject), [outlierSubject({ chainId: CHAIN_ID, contract: ORACLE, requestId: REQUEST_ID })])
  t.like(f.published[0]!.message.scrutiny, { contested: false, dissentCount: 1 })

  const quiet = createTestContext()
  quiet.chain.readScrutiny = async () => scrutinyOf(false, 0)
  quiet.store.records.set(KEY, buildRoundRecord({ state: 'committed', commit: committedBy('1'), observations: await storedAnswers([1n, 1n, 1n, 1n]) }))
  await publishReport(quiet.ctx, KEY)
  t.is(quiet.published.length, 0)
})

test('dissent the chain does not know yet (it came after the commit) is posted with contest before the report', async (t) => {
  const f = createTestContext()
  const [a, b, c, liar] = await storedAnswers([1n, 1n, 1n, 0n])
  let known = 0
  f.chain.readScrutiny = async () => scrutinyOf(known >= 2, known)
  f.sender.sent.length = 0
  f.store.records.set(KEY, buildRoundRecord({ state: 'committed', commit: committedBy('1'), observations: [a!, b!, c!, { ...liar!, late: true }] }))
  await publishReport(f.ctx, KEY)
  t.is(f.sender.sent.length, 1, 'one contest transaction')
  const call = oracleInterface.decodeFunctionData('contest', f.sender.sent[0]!.data)
  t.is(call[0], REQUEST_ID)
  t.deepEqual([...(call[1] as string[])], addresses(0, 1, 2), 'the committed signers, which contest checks')
  t.deepEqual((call[2] as { answer: bigint }[]).map((d) => d.answer), [0n])

  // Known on-chain now: nothing is sent again.
  known = 1
  const stored = f.store.records.get(KEY)!
  f.store.records.set(KEY, { ...stored, reported: false })
  await publishReport(f.ctx, KEY)
  t.is(f.sender.sent.length, 1)
})
