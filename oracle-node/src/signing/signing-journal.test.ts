import test from 'ava'
import { execFileSync } from 'node:child_process'
import { appendFileSync, existsSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Wallet, keccak256, toUtf8Bytes } from 'ethers'
import { pino } from 'pino'
import { observationDigest, recoverObservationSigner } from '@sibyl/protocol/eip712'
import { buildObservation } from '@sibyl/protocol/testing/build-observation'
import { openNodeDatabase } from '../chain/open-node-database.ts'
import { openNodeStateStore } from '../chain/node-state.ts'
import { importLegacyState } from '../chain/import-legacy-state.ts'
import { saveLegacyNodeState } from '../chain/legacy-node-state.ts'
import { SigningJournalError, openSigningJournal, serializeObservation, type SigningJournal } from './signing-journal.ts'
import { readLegacyJournal } from './read-legacy-journal.ts'
import { signObservationSafely } from './sign-observation-safely.ts'
import { temporaryDir } from '@sibyl/service-kit/fs/temporary-dir'

const domain = { chainId: 31337n, verifyingContract: '0x5FbDB2315678afecb367f032d93F642f64180aa3' }
const observation = buildObservation({ answer: 1n, evidenceHash: keccak256(toUtf8Bytes('page as read')) })
const key = (round = 0, requestId = observation.requestId) => ({ chainId: domain.chainId, contract: domain.verifyingContract, requestId, round })
const tempDb = () => join(temporaryDir('sibyl-journal-'), 'state', 'node.sqlite')
const silent = pino({ level: 'silent' })

test('a node never signs two different answers for one request and round, across restarts', async (t) => {
  const path = tempDb()
  const signer = Wallet.createRandom()
  let db = openNodeDatabase(path)
  let journal = openSigningJournal(db)
  const first = await signObservationSafely({ signer, journal, nowMs: () => 1 }, domain, observation)
  t.is(first.kind, 'signed')
  if (first.kind === 'signed') t.is(recoverObservationSigner(domain, observation, first.signed.signature), signer.address)
  db.close()

  // The process restarts; the page now reads differently.
  db = openNodeDatabase(path)
  journal = openSigningJournal(db)
  const conflicting = await signObservationSafely({ signer, journal, nowMs: () => 2 }, domain, { ...observation, answer: 0n })
  t.is(conflicting.kind, 'refused')
  const evidenceChanged = await signObservationSafely({ signer, journal, nowMs: () => 2 }, domain, {
    ...observation,
    evidenceHash: keccak256(toUtf8Bytes('page changed')),
  })
  t.is(evidenceChanged.kind, 'refused', 'any different field is a different observation')

  // The same observation again is fine (republishing after a crash), and so is the next round.
  t.like(await signObservationSafely({ signer, journal, nowMs: () => 3 }, domain, observation), { kind: 'signed', repeated: true })
  t.like(await signObservationSafely({ signer, journal, nowMs: () => 4 }, domain, { ...observation, round: 1, answer: 0n }), { kind: 'signed', repeated: false })
  // Another contract or chain is another key.
  t.is((await signObservationSafely({ signer, journal, nowMs: () => 5 }, { ...domain, chainId: 1n }, { ...observation, answer: 0n })).kind, 'signed')
  t.deepEqual(journal.recordedObservation(key()), observation)
  t.is(journal.size(), 3)
  db.close()
  t.deepEqual(openSigningJournal(openNodeDatabase(path)).recordedObservation(key()), observation, 'reads back after a restart, bigint answer included')
})

test('a journal write that fails is refused with store_write_failed, leaves nothing behind, and is never signed', async (t) => {
  const path = tempDb()
  const signer = Wallet.createRandom()
  const db = openNodeDatabase(path)
  const journal = openSigningJournal(db)
  // The database itself refuses the insert, as it does on SQLITE_FULL or an I/O error: the statement is rolled back.
  db.exec(`CREATE TRIGGER fail_writes BEFORE INSERT ON journal BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`)
  const refused = await signObservationSafely({ signer, journal, nowMs: () => 1 }, domain, observation)
  t.like(refused, { kind: 'refused', reason: 'store_write_failed' })
  t.is(journal.size(), 0, 'no partial entry')
  t.is(journal.recordedDigest(key()), undefined)
  db.exec('DROP TRIGGER fail_writes')
  db.close()
  // Nothing was signed, so after a restart this round is still free, and then bound to what was signed.
  const reopened = openSigningJournal(openNodeDatabase(path))
  t.is((await signObservationSafely({ signer, journal: reopened, nowMs: () => 2 }, domain, { ...observation, answer: 0n })).kind, 'signed')
  t.is((await signObservationSafely({ signer, journal: reopened, nowMs: () => 3 }, domain, observation)).kind, 'refused')
})

test('a signature waits until the journal entry is on the disk; a flush the disk refuses is a refusal', async (t) => {
  const path = tempDb()
  const db = openNodeDatabase(path)
  // Commits are not fsynced on the event loop: the flush is the journal's own, awaited before signing.
  t.is(db.pragma('synchronous', { simple: true }), 1, 'synchronous = NORMAL')
  const real = openSigningJournal(db)
  let signatures = 0
  class CountingWallet extends Wallet {
    override signTypedData(...args: Parameters<Wallet['signTypedData']>) {
      signatures++
      return super.signTypedData(...args)
    }
  }
  const signer = new CountingWallet(Wallet.createRandom().privateKey)

  // The disk refuses the fsync (EIO): recorded in the page cache is not on the disk, so nothing is signed.
  const eio = Object.assign(new Error('i/o error'), { code: 'EIO' })
  const failing = { ...real, durable: () => Promise.reject(eio) }
  const refused = await signObservationSafely({ signer, journal: failing, nowMs: () => 1 }, domain, observation)
  t.like(refused, { kind: 'refused', reason: 'store_write_failed', detail: 'fsync: EIO' })
  t.is(signatures, 0)

  // A flush still running holds the signature back until it is done; a retry of the same entry is flushed again.
  let release!: () => void
  let flushes = 0
  const slow = { ...real, durable: () => (flushes++, new Promise<void>((r) => (release = r))) }
  const pending = signObservationSafely({ signer, journal: slow, nowMs: () => 2 }, domain, observation)
  await new Promise((r) => setTimeout(r, 20))
  t.is(signatures, 0, 'not signed before the entry is durable')
  release()
  t.like(await pending, { kind: 'signed', repeated: true })
  t.is(signatures, 1)
  t.is(flushes, 1)

  // The real flush: fsync of the WAL and the database file, on the thread pool.
  await real.durable()
  db.close()
})

test('a flush keeps the database locked against a second node process on the same state', async (t) => {
  const path = tempDb()
  const db = openNodeDatabase(path)
  const journal = openSigningJournal(db)
  const signer = Wallet.createRandom()
  t.is((await signObservationSafely({ signer, journal, nowMs: () => 1 }, domain, observation)).kind, 'signed')
  await journal.durable()
  // Another process (an overlapping restart, a second container on the same volume) tries to open and write it.
  const script = `
    import { openNodeDatabase } from ${JSON.stringify(new URL('../chain/open-node-database.ts', import.meta.url).pathname)}
    try {
      const db = openNodeDatabase(${JSON.stringify(path)})
      db.prepare("INSERT INTO meta (key, value) VALUES ('intruder', '1')").run()
      console.log('opened and wrote')
    } catch (error) {
      console.log('refused ' + (error.code ?? error.name))
    }`
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' }).trim()
  t.regex(out, /^refused /, out)
  t.is(journal.recordedObservation(key())?.answer, observation.answer)
  db.close()
})

test('after one failed flush the journal refuses to sign anything until the node restarts', async (t) => {
  const db = openNodeDatabase(tempDb())
  let calls = 0
  // The disk fails one write-back; Linux reports that once and a later fsync succeeds on pages it dropped.
  const syncFiles = async () => {
    calls++
    if (calls === 1) throw Object.assign(new Error('i/o error'), { code: 'EIO' })
  }
  const journal = openSigningJournal(db, { syncFiles })
  const signer = Wallet.createRandom()
  t.like(await signObservationSafely({ signer, journal, nowMs: () => 1 }, domain, observation), { kind: 'refused', reason: 'store_write_failed', detail: 'fsync: EIO' })
  // The retry finds the row "unchanged" in the page cache: it must not be signed on the strength of a later fsync.
  const retry = await signObservationSafely({ signer, journal, nowMs: () => 2 }, domain, observation)
  t.like(retry, { kind: 'refused', reason: 'store_write_failed' })
  t.is((await signObservationSafely({ signer, journal, nowMs: () => 3 }, domain, { ...observation, round: 1 })).kind, 'refused', 'nor anything else')
  t.is(calls, 1)
  db.close()
})

test('signings that come together share fsyncs, and each waits for one that started after its own entry', async (t) => {
  const db = openNodeDatabase(tempDb())
  const startedAtSize: number[] = []
  const releases: (() => void)[] = []
  let journal: SigningJournal | undefined
  const syncFiles = () => {
    startedAtSize.push(journal!.size())
    return new Promise<void>((resolve) => releases.push(resolve))
  }
  journal = openSigningJournal(db, { syncFiles })
  const signer = Wallet.createRandom()
  let done = false
  const all = Promise.all(Array.from({ length: 10 }, (_, round) => signObservationSafely({ signer, journal: journal!, nowMs: () => 1 }, domain, { ...observation, round }))).then((r) => {
    done = true
    return r
  })
  while (!done) {
    await new Promise((r) => setTimeout(r, 5))
    for (const release of releases.splice(0)) release()
  }
  const results = await all
  t.true(results.every((r) => r.kind === 'signed'))
  // The first flush started with one entry recorded; the other nine waited for the next, which covered them all.
  t.deepEqual(startedAtSize, [1, 10])
  db.close()
})

test('pruning deletes only settled entries past the retention, at most a batch at a time', (t) => {
  const db = openNodeDatabase(tempDb())
  const journal = openSigningJournal(db)
  const store = openNodeStateStore(db)
  for (let round = 0; round < 25; round++) journal.record(key(round), `0x${round}`, { ...observation, round }, 1000)
  journal.record(key(0, `${observation.requestId}0`), '0xff', observation, 1000)
  t.is(journal.prune(10_000, 100), 0, 'nothing is settled yet')
  store.savePending([], [observation.requestId], 2000)
  t.is(journal.prune(2000, 100), 0, 'settled, but not before the retention line')
  t.is(journal.prune(5000, 10), 10, 'one batch')
  t.is(journal.prune(5000, 10), 10)
  t.is(journal.prune(5000, 10), 5)
  t.is(journal.prune(5000, 10), 0)
  t.is(journal.size(), 1, 'the unsettled request keeps its entry')
})

test('a version-1 state file and JSON-lines journal are imported once, every digest still refusing a conflict', async (t) => {
  const path = tempDb()
  const stateDir = join(path, '..')
  const signer = Wallet.createRandom()
  const digest = observationDigest(domain, observation)
  const k = `${domain.chainId}:${domain.verifyingContract.toLowerCase()}:${observation.requestId.toLowerCase()}:0`
  const journalFile = join(stateDir, 'signing-journal.jsonl')
  const stateFile = join(stateDir, 'node-state.json')
  const request = { requestId: observation.requestId, requester: signer.address, specHash: keccak256('0x'), spec: '{}', outcomes: ['Yes', 'No'], resolveAfter: 5, feeWei: 10n ** 18n, blockNumber: 7, logIndex: 0 }
  // What an old node left: its state, and a journal whose last line was torn by a crash.
  saveLegacyNodeState(stateFile, { nextBlock: 42, pending: new Map([[request.requestId, { request, publishedRounds: [0], modelId: 'judge-v1' }]]) })
  writeFileSync(journalFile, `${JSON.stringify({ key: k, digest, observation: JSON.parse(serializeObservation(observation)), observedAtMs: 1 })}\n`)
  appendFileSync(journalFile, '{"key":"31337:0x5fbd')

  let db = openNodeDatabase(path)
  t.like(importLegacyState(db, { stateFile, journalFile }, silent), { imported: true, pending: 1, journalEntries: 1 })
  const state = openNodeStateStore(db).load(0)
  t.is(state.nextBlock, 42)
  t.deepEqual(state.pending.get(request.requestId)?.request, request)
  t.deepEqual(state.pending.get(request.requestId)?.publishedRounds, [0])
  const journal = openSigningJournal(db)
  t.is((await signObservationSafely({ signer, journal, nowMs: () => 2 }, domain, { ...observation, answer: 0n })).kind, 'refused')
  t.like(await signObservationSafely({ signer, journal, nowMs: () => 2 }, domain, observation), { kind: 'signed', repeated: true })
  t.false(existsSync(journalFile))
  t.is(statSync(`${journalFile}.imported`).mode & 0o777, 0o600)
  db.close()

  // Files put back (an operator restoring a backup) are not imported over the database a second time.
  writeFileSync(journalFile, '')
  db = openNodeDatabase(path)
  t.deepEqual(importLegacyState(db, { stateFile, journalFile }, silent), { imported: false })
  db.close()
})

test('corruption inside an old journal stops the import instead of signing blind', (t) => {
  const dir = temporaryDir('sibyl-journal-')
  const path = join(dir, 'signing-journal.jsonl')
  writeFileSync(path, `not json\n{"key":"a","digest":"0x1","observation":{"answer":"1"}}\n`)
  t.throws(() => readLegacyJournal(path), { instanceOf: SigningJournalError, message: /corrupt at line 1/ })
  writeFileSync(path, `{"key":"a","digest":"0x1","observation":{"answer":"1"}}\n{"key":"a","digest":"0x2","observation":{"answer":"2"}}\n`)
  t.throws(() => readLegacyJournal(path), { instanceOf: SigningJournalError, message: /two digests/ })
})
