/**
 * fetchEvidence accepts a bundle only as the evidence of the observation it is offered for: a bundle honest for
 * request A (hashing to the signed evidenceHash, by the right signer) is refused as the evidence of request B,
 * of another round, another contract, another chain or another kind (H4). Local folders only: no network.
 */
import test from 'ava'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { keccak256, toUtf8Bytes } from 'ethers'
import { EVIDENCE_BUNDLE_VERSION, encodeEvidenceBundle, hashEvidenceBundle, type EvidenceBundle, type EvidenceExpectation } from '@sibyl/protocol/evidence-bundle'
import { openLocalEvidenceStore } from './local-evidence-store.ts'
import { fetchEvidence } from './fetch-evidence.ts'
import { replayEvidence } from './replay-evidence.ts'

const signer = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'

const bundleA: EvidenceBundle = {
  header: {
    version: EVIDENCE_BUNDLE_VERSION,
    kind: 'resolution',
    chainId: 31337n,
    contract: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
    requestId: keccak256(toUtf8Bytes('request A')),
    round: 0,
    signer,
    node: 'node-1',
    spec: '{"broken":true}',
    questionType: 'invalid',
    nowSec: 1_741_500_100,
    createdAtMs: 1_741_500_100_123,
    modelId: 'm',
    modelHash: keccak256(toUtf8Bytes('model')),
    models: [],
    device: 'cpu',
    minConfidenceBps: 6000,
    topKPerSource: 4,
    answer: -1n,
    confidenceBps: 10_000,
    reason: 'invalid spec',
    outcomeProbabilitiesBps: [],
    value: '',
  },
  sources: [],
}
const hashA = hashEvidenceBundle(bundleA)
const h = bundleA.header
const ofA: Omit<EvidenceExpectation, 'signer'> = { kind: h.kind, chainId: h.chainId, contract: h.contract, requestId: h.requestId, round: h.round, modelHash: h.modelHash }

let dir: string
test.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sibyl-fetch-evidence-'))
  await openLocalEvidenceStore(dir).write(hashA, encodeEvidenceBundle(bundleA))
})
test.after.always(() => rmSync(dir, { recursive: true, force: true }))

test('the bundle is accepted as the evidence of its own observation', async (t) => {
  t.like(await fetchEvidence({ signer, evidenceHash: hashA, expected: ofA, localDirs: [dir] }), { ok: true, from: 'local' })
  t.like(await fetchEvidence({ signer, evidenceHash: hashA, expected: { ...ofA, specHash: keccak256(toUtf8Bytes(h.spec)) }, localDirs: [dir] }), { ok: true })
})

test('a bundle honest for request A is refused as the evidence of request B, another round, contract, chain or kind', async (t) => {
  const cases: [Partial<EvidenceExpectation>, RegExp][] = [
    [{ requestId: keccak256(toUtf8Bytes('request B')) }, /requestId: the bundle is for/],
    [{ round: 1 }, /round: the bundle is for round 0, the observation for round 1/],
    [{ contract: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512' }, /contract:/],
    [{ chainId: 1n }, /chainId:/],
    [{ kind: 'feed' }, /kind:/],
    [{ modelHash: keccak256(toUtf8Bytes('other')) }, /modelHash:/],
    [{ specHash: keccak256(toUtf8Bytes('{"altered":true}')) }, /spec: the bundle's spec hashes to/],
  ]
  for (const [change, message] of cases) {
    const got = await fetchEvidence({ signer, evidenceHash: hashA, expected: { ...ofA, ...change }, localDirs: [dir] })
    t.false(got.ok)
    if (!got.ok) {
      t.is(got.reason, 'mismatch')
      t.regex(got.message, message)
    }
  }
})

test('replay refuses a bundle offered for another observation instead of "matching" it', async (t) => {
  const deps = { embedder: { embed: async () => [] }, judge: async () => [] } as unknown as Parameters<typeof replayEvidence>[0]
  t.like(await replayEvidence(deps, bundleA, { ...ofA, signer }), { ok: true, matchesBundle: true })
  const other = await replayEvidence(deps, bundleA, { ...ofA, signer, requestId: keccak256(toUtf8Bytes('request B')) })
  t.false(other.ok)
  if (!other.ok) t.regex(other.reason, /not the evidence of this observation: requestId/)
})
