/**
 * Slashing protection: before a node signs, it writes what it is about to sign to an append-only journal
 * and fsyncs it, and it refuses ever to sign a different observation for the same (contract, request,
 * round). Two different signatures for one round are the evidence a dispute needs to slash a node, and
 * they are how an operator's own bug (a restart mid-request that reads a changed page) would become a
 * slash; the journal makes that impossible across restarts.
 *
 * Format: one JSON object per line, {key, digest, observedAtMs}. A torn last line (a crash mid-write) is
 * ignored on load: its fsync never completed, so nothing was signed after it.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import { BaseError } from '@sibyl/protocol/errors'

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

export type SigningJournal = {
  /** Records `digest` for `key` durably, or says why it must not be signed. */
  record: (key: JournalKey, digest: string, nowMs: number) => RecordResult
  recordedDigest: (key: JournalKey) => string | undefined
  size: () => number
  close: () => void
}

function keyString(key: JournalKey): string {
  return `${key.chainId}:${key.contract.toLowerCase()}:${key.requestId.toLowerCase()}:${key.round}`
}

/** Opens (or creates) the journal at `path` and loads what it holds. */
export function openSigningJournal(path: string): SigningJournal {
  mkdirSync(dirname(path), { recursive: true })
  const entries = new Map<string, string>()
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
      let entry: { key?: unknown; digest?: unknown }
      try {
        entry = JSON.parse(line)
      } catch (cause) {
        if (i === lines.length - 1) return // torn final write: never fsynced, never signed
        throw new SigningJournalError(`The signing journal ${path} is corrupt at line ${i + 1}.`, { cause })
      }
      if (typeof entry.key !== 'string' || typeof entry.digest !== 'string') {
        throw new SigningJournalError(`The signing journal ${path} has a malformed entry at line ${i + 1}.`)
      }
      const previous = entries.get(entry.key)
      if (previous !== undefined && previous !== entry.digest) {
        throw new SigningJournalError(`The signing journal ${path} records two digests for ${entry.key}.`)
      }
      entries.set(entry.key, entry.digest)
    })
  }
  const fd = openSync(path, 'a')
  let open = true

  return {
    record(key, digest, nowMs) {
      if (!open) throw new SigningJournalError('The signing journal is closed.')
      const k = keyString(key)
      const previous = entries.get(k)
      if (previous !== undefined) {
        return previous === digest ? { kind: 'unchanged' } : { kind: 'conflict', recordedDigest: previous }
      }
      writeSync(fd, `${JSON.stringify({ key: k, digest, observedAtMs: nowMs })}\n`)
      fsyncSync(fd)
      entries.set(k, digest)
      return { kind: 'recorded' }
    },
    recordedDigest: (key) => entries.get(keyString(key)),
    size: () => entries.size,
    close() {
      if (open) closeSync(fd)
      open = false
    },
  }
}
