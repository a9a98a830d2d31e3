/**
 * Reads the JSON-lines signing journal (signing-journal.jsonl) that nodes kept before the node database, so an
 * existing node imports every digest it ever journaled and keeps refusing conflicting signatures. A torn last
 * line is skipped (its fsync never completed, so nothing was signed after it); corruption anywhere else, or two
 * digests for one key, stops the import instead of letting the node sign blind.
 */
import { readFileSync } from 'node:fs'
import type { Observation } from '@sibyl/protocol/eip712'
import { SigningJournalError, parseJournaledObservation } from './signing-journal.ts'

export type LegacyJournalEntry = { key: string; digest: string; observation: Observation; observedAtMs: number }

export function readLegacyJournal(path: string): LegacyJournalEntry[] {
  const lines = readFileSync(path, 'utf8').split('\n')
  const entries = new Map<string, LegacyJournalEntry>()
  lines.forEach((line, i) => {
    if (line.trim() === '') return
    let entry: { key?: unknown; digest?: unknown; observation?: unknown; observedAtMs?: unknown }
    try {
      entry = JSON.parse(line)
    } catch (cause) {
      if (i === lines.length - 1) return // torn final write: never fsynced, never signed
      throw new SigningJournalError(`The signing journal ${path} is corrupt at line ${i + 1}.`, { cause })
    }
    if (typeof entry.key !== 'string' || typeof entry.digest !== 'string' || typeof entry.observation !== 'object' || entry.observation === null) {
      throw new SigningJournalError(`The signing journal ${path} has a malformed entry at line ${i + 1}.`)
    }
    let observation: Observation
    try {
      observation = parseJournaledObservation(JSON.stringify(entry.observation))
    } catch (cause) {
      throw new SigningJournalError(`The signing journal ${path} has a malformed entry at line ${i + 1}.`, { cause })
    }
    const previous = entries.get(entry.key)
    if (previous !== undefined && previous.digest !== entry.digest) {
      throw new SigningJournalError(`The signing journal ${path} records two digests for ${entry.key}.`)
    }
    entries.set(entry.key, { key: entry.key, digest: entry.digest, observation, observedAtMs: typeof entry.observedAtMs === 'number' ? entry.observedAtMs : 0 })
  })
  return [...entries.values()]
}
