/**
 * The JetStream streams and buckets Sibyl uses, with the limits defined in `@sibyl/protocol/subjects`.
 *
 * - `ensureStreams` (every service at start): makes sure the streams exist; on an unsecured server it creates a
 *   missing one (idempotent, several services may race). On a secured deployment nodes and aggregators may not
 *   create streams; a missing stream is then an error that says to run `sibyl nats provision`.
 * - `provisionJetStream` (the admin identity, `sibyl nats provision` and the devnet): creates or updates every
 *   stream and each chain's rounds bucket with its limits and replica count, so limits changed in `protocol/`
 *   reach an existing deployment.
 */
import { DiscardPolicy, jetstreamManager, RetentionPolicy, StorageType, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream'
import { nanos, type NatsConnection } from '@nats-io/nats-core'
import { Kvm } from '@nats-io/kv'
import { BaseError } from '@sibyl/protocol/errors'
import { evidenceBucket, roundsBucket, streams, type StreamLimits } from '@sibyl/protocol/subjects'
import { Objm } from '@nats-io/obj'

export class NatsProvisionError extends BaseError {
  override name = 'NatsProvisionError' as const
}

/** A stream's JetStream config from its protocol limits. */
export function streamConfig(s: StreamLimits, replicas = 1): Partial<StreamConfig> & { name: string } {
  return {
    name: s.name,
    subjects: [...s.subjects],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    num_replicas: replicas,
    max_age: nanos(s.maxAgeMs),
    duplicate_window: nanos(s.duplicateWindowMs),
    max_msg_size: s.maxMsgBytes,
    max_msgs_per_subject: s.maxMsgsPerSubject,
    max_msgs: s.maxMsgs,
    max_bytes: s.maxBytes,
    discard: s.discard === 'old' ? DiscardPolicy.Old : DiscardPolicy.New,
  }
}

const isNotFound = (error: unknown) => /stream not found/i.test(String((error as Error)?.message ?? error))
const isPermission = (error: unknown) => /permissions violation/i.test(String((error as Error)?.message ?? error))

export async function ensureStreams(nc: NatsConnection): Promise<void> {
  const jsm = await jetstreamManager(nc)
  for (const config of Object.values(streams).map((s) => streamConfig(s))) {
    try {
      await jsm.streams.info(config.name)
      continue
    } catch (error) {
      if (!isNotFound(error)) throw error
    }
    try {
      await jsm.streams.add(config)
    } catch (error) {
      if (isPermission(error)) {
        throw new NatsProvisionError(`The stream ${config.name} does not exist and this identity may not create it.`, {
          details: 'Streams and buckets of a secured deployment are created by its admin identity: run `sibyl nats provision`.',
          cause: error,
        })
      }
      // Another service created it between our look and our add.
      await jsm.streams.info(config.name).catch(() => {
        throw error
      })
    }
  }
}

export type ProvisionJetStreamParameters = {
  /** Nodes whose evidence archive to create (the admin creates it; a node only writes objects into its own). */
  nodeSigners?: readonly string[]
  chainIds: readonly (bigint | number)[]
  /** 1 for a single server, 3 for a three-server cluster. */
  replicas: number
  /**
   * Replicas of the rounds buckets; default: `replicas` where the server keeps compare-and-set writes
   * serializable on a replicated stream (2.10 and later), else 1. See `roundsBucketReplicas`.
   */
  roundsReplicas?: number
}

/**
 * How many replicas a rounds bucket may have on this server version. Aggregators change round records only by
 * compare-and-set (`Nats-Expected-Last-Subject-Sequence`). Before 2.10 a replicated stream checks that header
 * before proposing the write instead of in the replicated log, so two writes in flight with the same expected
 * revision can both succeed and one update is lost (nats-io/nats-server issue 4320, reported for 2.9.15-2.9.20;
 * measured here on Debian's 2.9.10: 2 of 6 rounds lost an observation with one aggregator). On those versions
 * the rounds bucket stays on one replica (file-backed, it survives its server's restart; while that server is
 * down, aggregators retry and commits wait); the observation and outlier streams, which are never written
 * conditionally, keep every replica.
 */
export function roundsBucketReplicas(replicas: number, serverVersion: string | undefined): number {
  const [major = 0, minor = 0] = (serverVersion ?? '').split('.').map((n) => Number.parseInt(n, 10))
  return major > 2 || (major === 2 && minor >= 10) ? replicas : 1
}

export type ProvisionedStream = { name: string; action: 'created' | 'updated' | 'unchanged' }

async function createOrUpdate(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }): Promise<ProvisionedStream> {
  let current: StreamConfig
  try {
    current = (await jsm.streams.info(config.name)).config
  } catch (error) {
    if (!isNotFound(error)) throw error
    await jsm.streams.add(config)
    return { name: config.name, action: 'created' }
  }
  const differs = Object.entries(config).some(([k, v]) => JSON.stringify((current as unknown as Record<string, unknown>)[k]) !== JSON.stringify(v))
  if (!differs) return { name: config.name, action: 'unchanged' }
  await jsm.streams.update(config.name, { ...current, ...config })
  return { name: config.name, action: 'updated' }
}

/**
 * A node's evidence archive (a JetStream object store), created by the admin identity, never by the node: the
 * body of a stream-create request is not checked by permissions, so a node allowed to create its own stream could
 * give it any subjects or a republish target and write anywhere in the account. The node may only put objects.
 */
export async function provisionEvidenceBucket(nc: NatsConnection, signer: string, replicas = 1): Promise<ProvisionedStream> {
  const jsm = await jetstreamManager(nc)
  const name = evidenceBucket.streamName(signer)
  const exists = await jsm.streams.info(name).then(
    () => true,
    (error: unknown) => {
      if (!isNotFound(error)) throw error
      return false
    },
  )
  if (exists) return { name, action: 'unchanged' }
  await new Objm(nc).create(evidenceBucket.name(signer), {
    description: `Sibyl evidence bundles signed by ${signer}`,
    storage: StorageType.File,
    max_bytes: evidenceBucket.maxBytes,
    ttl: nanos(evidenceBucket.ttlMs),
    replicas,
  })
  return { name, action: 'created' }
}

export async function provisionJetStream(nc: NatsConnection, { chainIds, replicas, roundsReplicas, nodeSigners = [] }: ProvisionJetStreamParameters): Promise<ProvisionedStream[]> {
  const jsm = await jetstreamManager(nc)
  const kvReplicas = roundsReplicas ?? roundsBucketReplicas(replicas, nc.info?.version)
  const done: ProvisionedStream[] = []
  for (const s of Object.values(streams)) done.push(await createOrUpdate(jsm, streamConfig(s, replicas)))
  for (const chainId of chainIds) {
    const name = roundsBucket.streamName(chainId)
    let exists = true
    await jsm.streams.info(name).catch((error: unknown) => {
      if (!isNotFound(error)) throw error
      exists = false
    })
    if (!exists) {
      await new Kvm(nc).create(roundsBucket.name(chainId), {
        history: roundsBucket.history,
        ttl: roundsBucket.ttlMs,
        maxValueSize: roundsBucket.maxValueBytes,
        max_bytes: roundsBucket.maxBytes,
        replicas: kvReplicas,
        // Reads go to the stream leader: a compare-and-set needs the latest revision, and a direct get may be
        // answered by a replica that lags (right after a server is lost, for one).
        allow_direct: false,
      })
      done.push({ name, action: 'created' })
    } else {
      done.push(await createOrUpdate(jsm, { name, num_replicas: kvReplicas, max_bytes: roundsBucket.maxBytes, max_msg_size: roundsBucket.maxValueBytes, max_age: nanos(roundsBucket.ttlMs), allow_direct: false }))
    }
  }
  for (const signer of nodeSigners) done.push(await provisionEvidenceBucket(nc, signer, replicas))
  return done
}
