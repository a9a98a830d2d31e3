/**
 * Slashing protection: before a node signs, it writes what it is about to sign to an append-only journal
 * and fsyncs it, and it refuses ever to sign a different observation for the same (contract, request,
 * round). Two different signatures for one round are the evidence a dispute needs to slash a node, and
 * they are how an operator's own bug (a restart mid-request that reads a changed page) would become a
 * slash; the journal makes that impossible across restarts.
 *
 * Format: one JSON object per line, {key, digest, observation, observedAtMs}. The observation itself is kept
 * so that a node restarted between journaling and publishing republishes exactly what it journaled instead
 * of judging again (a page may have changed) and being refused. A torn last line (a crash mid-write) is
 * cut on load: its fsync never completed, so nothing was signed after it.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import { BaseError } from '@sibyl/protocol/errors'
import type { Observation } from '@sibyl/protocol/eip712'

export class SigningJournalError extends BaseError {
  override name = 'SigningJournalError' as const
}

export type JournalKey = { chainId: bigint; contract: string; requestId: string; round: number }

export type RecordResult =
  /** Nothing was signed for this key before: recorded, sign it. */
  | { kind: 'recorded' }
  /** The very same observation was recorded before (a restart): signing it again is safe. */
  | { kind: 'unchanged' }
  /** A different observation was recorded before: never sign this one. */
  | { kind: 'conflict'; recordedDigest: string }

type Entry = { digest: string; observation: Observation }

export type SigningJournal = {
  /** Records the observation (and its digest) for `key` durably, or says why it must not be signed. */
  record: (key: JournalKey, digest: string, observation: Observation, nowMs: number) => RecordResult
  recordedDigest: (key: JournalKey) => string | undefined
  /** What was journaled for `key`, to republish after a restart. */
  recordedObservation: (key: JournalKey) => Observation | undefined
  size: () => number
  close: () => void
}

function keyString(key: JournalKey): string {
  return `${key.chainId}:${key.contract.toLowerCase()}:${key.requestId.toLowerCase()}:${key.round}`
}

/** Opens (or creates) the journal at `path` and loads what it holds. */
export function openSigningJournal(path: string): SigningJournal {
  mkdirSync(dirname(path), { recursive: true })
  const entries = new Map<string, Entry>()
  if (existsSync(path)) {
    const content = readFileSync(path, 'utf8')
    const lastNewline = content.lastIndexOf('\n')
    if (lastNewline !== content.length - 1) {
      // Cut a torn final write so the next append starts on a fresh line.
      truncateSync(path, Buffer.byteLength(content.slice(0, lastNewline + 1)))
    }
    const lines = content.split('\n')
    lines.forEach((line, i) => {
      if (line.trim() === '') return
      let entry: { key?: unknown; digest?: unknown; observation?: Record<string, unknown> }
      try {
        entry = JSON.parse(line)
      } catch (cause) {
        if (i === lines.length - 1) return // torn final write: never fsynced, never signed
        throw new SigningJournalError(`The signing journal ${path} is corrupt at line ${i + 1}.`, { cause })
      }
      const o = entry.observation
      if (typeof entry.key !== 'string' || typeof entry.digest !== 'string' || !o || typeof o.answer !== 'string') {
        throw new SigningJournalError(`The signing journal ${path} has a malformed entry at line ${i + 1}.`)
      }
      const previous = entries.get(entry.key)
      if (previous !== undefined && previous.digest !== entry.digest) {
        throw new SigningJournalError(`The signing journal ${path} records two digests for ${entry.key}.`)
      }
      entries.set(entry.key, { digest: entry.digest, observation: { ...(o as unknown as Observation), answer: BigInt(o.answer) } })
    })
  }
  const fd = openSync(path, 'a')
  let open = true

  return {
    record(key, digest, observation, nowMs) {
      if (!open) throw new SigningJournalError('The signing journal is closed.')
      const k = keyString(key)
      const previous = entries.get(k)
      if (previous !== undefined) {
        return previous.digest === digest ? { kind: 'unchanged' } : { kind: 'conflict', recordedDigest: previous.digest }
      }
      const line = JSON.stringify({ key: k, digest, observation: { ...observation, answer: observation.answer.toString() }, observedAtMs: nowMs })
      writeSync(fd, `${line}\n`)
      fsyncSync(fd)
      entries.set(k, { digest, observation })
      return { kind: 'recorded' }
    },
    recordedDigest: (key) => entries.get(keyString(key))?.digest,
    recordedObservation: (key) => entries.get(keyString(key))?.observation,
    size: () => entries.size,
    close() {
      if (open) closeSync(fd)
      open = false
    },
  }
}
