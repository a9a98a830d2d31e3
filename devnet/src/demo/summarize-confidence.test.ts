import test from 'ava'
import type { ObservationMessage } from '@sibyl/protocol/messages'
import { summarizeConfidence } from './summarize-confidence.ts'

const signer = (i: number) => `0x${String(i).padStart(40, '0')}`
function observation(i: number, confidenceBps: number, extra: Partial<ObservationMessage> = {}, round = 0): ObservationMessage {
  return {
    version: 1,
    kind: 'resolution',
    domain: { chainId: '31337', verifyingContract: signer(99) },
    observation: { requestId: `0x${'1'.repeat(64)}`, round, answer: '0', confidenceBps, evidenceHash: `0x${'2'.repeat(64)}`, modelHash: `0x${'3'.repeat(64)}` },
    signer: signer(i),
    signature: `0x${'4'.repeat(130)}`,
    modelId: 'm',
    observedAtMs: 0,
    ...extra,
  }
}

test('medians over the commit signers of the committed round; the interval contains the confidence', (t) => {
  const messages = [
    observation(1, 7000, { confidenceInterval: [6000, 8000], articlesRead: 30 }),
    observation(2, 6500, { confidenceInterval: [6400, 9000], articlesRead: 31 }),
    observation(3, 9000, { confidenceInterval: [8900, 9100], articlesRead: 29 }),
    observation(4, 1000, { confidenceInterval: [0, 2000], articlesRead: 2 }), // the dissenter: not a signer
    observation(1, 100, {}, 1), // another round
  ]
  const summary = summarizeConfidence(messages, { round: 0, signers: [signer(1), signer(2), signer(3)] })
  t.deepEqual(summary, { confidenceBps: 7000, confidenceInterval: [6400, 9000], articlesRead: 30, observations: 3 })
  t.true(summary!.confidenceInterval[0] <= summary!.confidenceBps && summary!.confidenceBps <= summary!.confidenceInterval[1])
  // A node that gives no interval counts as its point; nobody agreeing gives nothing.
  t.deepEqual(summarizeConfidence([observation(1, 8000), observation(2, 9000)], { round: 0, signers: [signer(1), signer(2)] })?.confidenceInterval, [8000, 8000])
  t.is(summarizeConfidence(messages, { round: 0, signers: [] }), undefined)
})
