import test from 'ava'
import { outlierMessageSchema, type OutlierMessage } from '@sibyl/protocol/messages'
import { accountForOutliers, waitForOutliers } from './wait-for-outliers.ts'

const ORACLE = '0x' + 'aa'.repeat(20)
const REQUEST = '0x' + '01'.repeat(32)
const HONEST = ['0x' + '11'.repeat(20), '0x' + '22'.repeat(20), '0x' + '33'.repeat(20)]
const LIAR = '0x' + 'b4'.repeat(20)
/** The same address, spelled another way (addresses compare case-insensitively). */
const LIAR_MIXED = '0x' + 'B4'.repeat(20)

function buildOutlierEntry(signer: string, overrides: Partial<OutlierMessage['outliers'][number]> = {}): OutlierMessage['outliers'][number] {
  return {
    signer,
    answer: '1',
    reason: 'answered 1, committed 0',
    signature: '0x' + 'ab'.repeat(65),
    confidenceBps: 9000,
    evidenceHash: '0x' + 'cd'.repeat(32),
    modelHash: '0x' + 'ef'.repeat(32),
    ...overrides,
  }
}

/** A committed round's report. */
function buildOutlierReport(overrides: Partial<OutlierMessage> = {}): OutlierMessage {
  const report = outlierMessageSchema.parse({
    version: 1,
    kind: 'resolution',
    domain: { chainId: '31337', verifyingContract: ORACLE },
    requestId: REQUEST,
    round: 0,
    outcome: 'committed',
    committedAnswer: '0',
    outliers: [],
    nonResponders: [],
    reportedBy: 'aggregator-1',
    closedAtMs: 1_700_000_000_000,
  })
  return { ...report, ...overrides }
}

/** A watcher whose reports are a script: the i-th read sees `script[min(i, last)]`. */
function scriptedWatcher(script: OutlierMessage[][]) {
  let reads = 0
  return {
    reads: () => reads,
    reports: (contract: string, requestId: string) => {
      if (contract !== ORACLE || requestId !== REQUEST) return []
      return script[Math.min(reads++, script.length - 1)]!
    },
  }
}

test('a liar named in the first report is named at once', async (t) => {
  const watcher = scriptedWatcher([[buildOutlierReport({ outliers: [buildOutlierEntry(LIAR)] })]])
  const found = await waitForOutliers(watcher, { contract: ORACLE, requestId: REQUEST, signers: [LIAR], timeoutMs: 5000 })
  t.like(found, { named: [LIAR], missing: [], late: [], reportCount: 1, timedOut: false })
  t.is(watcher.reads(), 1)
})

test('a liar first reported as a non-responder is named by the later, late report: the wait goes on until it comes', async (t) => {
  const first = buildOutlierReport({ nonResponders: [LIAR] })
  const late = buildOutlierReport({ outliers: [buildOutlierEntry(LIAR, { late: true as const })], closedAtMs: 1_700_000_030_000 })
  const watcher = scriptedWatcher([[], [first], [first], [first, late]])
  const found = await waitForOutliers(watcher, { contract: ORACLE, requestId: REQUEST, signers: [LIAR_MIXED], timeoutMs: 10_000, everyMs: 1 })
  t.like(found, { missing: [], late: [LIAR_MIXED], reportCount: 2, timedOut: false })
  t.is(found.latest, late)
  t.is(watcher.reads(), 4)
})

test('the bound is kept: a liar never named is missing once it passes, and the latest report is returned', async (t) => {
  let nowMs = 0
  const report = buildOutlierReport({ nonResponders: [LIAR] })
  const watcher = { reports: () => [report] }
  const found = await waitForOutliers(watcher, { contract: ORACLE, requestId: REQUEST, signers: [LIAR], timeoutMs: 50, everyMs: 1, nowMs: () => (nowMs += 10) })
  t.like(found, { named: [], missing: [LIAR], timedOut: true, latest: report })
  t.true(found.waitedMs >= 50)
})

test('an aborted wait returns what it has at once', async (t) => {
  const controller = new AbortController()
  controller.abort()
  const found = await waitForOutliers({ reports: () => [] }, { contract: ORACLE, requestId: REQUEST, signers: [LIAR], timeoutMs: 60_000, signal: controller.signal })
  t.like(found, { missing: [LIAR], timedOut: true, reportCount: 0 })
})

test('accountForOutliers: any round counts, an honest signer is never named by a report that lists only the liar', (t) => {
  const round1 = buildOutlierReport({ kind: 'feed', round: 1, outliers: [buildOutlierEntry(LIAR)] })
  const round2 = buildOutlierReport({ kind: 'feed', round: 2, nonResponders: [LIAR] })
  t.like(accountForOutliers([round1, round2], [LIAR, ...HONEST]), { named: [LIAR], missing: HONEST, late: [], reportCount: 2, latest: round2 })
  t.like(accountForOutliers([], [LIAR]), { named: [], missing: [LIAR], latest: undefined })
})

test('a silent liar (it reached the request only after the commit) is accounted for by the non-responders of the latest report', (t) => {
  const silentReport = buildOutlierReport({ nonResponders: [LIAR] })
  t.like(accountForOutliers([silentReport], [], [LIAR_MIXED]), { named: [], listedSilent: [LIAR_MIXED], missing: [] })
  // A later report that no longer lists it, and names nobody: not accounted for.
  t.like(accountForOutliers([silentReport, buildOutlierReport()], [], [LIAR]), { listedSilent: [], missing: [LIAR] })
  // Named as an outlier after all (its observation came late): named, not silent.
  const late = buildOutlierReport({ outliers: [buildOutlierEntry(LIAR, { late: true as const })] })
  t.like(accountForOutliers([silentReport, late], [], [LIAR]), { named: [LIAR], late: [LIAR], listedSilent: [], missing: [] })
})

test('waiting for a silent signer ends when a report lists it', async (t) => {
  const watcher = scriptedWatcher([[], [], [buildOutlierReport({ nonResponders: [LIAR] })]])
  const found = await waitForOutliers(watcher, { contract: ORACLE, requestId: REQUEST, signers: [], silent: [LIAR], timeoutMs: 10_000, everyMs: 1 })
  t.like(found, { listedSilent: [LIAR], missing: [], timedOut: false })
  t.is(watcher.reads(), 3)
})
