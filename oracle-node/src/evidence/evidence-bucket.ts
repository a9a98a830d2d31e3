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
        if (info.value.size > evidenceBucket.maxObjectBytes) return { ok: false, reason: `object of ${info.value.size} bytes is over the ${evidenceBucket.maxObjectBytes}-byte limit` }
        const got = await withDeadline(`reading ${object(evidenceHash)} from ${name}`, timeoutMs, os.getBlob(object(evidenceHash)))
        if (!got.ok) return got
        if (got.value && got.value.length > evidenceBucket.maxObjectBytes) return { ok: false, reason: `object over the ${evidenceBucket.maxObjectBytes}-byte limit` }
        return { ok: true, value: got.value ?? undefined }
      },
      has: async (evidenceHash) => {
        const info = await withDeadline(`looking up ${object(evidenceHash)} in ${name}`, timeoutMs, os.info(object(evidenceHash)))
        return info.ok ? { ok: true, value: info.value !== null && !info.value.deleted } : info
      },
    },
  }
}
