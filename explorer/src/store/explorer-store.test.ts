import test from 'ava'
import type { ObservationMessage, OutlierMessage } from '@sibyl/protocol/messages'
import { createExplorerStore, decodeCursor } from './explorer-store.ts'

const ORACLE = '0x00000000000000000000000000000000000000aa'
const SIGNERS = ['0x0000000000000000000000000000000000000001', '0x0000000000000000000000000000000000000002', '0x0000000000000000000000000000000000000003', '0x0000000000000000000000000000000000000004']
const HASH = `0x${'11'.repeat(32)}`
const SIG = `0x${'22'.repeat(65)}`

function requestId(n: number): string {
  return `0x${n.toString(16).padStart(64, '0')}`
}

function spec(question: string, outcomes: string[]): string {
  return JSON.stringify({ version: 1, type: 'text', question, outcomes, sources: [{ url: 'https://example.org/news' }] })
}

function buildObservation(overrides: { requestId: string; signer: string; answer: string; round?: number; modelHash?: string }): ObservationMessage {
  return {
    version: 1,
    kind: 'resolution',
    domain: { chainId: '31337', verifyingContract: ORACLE },
    observation: { requestId: overrides.requestId, round: overrides.round ?? 0, answer: overrides.answer, confidenceBps: 9000, evidenceHash: HASH, modelHash: overrides.modelHash ?? HASH },
    signer: overrides.signer,
    signature: SIG,
    modelId: 'test-model',
    observedAtMs: 1_700_000_100_000,
  }
}

function buildReport(overrides: Partial<OutlierMessage> & { requestId: string }): OutlierMessage {
  return { version: 1, kind: 'resolution', domain: { chainId: '31337', verifyingContract: ORACLE }, round: 0, outcome: 'committed', outliers: [], nonResponders: [], reportedBy: 'agg', closedAtMs: 1_700_000_200_000, ...overrides }
}

function storeWith(n: number) {
  const store = createExplorerStore({ nowSec: () => 1_700_000_500 })
  for (let i = 1; i <= n; i++) {
    store.upsertRequest({ requestId: requestId(i), specText: spec(`Question number ${i}?`, ['Yes', 'No', 'Draw']), outcomes: ['Yes', 'No', 'Draw'], requester: SIGNERS[0]!, feeWei: 10n ** 18n, requestedAt: 1_700_000_000 + i, resolveAfter: 0, chainStatus: 'Open' })
  }
  return store
}

test('statuses and answer labels follow the chain: final with an outcome, unresolvable, too-early, committed, disputed', (t) => {
  const store = storeWith(5)
  store.upsertRequest({ requestId: requestId(1), chainStatus: 'Finalized', answerValue: 2n })
  store.upsertRequest({ requestId: requestId(2), chainStatus: 'Finalized', answerValue: -1n })
  store.upsertRequest({ requestId: requestId(3), chainStatus: 'Open', answerValue: -2n, deferred: true })
  store.upsertRequest({ requestId: requestId(4), chainStatus: 'Committed', answerValue: 0n, committedAt: 1_700_000_060 })
  store.upsertRequest({ requestId: requestId(5), chainStatus: 'Disputed', answerValue: 1n })
  const page = store.listRequests({ limit: 10 })
  if ('error' in page) return t.fail(page.error)
  const byId = new Map(page.requests.map((r) => [r.requestId, r]))
  t.like(byId.get(requestId(1)), { status: 'final', answer: 'Draw', answerIndex: 2, question: 'Question number 1?' })
  t.like(byId.get(requestId(2)), { status: 'unresolvable', answer: 'unresolvable', answerIndex: null })
  t.like(byId.get(requestId(3)), { status: 'too-early', answer: 'too early' })
  t.like(byId.get(requestId(4)), { status: 'committed', answer: 'Yes', timeToCommitSec: 56 })
  t.like(byId.get(requestId(5)), { status: 'disputed', answer: 'No' })
})

test('pages are newest first; the cursor continues without repeats or gaps, also while new requests arrive', (t) => {
  const store = storeWith(25)
  const seen: string[] = []
  let cursor: string | undefined
  let pages = 0
  do {
    const page = store.listRequests({ limit: 10, cursor })
    if ('error' in page) return t.fail(page.error)
    seen.push(...page.requests.map((r) => r.requestId))
    cursor = page.nextCursor ?? undefined
    if (pages++ === 0) store.upsertRequest({ requestId: requestId(99), specText: 'a new one', requestedAt: 1_800_000_000 })
  } while (cursor)
  t.deepEqual(seen, Array.from({ length: 25 }, (_, i) => requestId(25 - i)))
  t.is(pages, 3)
})

test('the status filter pages over matching requests only', (t) => {
  const store = storeWith(30)
  for (let i = 1; i <= 30; i += 3) store.upsertRequest({ requestId: requestId(i), chainStatus: 'Finalized', answerValue: 0n })
  const first = store.listRequests({ status: 'final', limit: 4 })
  if ('error' in first) return t.fail()
  t.deepEqual(first.requests.map((r) => r.requestId), [28, 25, 22, 19].map(requestId))
  const second = store.listRequests({ status: 'final', limit: 100, cursor: first.nextCursor! })
  if ('error' in second) return t.fail()
  t.deepEqual(second.requests.map((r) => r.requestId), [16, 13, 10, 7, 4, 1].map(requestId))
  t.is(second.nextCursor, null)
})

test('a cursor the store did not hand out is an error value', (t) => {
  const store = storeWith(3)
  t.deepEqual(store.listRequests({ limit: 10, cursor: 'banana!' }), { error: 'cursor is not one this server returned' })
  t.is(decodeCursor(Buffer.from('r12').toString('base64url')), 12)
  t.is(decodeCursor(Buffer.from('x12').toString('base64url')), undefined)
})

test('every member of the epoch gets a node row: agreed, outlier (from the report, on time or late), late, and no-answer', (t) => {
  const store = storeWith(1)
  const id = requestId(1)
  SIGNERS.forEach((signer, i) => store.addMembership({ operator: `0x${(i + 16).toString(16).padStart(40, '0')}`, signer, fromEpoch: 1, untilEpoch: 2 ** 32 - 1 }))
  store.addMembership({ operator: '0x00000000000000000000000000000000000000ff', signer: '0x00000000000000000000000000000000000000fe', fromEpoch: 5, untilEpoch: 9 })
  store.upsertRequest({ requestId: id, epoch: 3, chainStatus: 'Committed', answerValue: 0n, committedAt: 1_700_000_050, reportSigners: [SIGNERS[0]!] })
  store.addObservation(buildObservation({ requestId: id, signer: SIGNERS[0]!, answer: '0' }))
  // An agreeing answer received after the commit, without taking part in it.
  store.addObservation(buildObservation({ requestId: id, signer: '0x0000000000000000000000000000000000000005', answer: '0' }), 1_700_000_400)
  store.addObservation(buildObservation({ requestId: id, signer: SIGNERS[1]!, answer: '1' }))
  store.addObservation(buildObservation({ requestId: id, signer: SIGNERS[2]!, answer: '1' }))
  const entry = (signer: string, late?: true) => ({ signer, answer: '1', reason: 'disagrees', signature: SIG, confidenceBps: 9000, evidenceHash: HASH, modelHash: HASH, ...(late ? { late } : {}) })
  store.markOutlier(buildReport({ requestId: id, outliers: [entry(SIGNERS[1]!), entry(SIGNERS[2]!, true)], nonResponders: [SIGNERS[3]!] }))
  const nodes = store.getRequest(id)!.nodes
  t.deepEqual(nodes.map((n) => [n.signer, n.status, n.answer]), [
    [SIGNERS[0], 'agreed', 'Yes'],
    [SIGNERS[1], 'outlier', 'No'],
    [SIGNERS[2], 'outlier', 'No'],
    [SIGNERS[3], 'no-answer', null],
    ['0x0000000000000000000000000000000000000005', 'late', 'Yes'],
  ])
  t.is(nodes[0]!.operator, `0x${(16).toString(16).padStart(40, '0')}`)
})

test('observations that arrive before their request is indexed are kept and applied', (t) => {
  const store = createExplorerStore()
  const id = requestId(7)
  store.addObservation(buildObservation({ requestId: id, signer: SIGNERS[0]!, answer: '1' }))
  store.upsertRequest({ requestId: id, specText: spec('Who won the game?', ['A', 'B']), outcomes: ['A', 'B'], chainStatus: 'Finalized', answerValue: 1n })
  const detail = store.getRequest(id)!
  t.like(detail.nodes[0], { signer: SIGNERS[0], status: 'agreed', answer: 'B' })
  t.like(detail, { confidenceBps: 9000, confidenceInterval: [9000, 9000], sources: ['https://example.org/news'] })
})

test('one operator flooding observations for requests that do not exist cannot crowd out the others’, nor grow memory without bound', (t) => {
  const store = createExplorerStore({ maxRequests: 1000 })
  // A registered node signs observations for 20,000 request ids the chain never had (each is a valid message).
  for (let i = 0; i < 20_000; i++) store.addObservation(buildObservation({ requestId: requestId(1_000_000 + i), signer: SIGNERS[3]!, answer: '0' }))
  // An honest node's observation arrives before its real request is indexed.
  const id = requestId(7)
  store.addObservation(buildObservation({ requestId: id, signer: SIGNERS[0]!, answer: '1' }))
  store.upsertRequest({ requestId: id, specText: spec('Who won the game?', ['A', 'B']), outcomes: ['A', 'B'], chainStatus: 'Finalized', answerValue: 1n })
  t.like(store.getRequest(id)!.nodes.find((n) => n.signer === SIGNERS[0]), { status: 'agreed', answer: 'B' })
  // What the flood left waiting is bounded by one operator's share, not by its number of messages.
  t.true(store.earlyObservationCount() <= 256, `${store.earlyObservationCount()} early observations held`)
  // The flooding operator's newest observation for a real request still gets in: its quota evicts its oldest.
  const real = requestId(8)
  store.addObservation(buildObservation({ requestId: real, signer: SIGNERS[3]!, answer: '0' }))
  store.upsertRequest({ requestId: real, specText: spec('Who won the game?', ['A', 'B']), outcomes: ['A', 'B'], chainStatus: 'Finalized', answerValue: 0n })
  t.like(store.getRequest(real)!.nodes.find((n) => n.signer === SIGNERS[3]), { answer: 'A' })
})

test('subscribers get request and observation events; a throwing listener harms no one', (t) => {
  const store = storeWith(0)
  const seen: string[] = []
  store.subscribe(() => {
    throw new Error('gone')
  })
  const stop = store.subscribe((e) => seen.push(e.type))
  store.upsertRequest({ requestId: requestId(1), specText: 'q' })
  store.addObservation(buildObservation({ requestId: requestId(1), signer: SIGNERS[0]!, answer: '0' }))
  stop()
  store.upsertRequest({ requestId: requestId(2), specText: 'q' })
  t.deepEqual(seen, ['request', 'observation'])
})

test('the store is bounded: past maxRequests the oldest request is forgotten', (t) => {
  const store = createExplorerStore({ maxRequests: 10 })
  for (let i = 1; i <= 15; i++) store.upsertRequest({ requestId: requestId(i), specText: 'q' })
  const page = store.listRequests({ limit: 100 })
  if ('error' in page) return t.fail()
  t.is(page.requests.length, 10)
  t.is(store.getRequest(requestId(1)), undefined)
  t.truthy(store.getRequest(requestId(15)))
})

test('operators count answers, agreement, outliers and model diversity', (t) => {
  const store = storeWith(2)
  const operator = '0x0000000000000000000000000000000000000010'
  store.addMembership({ operator, signer: SIGNERS[0]!, fromEpoch: 0, untilEpoch: 100 })
  store.upsertOperator({ operator, signer: SIGNERS[0]!, stakeWei: 5n * 10n ** 18n, status: 'active' })
  store.upsertRequest({ requestId: requestId(1), epoch: 1, chainStatus: 'Finalized', answerValue: 0n })
  store.upsertRequest({ requestId: requestId(2), epoch: 1, chainStatus: 'Finalized', answerValue: 0n })
  store.addObservation(buildObservation({ requestId: requestId(1), signer: SIGNERS[0]!, answer: '0', modelHash: `0x${'aa'.repeat(32)}` }))
  store.addObservation(buildObservation({ requestId: requestId(2), signer: SIGNERS[0]!, answer: '1', modelHash: `0x${'aa'.repeat(32)}` }))
  store.addObservation(buildObservation({ requestId: requestId(2), signer: SIGNERS[1]!, answer: '0', modelHash: `0x${'bb'.repeat(32)}` }))
  const view = store.listOperators()
  t.like(view.operators[0], { operator, stake: '5000000000000000000', answers: 2, agreed: 1, outliers: 1, noAnswers: 0 })
  t.is(view.modelDiversity.distinctModelHashes, 2)
})

test("a node's own confidence interval is shown; the request's is the median low and high of the agreeing nodes'", (t) => {
  const store = storeWith(1)
  const id = requestId(1)
  store.upsertRequest({ requestId: id, chainStatus: 'Committed', answerValue: 0n })
  const intervals: [number, number][] = [[8000, 9500], [8500, 9200], [1000, 9900]]
  intervals.forEach((interval, i) => store.addObservation({ ...buildObservation({ requestId: id, signer: SIGNERS[i]!, answer: '0' }), confidenceInterval: interval }))
  store.addObservation(buildObservation({ requestId: id, signer: SIGNERS[3]!, answer: '1' }))
  const detail = store.getRequest(id)!
  t.deepEqual(detail.nodes.map((n) => n.confidenceInterval), [[8000, 9500], [8500, 9200], [1000, 9900], null])
  t.deepEqual(detail.confidenceInterval, [8000, 9500])
  t.is(detail.confidenceBps, 9000)
  t.is(detail.nodes[3]!.status, 'outlier')
})

test("a feed round lists the report's signers and every node seen answering, each with its own value", (t) => {
  const store = createExplorerStore({ nowSec: () => 1_700_010_000 })
  const feed = '0x00000000000000000000000000000000000000fe'
  store.upsertFeed({ address: feed, feedId: HASH, description: 'NWC / USD', decimals: 8, heartbeatSec: 3600, deviationBps: 50 })
  const feedObservation = (signer: string, answer: string) => ({ ...buildObservation({ requestId: HASH, signer, answer, round: 1 }), kind: 'feed' as const, domain: { chainId: '31337', verifyingContract: feed } })
  store.addObservation(feedObservation(SIGNERS[0]!, '100'))
  store.upsertFeedRound(feed, { roundId: 1, answer: 100n, updatedAt: 1_700_000_000, txHash: HASH, signers: [SIGNERS[0]!, SIGNERS[1]!] })
  store.addObservation(feedObservation(SIGNERS[3]!, '1000'))
  t.deepEqual(store.listFeedRounds(feed, 10)![0]!.nodes.map((n) => [n.signer, n.answer]), [
    [SIGNERS[0], '100'],
    [SIGNERS[1], '100'],
    [SIGNERS[3], '1000'],
  ])
  t.like(store.listFeeds()[0], { latestRound: { roundId: 1, answer: '100', updatedAt: 1_700_000_000 }, stale: true, heartbeatSec: 3600 })
  t.is(store.listFeedRounds('0x00000000000000000000000000000000000000fd', 10), undefined)
})

test('observations for feed rounds far ahead of the chain cannot push a real round’s observations out', (t) => {
  const store = createExplorerStore({ maxRoundsPerFeed: 100 })
  const feed = '0x00000000000000000000000000000000000000fe'
  store.upsertFeed({ address: feed, feedId: HASH, description: 'NWC / USD', decimals: 8, heartbeatSec: 3600, deviationBps: 50 })
  const feedObservation = (signer: string, answer: string, round: number) => ({ ...buildObservation({ requestId: HASH, signer, answer, round }), kind: 'feed' as const, domain: { chainId: '31337', verifyingContract: feed } })
  // Before the chain's rounds are known: a flood of far rounds is dropped once the first round lands.
  for (let round = 1_000; round < 1_200; round++) store.addObservation(feedObservation(SIGNERS[3]!, '1', round))
  store.upsertFeedRound(feed, { roundId: 7, answer: 100n, updatedAt: 1_700_000_000, txHash: HASH, signers: [SIGNERS[0]!] })
  store.addObservation(feedObservation(SIGNERS[1]!, '101', 7))
  // One operator signs values for rounds that will not exist for years.
  for (let round = 8; round < 5_000; round++) store.addObservation(feedObservation(SIGNERS[3]!, '1', round))
  t.deepEqual(store.listFeedRounds(feed, 10)![0]!.nodes.map((n) => [n.signer, n.answer]), [
    [SIGNERS[0], '100'],
    [SIGNERS[1], '101'],
  ])
  // The next round's observations, just ahead of the chain, are still kept for when it lands.
  store.addObservation(feedObservation(SIGNERS[1]!, '102', 8))
  store.upsertFeedRound(feed, { roundId: 8, answer: 102n, updatedAt: 1_700_000_060, txHash: HASH, signers: [SIGNERS[0]!] })
  t.true(store.listFeedRounds(feed, 10)!.at(-1)!.nodes.some((n) => n.signer === SIGNERS[1] && n.answer === '102'))
})
