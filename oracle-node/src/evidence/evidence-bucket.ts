/**
 * The network's copy of the evidence: a JetStream Object Store bucket per signer (`@nats-io/obj`), named and
 * bounded in `@sibyl/protocol/evidence-bundle` (evidenceBucket): the node creates its own bucket with its
 * limits and writes each bundle under its evidence hash; anyone in the network opens any node's bucket to read.
 * Every operation has a deadline; failures come back as values.
 */
import { Objm, type ObjectStore } from '@nats-io/obj'
import { StorageType } from '@nats-io/jetstream'
import { nanos, type NatsConnection } from '@nats-io/nats-core'
import { evidenceBucket, evidenceLocation } from '@sibyl/protocol/evidence-bundle'

export type EvidenceBucketResult<T> = { ok: true; value: T } | { ok: false; reason: string }

export type EvidenceBucket = {
  readonly name: string
  put: (evidenceHash: string, bytes: Uint8Array) => Promise<EvidenceBucketResult<{ storeMs: number }>>
  /** The object's bytes; `value` undefined when the bucket has no such object. */
  get: (evidenceHash: string) => Promise<EvidenceBucketResult<Uint8Array | undefined>>
  has: (evidenceHash: string) => Promise<EvidenceBucketResult<boolean>>
}

export type OpenEvidenceBucketParameters = {
  nc: NatsConnection
  signer: string
  /** Create the bucket with the protocol's limits when it is missing (the owning node); readers only open. */
  create?: boolean
  /** Deadline of each operation (default 10 s). */
  timeoutMs?: number
  /** Object lifetime (default evidenceBucket.ttlMs); only used when creating. */
  ttlMs?: number
}

async function withDeadline<T>(what: string, timeoutMs: number, work: Promise<T>): Promise<EvidenceBucketResult<T>> {
  let timer: NodeJS.Timeout | undefined
  try {
    const value = await Promise.race([
      work,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} timed out after ${timeoutMs} ms`)), timeoutMs))),
    ])
    return { ok: true, value }
  } catch (error) {
    return { ok: false, reason: `${what}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` }
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Reads one object chunk by chunk, counting the bytes: past `maxBytes` the read is cancelled and refused, so a
 * hostile bucket's metadata (a small declared size) cannot make a reader load more. A link, followed or
 * replaced between the lookup and the read, is refused too (the object read must be this bucket's, this name).
 */
async function readBounded(os: ObjectStore, bucket: string, name: string, maxBytes: number): Promise<EvidenceBucketResult<Uint8Array | undefined>> {
  const result = await os.get(name)
  if (result === null) return { ok: true, value: undefined }
  const reader = result.data.getReader()
  // The stream ends in an error as well as through the reader: observed here so that it never goes unhandled.
  const error = result.error.catch((e: unknown) => e as Error)
  const stop = async (reason: string): Promise<EvidenceBucketResult<never>> => {
    await reader.cancel().catch(() => undefined)
    return { ok: false, reason }
  }
  if (result.info.options?.link || result.info.bucket !== bucket || result.info.name !== name) return stop(`object ${name} in ${bucket} is a link, not an evidence bundle`)
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    let next: Awaited<ReturnType<typeof reader.read>>
    try {
      next = await reader.read()
    } catch (e) {
      return stop(`reading ${name} from ${bucket}: ${(e as Error).message.split('\n')[0]}`)
    }
    if (next.done) break
    total += next.value.length
    if (total > maxBytes) return stop(`object over the ${maxBytes}-byte limit`)
    chunks.push(next.value)
  }
  const failed = await error
  if (failed) return { ok: false, reason: `reading ${name} from ${bucket}: ${failed.message.split('\n')[0]}` }
  return { ok: true, value: Buffer.concat(chunks) }
}

/** Opens (or, for its owner, creates) a signer's evidence bucket; a failure to reach it is a value. */
export async function openEvidenceBucket(parameters: OpenEvidenceBucketParameters): Promise<EvidenceBucketResult<EvidenceBucket>> {
  const timeoutMs = parameters.timeoutMs ?? 10_000
  const name = evidenceBucket.name(parameters.signer)
  const objm = new Objm(parameters.nc)
  const opened = await withDeadline(
    `opening evidence bucket ${name}`,
    timeoutMs,
    parameters.create
      ? objm.create(name, {
          description: `Sibyl evidence bundles signed by ${parameters.signer}`,
          storage: StorageType.File,
          max_bytes: evidenceBucket.maxBytes,
          ttl: nanos(parameters.ttlMs ?? evidenceBucket.ttlMs),
        })
      : objm.open(name),
  )
  if (!opened.ok) return opened
  const os: ObjectStore = opened.value
  const object = (hash: string) => evidenceLocation(parameters.signer, hash).object
  return {
    ok: true,
    value: {
      name,
      put: async (evidenceHash, bytes) => {
        if (bytes.length > evidenceBucket.maxObjectBytes) return { ok: false, reason: `bundle of ${bytes.length} bytes is over the ${evidenceBucket.maxObjectBytes}-byte object limit` }
        const started = performance.now()
        const put = await withDeadline(`storing ${object(evidenceHash)} in ${name}`, timeoutMs, os.putBlob({ name: object(evidenceHash) }, bytes))
        return put.ok ? { ok: true, value: { storeMs: performance.now() - started } } : put
      },
      get: async (evidenceHash) => {
        // The size is read first: another node's object is not loaded whole before it is known to be bounded.
        const info = await withDeadline(`looking up ${object(evidenceHash)} in ${name}`, timeoutMs, os.info(object(evidenceHash)))
        if (!info.ok) return info
        if (info.value === null || info.value.deleted) return { ok: true, value: undefined }
        // The metadata is written by the bucket's owner: its size and link are claims, not bounds. A link (to another
        // object or bucket) is refused, and the chunks are counted as they arrive, the read stopped past the limit.
        if (info.value.options?.link) return { ok: false, reason: `object ${object(evidenceHash)} in ${name} is a link, not an evidence bundle` }
        if (info.value.size > evidenceBucket.maxObjectBytes) return { ok: false, reason: `object of ${info.value.size} bytes is over the ${evidenceBucket.maxObjectBytes}-byte limit` }
        return withDeadline(`reading ${object(evidenceHash)} from ${name}`, timeoutMs, readBounded(os, name, object(evidenceHash), evidenceBucket.maxObjectBytes)).then((r) => (r.ok ? r.value : r))
      },
      has: async (evidenceHash) => {
        const info = await withDeadline(`looking up ${object(evidenceHash)} in ${name}`, timeoutMs, os.info(object(evidenceHash)))
        return info.ok ? { ok: true, value: info.value !== null && !info.value.deleted } : info
      },
    },
  }
}
