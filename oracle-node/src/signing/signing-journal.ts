/**
 * Slashing protection: before a node signs, it records what it is about to sign in the node database and the
 * commit is fsynced, and it refuses ever to sign a different observation for the same (contract, request,
 * round). Two different signatures for one round are the evidence a dispute needs to slash a node, and they
 * are how an operator's own bug (a restart mid-request that reads a changed page) would become a slash; the
 * journal makes that impossible across restarts.
 *
 * Each entry keeps the observation itself, so that a node restarted between journaling and publishing
 * republishes exactly what it journaled instead of judging again (a page may have changed) and being refused.
 * An entry is one row written in one transaction: a full disk or a failed write rolls it back whole and comes
 * back as `failed`, and the caller does not sign (the JSON-lines journal this replaces could report a torn
 * line as recorded, then drop it on restart and sign a different answer). Entries are looked up by key, not
 * loaded at start, and pruned in bounded batches once their request has settled and a retention has passed.
 */
import { BaseError } from '@sibyl/protocol/errors'
import type { Observation } from '@sibyl/protocol/eip712'
import { syncNodeDatabaseFiles, type NodeDatabase } from '../chain/open-node-database.ts'

export class SigningJournalError extends BaseError {
  override name = 'SigningJournalError' as const
}

/** What a failed write or flush says, for a refusal's reason: its code (SQLITE_FULL, EIO) if it has one. */
export function storeErrorReason(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code
  return typeof code === 'string' ? code : error instanceof Error ? error.message : String(error)
}

export type JournalKey = { chainId: bigint; contract: string; requestId: string; round: number }

export type RecordResult =
  /** Nothing was signed for this key before: recorded durably, sign it. */
  | { kind: 'recorded' }
  /** The very same observation was recorded before (a restart): signing it again is safe. */
  | { kind: 'unchanged' }
  /** A different observation was recorded before: never sign this one. */
  | { kind: 'conflict'; recordedDigest: string }
  /** The entry could not be written (disk full, I/O error): nothing is on disk, so never sign. */
  | { kind: 'failed'; reason: string }

export type RecordOptions = {
  /**
   * The entry is prunable from this time on without waiting for its request to settle: a feed value is signed
   * with the time it was observed, and a later one always carries a later time, so its key never comes back.
   */
  settledAtMs?: number
}

export type SigningJournal = {
  /**
   * Records the observation (and its digest) for `key`, committed (a killed process keeps it), or says why it
   * must not be signed. `durable()` must resolve before what was recorded is signed.
   */
  record: (key: JournalKey, digest: string, observation: Observation, nowMs: number, options?: RecordOptions) => RecordResult
  /**
   * Resolves once every entry recorded so far is on the disk (fsync, off the event loop); rejects when the disk
   * refuses. One refusal is final until the node restarts: Linux reports a failed write-back once, to one fsync,
   * and marks the pages clean, so a later fsync that succeeds says nothing about the entry that was lost.
   */
  durable: () => Promise<void>
  recordedDigest: (key: JournalKey) => string | undefined
  /** What was journaled for `key`, to republish after a restart. */
  recordedObservation: (key: JournalKey) => Observation | undefined
  /**
   * Deletes at most `maxEntries` entries settled before `settledBeforeMs` and hands a bounded number of free
   * pages back to the file system; returns how many were deleted.
   */
  prune: (settledBeforeMs: number, maxEntries: number) => number
  size: () => number
}

export function journalKeyString(key: JournalKey): string {
  return `${key.chainId}:${key.contract.toLowerCase()}:${key.requestId.toLowerCase()}:${key.round}`
}

/** Parses an observation as the journal stores it (the answer as a decimal string). */
export function parseJournaledObservation(json: string): Observation {
  const o = JSON.parse(json) as Record<string, unknown>
  if (typeof o.answer !== 'string') throw new SigningJournalError('A journal entry has no answer.')
  return { ...(o as unknown as Observation), answer: BigInt(o.answer) }
}

export function serializeObservation(observation: Observation): string {
  return JSON.stringify({ ...observation, answer: observation.answer.toString() })
}

/** Pages handed back per prune: bounds the time a prune holds the write lock. */
const VACUUM_PAGES_PER_PRUNE = 64

export type OpenSigningJournalOptions = {
  /** Flushes the database's commits to the disk (default: fsync of its WAL); injected in tests. */
  syncFiles?: (db: NodeDatabase) => Promise<void>
}

/** The journal in the node database `db` (openNodeDatabase). */
export function openSigningJournal(db: NodeDatabase, { syncFiles = syncNodeDatabaseFiles }: OpenSigningJournalOptions = {}): SigningJournal {
  let syncFailure: string | undefined
  // Group commit: one fsync in flight, and at most one more queued behind it for every caller that came meanwhile.
  let flushing: Promise<void> | undefined
  let queued: Promise<void> | undefined
  const latched = () => new SigningJournalError(`An earlier flush of the signing journal failed (${syncFailure}); restart the node once the disk is healthy.`)
  const flushOnce = (): Promise<void> => {
    const flush = (async () => {
      if (syncFailure !== undefined) throw latched()
      try {
        await syncFiles(db)
      } catch (error) {
        syncFailure = storeErrorReason(error)
        throw error
      }
    })()
    flushing = flush
    flush.then(
      () => flushing === flush && (flushing = undefined),
      () => flushing === flush && (flushing = undefined),
    )
    return flush
  }
  const read = db.prepare<[string], { digest: string; observation: string }>(`SELECT digest, observation FROM journal WHERE key = ?`)
  const insert = db.prepare(`INSERT INTO journal (key, request_id, digest, observation, observed_at_ms, settled_at_ms) VALUES (?, ?, ?, ?, ?, ?)`)
  const prunable = db.prepare(
    `DELETE FROM journal WHERE rowid IN (SELECT rowid FROM journal WHERE settled_at_ms IS NOT NULL AND settled_at_ms < ? LIMIT ?)`,
  )
  const count = db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM journal`)

  const lookup = (key: JournalKey) => read.get(journalKeyString(key))

  return {
    record(key, digest, observation, nowMs, options = {}) {
      const k = journalKeyString(key)
      let previous: { digest: string } | undefined
      try {
        previous = read.get(k)
        if (previous === undefined) {
          insert.run(k, key.requestId.toLowerCase(), digest, serializeObservation(observation), nowMs, options.settledAtMs ?? null)
          return { kind: 'recorded' }
        }
      } catch (error) {
        // SQLITE_FULL, SQLITE_IOERR_*: the statement's transaction was rolled back, nothing of it is on disk.
        return { kind: 'failed', reason: storeErrorReason(error) }
      }
      return previous.digest === digest ? { kind: 'unchanged' } : { kind: 'conflict', recordedDigest: previous.digest }
    },
    durable() {
      if (syncFailure !== undefined) return Promise.reject(latched())
      // A flush covers what was committed before it started. None running: start one. One running may have
      // started before this caller's commit, so the caller waits for the next, shared by all who arrive meanwhile.
      if (!flushing) return flushOnce()
      queued ??= flushing.catch(() => undefined).then(() => {
        queued = undefined
        return flushOnce()
      })
      return queued
    },
    recordedDigest: (key) => lookup(key)?.digest,
    recordedObservation(key) {
      const row = lookup(key)
      return row === undefined ? undefined : parseJournaledObservation(row.observation)
    },
    prune(settledBeforeMs, maxEntries) {
      const deleted = prunable.run(settledBeforeMs, maxEntries).changes
      if (deleted > 0) db.pragma(`incremental_vacuum(${VACUUM_PAGES_PER_PRUNE})`)
      return deleted
    },
    size: () => count.get()!.n,
  }
}
