/**
 * Where a node keeps the evidence of what it signs: its local store first (must succeed, or the node does not
 * sign), then its bucket in the network's object store, before the observation is published. When the object
 * store cannot take a bundle (NATS down, the bucket full), the node still publishes, keeps the bundle locally
 * and uploads it again on later ticks (a bounded queue): evidence availability never blocks an answer for
 * long, and a signed observation's evidence is never only in memory.
 */
import type { Logger } from 'pino'
import { decodeEvidenceBundle, hashEvidenceBundle, type EvidenceBundle } from '@sibyl/protocol/evidence-bundle'
import type { EvidenceBucket } from './evidence-bucket.ts'
import type { LocalEvidenceStore } from './local-evidence-store.ts'

export type StoreEvidenceResult =
  | { ok: true; evidenceHash: string; bytes: number; remote: 'stored' | 'queued'; storeMs: number }
  | { ok: false; reason: string }

export type EvidenceStore = {
  /** Keeps the bundle locally, then in the network (or queues the upload); refuses a bundle whose hash is not `expectedHash`. */
  store: (bundle: { bundle: EvidenceBundle; bytes: Uint8Array; bundleHash?: string }, expectedHash: string) => Promise<StoreEvidenceResult>
  /** Makes sure the network has the bundle behind a hash this node signed (after a restart), from the local copy. */
  ensureRemote: (evidenceHash: string) => Promise<void>
  /** Retries queued uploads (at most `maxPerCall`). */
  retryPending: (maxPerCall?: number) => Promise<number>
  pendingUploads: () => number
}

export type EvidenceStoreMetrics = {
  observeStore?: (where: 'local' | 'object', ok: boolean, seconds: number, bytes: number) => void
}

export type CreateEvidenceStoreParameters = {
  local: LocalEvidenceStore
  /** The node's bucket; undefined while unreachable (bundles are queued, then uploaded once `bucket()` returns one). */
  bucket: () => Promise<EvidenceBucket | undefined>
  logger: Logger
  metrics?: EvidenceStoreMetrics
  /** Bound on queued uploads (oldest dropped first: it stays in the local store). */
  maxPending?: number
}

export function createEvidenceStore({ local, bucket, logger, metrics, maxPending = 10_000 }: CreateEvidenceStoreParameters): EvidenceStore {
  const pending = new Set<string>()
  const queue = (hash: string) => {
    pending.add(hash)
    if (pending.size > maxPending) pending.delete(pending.values().next().value!)
  }

  async function upload(hash: string, bytes: Uint8Array): Promise<{ ok: boolean; storeMs: number; reason?: string }> {
    const target = await bucket()
    if (!target) return { ok: false, storeMs: 0, reason: 'evidence bucket unreachable' }
    const put = await target.put(hash, bytes)
    metrics?.observeStore?.('object', put.ok, put.ok ? put.value.storeMs / 1000 : 0, bytes.length)
    return put.ok ? { ok: true, storeMs: put.value.storeMs } : { ok: false, storeMs: 0, reason: put.reason }
  }

  return {
    async store({ bundle, bytes, bundleHash }, expectedHash) {
      // Hashing a bundle of megabytes is a long stall on the event loop: a hash computed with the bundle (in the
      // page worker that built it) is taken as it is.
      const evidenceHash = (bundleHash ?? hashEvidenceBundle(bundle)).toLowerCase()
      if (evidenceHash !== expectedHash.toLowerCase()) return { ok: false, reason: `bundle hashes to ${evidenceHash}, not the evidence hash to sign ${expectedHash}` }
      const started = performance.now()
      try {
        await local.write(evidenceHash, bytes)
      } catch (error) {
        metrics?.observeStore?.('local', false, 0, bytes.length)
        return { ok: false, reason: `local evidence write failed: ${(error as Error).message}` }
      }
      metrics?.observeStore?.('local', true, (performance.now() - started) / 1000, bytes.length)
      const remote = await upload(evidenceHash, bytes)
      if (!remote.ok) {
        logger.warn({ evidenceHash, reason: remote.reason }, 'evidence not in the object store yet; kept locally, upload queued')
        queue(evidenceHash)
      }
      return { ok: true, evidenceHash, bytes: bytes.length, remote: remote.ok ? 'stored' : 'queued', storeMs: performance.now() - started }
    },
    async ensureRemote(evidenceHash) {
      const target = await bucket()
      const has = target ? await target.has(evidenceHash) : undefined
      if (has?.ok && has.value) return
      const bytes = local.read(evidenceHash)
      if (!bytes) {
        logger.warn({ evidenceHash }, 'no local copy of the evidence behind a journaled observation')
        return
      }
      const remote = await upload(evidenceHash, bytes)
      if (!remote.ok) queue(evidenceHash)
    },
    async retryPending(maxPerCall = 16) {
      let done = 0
      for (const hash of [...pending].slice(0, maxPerCall)) {
        const bytes = local.read(hash)
        if (!bytes) {
          pending.delete(hash)
          continue
        }
        // What is uploaded is what was checked when it was written; a damaged local file is not re-published.
        try {
          decodeEvidenceBundle(bytes)
        } catch {
          pending.delete(hash)
          continue
        }
        const remote = await upload(hash, bytes)
        if (!remote.ok) break
        pending.delete(hash)
        done++
      }
      return done
    },
    pendingUploads: () => pending.size,
  }
}
