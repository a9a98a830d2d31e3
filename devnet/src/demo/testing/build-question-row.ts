/** Test fixtures: a finished demo question (liar node-4 reported and caught by its replay, winner paid) and the state around rows. */
import type { DemoState, QuestionRow } from '../demo-state.ts'

export function buildQuestionRow(overrides: Partial<QuestionRow> = {}): QuestionRow {
  return {
    key: 'hockey-winner',
    title: 'Sports: who won?',
    outcomes: ['Port Alder Gulls', 'Ridgeback Miners'],
    expectedIndex: 0,
    phase: 'paid',
    requestId: `0x${'ab'.repeat(32)}`,
    requestedAtMs: 1000,
    observations: new Map([['node-1', 0n], ['node-2', 0n], ['node-3', 0n], ['node-4', 1n]]),
    report: { outliers: ['node-4'], nonResponders: [], late: [], count: 1 },
    commit: { answer: 0n, txHash: `0x${'cd'.repeat(32)}`, signers: ['node-1', 'node-2', 'node-3'], afterMs: 4200 },
    commitCount: 1,
    finalized: { answer: 0n, txHash: `0x${'ef'.repeat(32)}`, afterMs: 9800 },
    payout: { expectedWei: 3n * 10n ** 18n, receivedWei: 3n * 10n ** 18n },
    // Every bundle verified and replayed; the liar's replay disagrees with what it signed.
    bundles: { bundles: 4, verified: 4, replayed: 4, replayMatches: 3, replayMismatches: ['node-4'], bundleBytes: [5000, 5000, 5000, 5000], replayMs: [10, 10, 10, 10] },
    ...overrides,
  }
}

export function buildDemoState(rows: QuestionRow[]): DemoState {
  return { startedAtMs: 0, nodes: ['node-1', 'node-2', 'node-3', 'node-4'], questions: rows, feed: undefined, liars: ['node-4'] }
}
