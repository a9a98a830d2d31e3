import test from 'ava'
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Wallet, keccak256, toUtf8Bytes } from 'ethers'
import { recoverObservationSigner } from '@sibyl/protocol/eip712'
import { buildObservation } from '@sibyl/protocol/testing/build-observation'
import { SigningJournalError, openSigningJournal } from './signing-journal.ts'
import { signObservationSafely } from './sign-observation-safely.ts'

const domain = { chainId: 31337n, verifyingContract: '0x5FbDB2315678afecb367f032d93F642f64180aa3' }
const observation = buildObservation({ answer: 1n, evidenceHash: keccak256(toUtf8Bytes('page as read')) })
const tempJournal = () => join(mkdtempSync(join(tmpdir(), 'sibyl-journal-')), 'journal.jsonl')

test('a node never signs two different answers for one request and round, across restarts', async (t) => {
  const path = tempJournal()
  const signer = Wallet.createRandom()
  let journal = openSigningJournal(path)
  const first = await signObservationSafely({ signer, journal, nowMs: () => 1 }, domain, observation)
  t.is(first.kind, 'signed')
  if (first.kind === 'signed') t.is(recoverObservationSigner(domain, observation, first.signed.signature), signer.address)
  journal.close()

  // The process restarts; the page now reads differently.
  journal = openSigningJournal(path)
  const conflicting = await signObservationSafely({ signer, journal, nowMs: () => 2 }, domain, { ...observation, answer: 0n })
  t.is(conflicting.kind, 'refused')
  const evidenceChanged = await signObservationSafely({ signer, journal, nowMs: () => 2 }, domain, {
    ...observation,
    evidenceHash: keccak256(toUtf8Bytes('page changed')),
  })
  t.is(evidenceChanged.kind, 'refused', 'any different field is a different observation')

  // The same observation again is fine (republishing after a crash), and so is the next round.
  const again = await signObservationSafely({ signer, journal, nowMs: () => 3 }, domain, observation)
  t.like(again, { kind: 'signed', repeated: true })
  t.like(await signObservationSafely({ signer, journal, nowMs: () => 4 }, domain, { ...observation, round: 1, answer: 0n }), {
    kind: 'signed',
    repeated: false,
  })
  // Another contract or chain is another key.
  t.is((await signObservationSafely({ signer, journal, nowMs: () => 5 }, { ...domain, chainId: 1n }, { ...observation, answer: 0n })).kind, 'signed')
  t.deepEqual(journal.recordedObservation({ ...domain, contract: domain.verifyingContract, requestId: observation.requestId, round: 0 }), observation)
  journal.close()
  t.is(readFileSync(path, 'utf8').trim().split('\n').length, 3)
  t.deepEqual(
    openSigningJournal(path).recordedObservation({ ...domain, contract: domain.verifyingContract, requestId: observation.requestId, round: 0 }),
    observation,
    'the journaled observation reads back after a restart, bigint answer included',
  )
})

test('a torn last line is ignored; corruption elsewhere stops the node instead of signing blind', (t) => {
  const path = tempJournal()
  const journal = openSigningJournal(path)
  journal.record({ ...domain, contract: domain.verifyingContract, requestId: observation.requestId, round: 0 }, '0xaa', observation, 1)
  journal.close()
  appendFileSync(path, '{"key":"31337:0x5fbd')
  const reopened = openSigningJournal(path)
  t.is(reopened.size(), 1)
  t.is(reopened.record({ ...domain, contract: domain.verifyingContract, requestId: observation.requestId, round: 1 }, '0xbb', { ...observation, round: 1 }, 2).kind, 'recorded')
  reopened.close()
  t.is(openSigningJournal(path).size(), 2, 'the torn bytes were cut, so the next entry reads back')

  writeFileSync(path, `not json\n${readFileSync(path, 'utf8')}`)
  t.throws(() => openSigningJournal(path), { instanceOf: SigningJournalError, message: /corrupt at line 1/ })
})
