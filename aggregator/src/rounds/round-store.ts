/**
 * Round records in a JetStream KV bucket, changed only by compare-and-set (create if absent, update at the
 * revision read). `mutate` retries a bounded number of times when another aggregator wrote in between.
 *
 * A record that does not parse (a torn or foreign write, a bug) must not stop every reader that meets it: it
 * is moved aside to `quarantine.<key>` (the bytes kept for an operator), the key is deleted at the revision
 * read, `onQuarantine` reports it, and the round reads as absent, so intake rebuilds it from the
 * observations delivered from then on and the sweep goes on to the next key.
 */
import { Kvm, type KV } from '@nats-io/kv'
import type { NatsConnection } from '@nats-io/nats-core'
import { BaseError } from '@sibyl/protocol/errors'
import { roundRecordSchema, type RoundRecord } from './round-record.ts'

export class RoundStoreError extends BaseError {
  override name = 'RoundStoreError' as const
}

export type RoundStore = {
  get: (key: string) => Promise<{ record: RoundRecord; revision: number } | undefined>
  /**
   * Reads, applies `change` and writes back at the read revision. `change` returns the new record, or
   * undefined to leave it as it is. Returns the record as stored afterwards and whether this call wrote it.
   */
  mutate: (key: string, change: (current: RoundRecord | undefined) => RoundRecord | undefined) => Promise<{ record: RoundRecord | undefined; changed: boolean }>
  keys: () => Promise<string[]>
}

export type OpenRoundStoreParameters = {
  nc: NatsConnection
  bucket: string
  /** Finished rounds are forgotten after this long (the bucket's max age). */
  ttlMs: number
  maxAttempts?: number
  /** Told of each record moved to quarantine (a metric and a log line). */
  onQuarantine?: (key: string, reason: string) => void
}

/** Where an unreadable record is kept; never listed as a round. */
export const QUARANTINE_PREFIX = 'quarantine.'

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export async function openRoundStore({ nc, bucket, ttlMs, maxAttempts = 20, onQuarantine }: OpenRoundStoreParameters): Promise<RoundStore> {
  const kv: KV = await new Kvm(nc).create(bucket, { history: 1, ttl: ttlMs, maxValueSize: 256 * 1024 })

  async function quarantine(key: string, value: Uint8Array, revision: number, reason: string): Promise<void> {
    await kv.put(`${QUARANTINE_PREFIX}${key}`, value)
    try {
      await kv.delete(key, { previousSeq: revision })
    } catch (error) {
      // Rewritten since we read it: the next read judges the new record.
      if (!isConflict(error)) throw error
      return
    }
    onQuarantine?.(key, reason)
  }

  async function get(key: string): Promise<{ record: RoundRecord; revision: number } | undefined> {
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const entry = await kv.get(key)
      if (!entry || entry.operation !== 'PUT' || entry.length === 0) return undefined
      const parsed = parseRecord(entry.value)
      if (parsed.record) return { record: parsed.record, revision: entry.revision }
      await quarantine(key, entry.value, entry.revision, parsed.error)
    }
    throw new RoundStoreError(`Round record ${key} in ${bucket} kept changing while being quarantined.`)
  }

  async function mutate(key: string, change: (current: RoundRecord | undefined) => RoundRecord | undefined) {
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const current = await get(key)
      const next = change(current?.record)
      if (!next) return { record: current?.record, changed: false }
      const data = encoder.encode(JSON.stringify(roundRecordSchema.parse(next)))
      try {
        if (current) await kv.update(key, data, current.revision)
        else await kv.create(key, data)
        return { record: next, changed: true }
      } catch (error) {
        // "wrong last sequence" / "key exists": someone wrote first; read again and reapply.
        if (!isConflict(error)) throw error
      }
    }
    throw new RoundStoreError(`Round ${key}: gave up after ${maxAttempts} conflicting writes.`)
  }

  async function keys() {
    const out: string[] = []
    const iter = await kv.keys()
    for await (const k of iter) if (!k.startsWith(QUARANTINE_PREFIX)) out.push(k)
    return out
  }

  return { get, mutate, keys }
}

function parseRecord(value: Uint8Array): { record: RoundRecord; error?: undefined } | { record?: undefined; error: string } {
  let json: unknown
  try {
    json = JSON.parse(decoder.decode(value))
  } catch (error) {
    return { error: `not JSON: ${(error as Error).message}` }
  }
  const parsed = roundRecordSchema.safeParse(json)
  return parsed.success ? { record: parsed.data } : { error: parsed.error.message.slice(0, 500) }
}

function isConflict(error: unknown): boolean {
  const text = error instanceof Error ? `${error.message} ${String((error as { api_error?: { err_code?: number } }).api_error?.err_code ?? '')}` : String(error)
  return /wrong last sequence|key exists|10071|10164/.test(text)
}
