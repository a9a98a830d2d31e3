/**
 * Round records in a JetStream KV bucket, changed only by compare-and-set (create if absent, update at the
 * revision read). `mutate` retries a bounded number of times when another aggregator wrote in between.
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
}

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export async function openRoundStore({ nc, bucket, ttlMs, maxAttempts = 20 }: OpenRoundStoreParameters): Promise<RoundStore> {
  const kv: KV = await new Kvm(nc).create(bucket, { history: 1, ttl: ttlMs, maxValueSize: 256 * 1024 })

  async function get(key: string) {
    const entry = await kv.get(key)
    if (!entry || entry.operation !== 'PUT' || entry.length === 0) return undefined
    const parsed = roundRecordSchema.safeParse(JSON.parse(decoder.decode(entry.value)))
    if (!parsed.success) throw new RoundStoreError(`Round record ${key} in ${bucket} does not parse.`, { details: parsed.error.message })
    return { record: parsed.data, revision: entry.revision }
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
    for await (const k of iter) out.push(k)
    return out
  }

  return { get, mutate, keys }
}

function isConflict(error: unknown): boolean {
  const text = error instanceof Error ? `${error.message} ${String((error as { api_error?: { err_code?: number } }).api_error?.err_code ?? '')}` : String(error)
  return /wrong last sequence|key exists|10071|10164/.test(text)
}
