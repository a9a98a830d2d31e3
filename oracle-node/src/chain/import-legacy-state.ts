/**
 * Moves a node that kept its state in files (node-state.json, version 1, and signing-journal.jsonl) into the
 * node database, once: the cursor, every pending request and every journaled digest go in one transaction
 * with a mark that the import is done, then the files are renamed `*.imported` (and made private: they were
 * created world-readable). A crash before the commit imports again from the files; after it, the mark stops a
 * second import whatever became of the files.
 */
import { chmodSync, existsSync, renameSync } from 'node:fs'
import type { Logger } from 'pino'
import { readLegacyJournal, type LegacyJournalEntry } from '../signing/read-legacy-journal.ts'
import { serializeObservation } from '../signing/signing-journal.ts'
import { loadLegacyNodeState } from './legacy-node-state.ts'
import { NodeStateError, openNodeStateStore, type NodeState } from './node-state.ts'
import type { NodeDatabase } from './open-node-database.ts'

export type ImportLegacyStateResult = { imported: false } | { imported: true; pending: number; journalEntries: number }

export function importLegacyState(db: NodeDatabase, files: { stateFile: string; journalFile: string }, logger: Logger): ImportLegacyStateResult {
  const done = db.prepare<[], { value: string }>(`SELECT value FROM meta WHERE key = 'legacy_imported'`).get()
  const present = [files.stateFile, files.journalFile].filter((f) => existsSync(f))
  if (done !== undefined || present.length === 0) return { imported: false }

  const state: NodeState | undefined = loadLegacyNodeState(files.stateFile)
  const journal: LegacyJournalEntry[] = existsSync(files.journalFile) ? readLegacyJournal(files.journalFile) : []
  const readEntry = db.prepare<[string], { digest: string }>(`SELECT digest FROM journal WHERE key = ?`)
  const insertEntry = db.prepare(
    `INSERT OR IGNORE INTO journal (key, request_id, digest, observation, observed_at_ms, settled_at_ms) VALUES (?, ?, ?, ?, ?, ?)`,
  )
  const store = openNodeStateStore(db)
  db.transaction(() => {
    if (state) store.saveScan(state.nextBlock, [...state.pending.values()])
    for (const e of journal) {
      const existing = readEntry.get(e.key)
      if (existing !== undefined && existing.digest !== e.digest) {
        throw new NodeStateError(`The journal in ${files.journalFile} and the node database disagree on ${e.key}.`)
      }
      const requestId = e.key.split(':')[2]!
      // Feed entries (request id `feedId@observedAt`) are bound to their time: prunable from the time they were made.
      insertEntry.run(e.key, requestId, e.digest, serializeObservation(e.observation), e.observedAtMs, requestId.includes('@') ? e.observedAtMs : null)
    }
    db.prepare(`INSERT INTO meta (key, value) VALUES ('legacy_imported', ?)`).run(new Date().toISOString())
  })()
  for (const f of present) {
    renameSync(f, `${f}.imported`)
    chmodSync(`${f}.imported`, 0o600)
  }
  const result = { imported: true as const, pending: state?.pending.size ?? 0, journalEntries: journal.length }
  logger.info({ ...result, files: present }, 'imported the state files into the node database')
  return result
}
