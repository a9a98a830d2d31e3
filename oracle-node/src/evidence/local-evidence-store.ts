/**
 * The node's own copy of every bundle it signed for, on its disk: the fallback when the network's object store
 * lost an object (a full bucket refuses new ones, a NATS store can be lost) and the source the node re-uploads
 * from. One file per bundle, named by its evidence hash, written atomically (temporary file, fsync, rename,
 * fsync of the folder) BEFORE the node signs: a failed write means "do not sign", as for the signing journal.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { open, rename } from 'node:fs/promises'
import { join } from 'node:path'

const NAME = /^0x[0-9a-f]{64}\.bin$/

export type LocalEvidenceStore = {
  readonly dir: string
  write: (evidenceHash: string, bytes: Uint8Array) => Promise<void>
  /** The stored bytes, or undefined when this node holds none under that hash. */
  read: (evidenceHash: string) => Uint8Array | undefined
  has: (evidenceHash: string) => boolean
  /** Removes bundles older than `maxAgeMs` (by file time), at most `limit` per call; returns how many. */
  prune: (maxAgeMs: number, nowMs: number, limit?: number) => number
}

function fileName(evidenceHash: string): string {
  const name = `${evidenceHash.toLowerCase()}.bin`
  if (!NAME.test(name)) throw new RangeError(`not an evidence hash: ${evidenceHash}`)
  return name
}

export function openLocalEvidenceStore(dir: string): LocalEvidenceStore {
  mkdirSync(dir, { recursive: true })
  return {
    dir,
    // Asynchronous (libuv's threads do the writing and the fsyncs): a bundle of megabytes and two fsyncs on a busy
    // disk would otherwise hold the event loop.
    async write(evidenceHash, bytes) {
      const target = join(dir, fileName(evidenceHash))
      const temporary = `${target}.${process.pid}.${Date.now()}.tmp`
      const file = await open(temporary, 'w')
      try {
        let offset = 0
        while (offset < bytes.length) offset += (await file.write(bytes, offset, bytes.length - offset)).bytesWritten
        await file.sync()
      } finally {
        await file.close()
      }
      await rename(temporary, target)
      const folder = await open(dir, 'r')
      try {
        await folder.sync()
      } finally {
        await folder.close()
      }
    },
    read(evidenceHash) {
      try {
        return readFileSync(join(dir, fileName(evidenceHash)))
      } catch {
        return undefined
      }
    },
    has(evidenceHash) {
      try {
        return statSync(join(dir, fileName(evidenceHash))).isFile()
      } catch {
        return false
      }
    },
    prune(maxAgeMs, nowMs, limit = 10_000) {
      let removed = 0
      for (const name of readdirSync(dir)) {
        if (removed >= limit) break
        const path = join(dir, name)
        try {
          const stat = statSync(path)
          // Leftover temporary files of a crashed write go too.
          if ((NAME.test(name) || name.endsWith('.tmp')) && nowMs - stat.mtimeMs > maxAgeMs) {
            rmSync(path, { force: true })
            removed++
          }
        } catch {
          // Gone meanwhile.
        }
      }
      return removed
    },
  }
}
