/**
 * What a node must remember across restarts besides its signing journal: the next block to scan, the requests
 * it has seen but that are not settled on-chain yet, and when each may next be tried. Kept in the node database
 * (open-node-database.ts), a row per request: a block writes the requests it found and the cursor past them in
 * one transaction (so a crash never loses a request the cursor has moved past), and a tick writes only the
 * requests that changed, not the whole set.
 */
import { BaseError } from '@sibyl/protocol/errors'
import type { ResolutionRequest } from './fetch-requests.ts'
import type { NodeDatabase } from './open-node-database.ts'

export class NodeStateError extends BaseError {
  override name = 'NodeStateError' as const
}

export type PendingRequest = {
  request: ResolutionRequest
  /** Rounds this node has published an observation for. */
  publishedRounds: number[]
  /** The model that judged it, named beside the signed model hash in the message. */
  modelId?: string
  /** Attempts in a row that produced nothing to sign (every source failed, the store refused a write). */
  failures?: number
  /** Not tried again before this time (node clock): the per-question backoff. */
  nextAttemptMs?: number
  /** When the chain was last read for it (node clock); memory only, gone with the request. */
  lastReadMs?: number
  /** Resolve-after as last read on-chain (a "too early" round moves it forward); memory only. */
  resolveAfterSec?: number
}

export type NodeState = {
  nextBlock: number
  pending: Map<string, PendingRequest>
}

export type NodeStateStore = {
  /** The state as committed, or a fresh one starting at `startBlock`. */
  load: (startBlock: number) => NodeState
  /** One transaction: the requests found in the scanned blocks and the cursor past them. */
  saveScan: (nextBlock: number, found: readonly PendingRequest[]) => void
  /**
   * One transaction: the requests that changed, and those that left the set (their journal entries become
   * prunable from `nowMs` on).
   */
  savePending: (changed: readonly PendingRequest[], removed: readonly string[], nowMs: number) => void
}

type PendingRow = { request: string; published_rounds: string; model_id: string | null; failures: number; next_attempt_ms: number }

export function openNodeStateStore(db: NodeDatabase): NodeStateStore {
  const readCursor = db.prepare<[], { value: string }>(`SELECT value FROM meta WHERE key = 'next_block'`)
  const writeCursor = db.prepare(`INSERT INTO meta (key, value) VALUES ('next_block', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`)
  const readPending = db.prepare<[], PendingRow>(`SELECT request, published_rounds, model_id, failures, next_attempt_ms FROM pending`)
  const upsert = db.prepare(
    `INSERT INTO pending (request_id, request, published_rounds, model_id, failures, next_attempt_ms) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (request_id) DO UPDATE SET published_rounds = excluded.published_rounds, model_id = excluded.model_id,
       failures = excluded.failures, next_attempt_ms = excluded.next_attempt_ms, request = excluded.request`,
  )
  const remove = db.prepare(`DELETE FROM pending WHERE request_id = ?`)
  const settle = db.prepare(`UPDATE journal SET settled_at_ms = ? WHERE request_id = ? AND settled_at_ms IS NULL`)

  const write = (p: PendingRequest) =>
    upsert.run(
      p.request.requestId.toLowerCase(),
      JSON.stringify({ ...p.request, feeWei: p.request.feeWei.toString() }),
      JSON.stringify(p.publishedRounds),
      p.modelId ?? null,
      p.failures ?? 0,
      p.nextAttemptMs ?? 0,
    )
  const saveScan = db.transaction((nextBlock: number, found: readonly PendingRequest[]) => {
    for (const p of found) write(p)
    writeCursor.run(String(nextBlock))
  })
  const savePending = db.transaction((changed: readonly PendingRequest[], removed: readonly string[], nowMs: number) => {
    for (const p of changed) write(p)
    for (const id of removed) {
      remove.run(id.toLowerCase())
      settle.run(nowMs, id.toLowerCase())
    }
  })

  return {
    load(startBlock) {
      const cursor = readCursor.get()
      const pending = new Map<string, PendingRequest>()
      for (const row of readPending.all()) {
        let request: ResolutionRequest
        try {
          const parsed = JSON.parse(row.request) as Omit<ResolutionRequest, 'feeWei'> & { feeWei: string }
          request = { ...parsed, feeWei: BigInt(parsed.feeWei) }
        } catch (cause) {
          throw new NodeStateError('A pending request in the node database cannot be read.', { cause })
        }
        pending.set(request.requestId, {
          request,
          publishedRounds: JSON.parse(row.published_rounds) as number[],
          ...(row.model_id === null ? {} : { modelId: row.model_id }),
          failures: row.failures,
          nextAttemptMs: row.next_attempt_ms,
        })
      }
      return { nextBlock: cursor === undefined ? startBlock : Number(cursor.value), pending }
    },
    saveScan: (nextBlock, found) => saveScan(nextBlock, found),
    savePending: (changed, removed, nowMs) => savePending(changed, removed, nowMs),
  }
}
