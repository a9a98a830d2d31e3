/**
 * What the demo and the end-to-end tests see of the network's traffic, read from NATS like any other subscriber
 * would (parsed by the protocol's schemas; anything else is ignored):
 * - every signed observation the nodes publish, from a plain subscription (live);
 * - every outlier report an aggregator publishes, from the JetStream stream SIBYL_OUTLIERS through an ordered
 *   consumer that starts at the stream's first message: a report published before the watcher started, or
 *   while it was reconnecting, is read all the same, and in order. An aggregator may publish more than one
 *   report for a request (a revised one when a late observation dissents), so `reports()` keeps them all and
 *   the last one is the latest.
 *
 * What is kept is bounded (MAX_RECORDED_TARGETS requests, MAX_RECORDED_PER_TARGET messages each; the oldest
 * request is forgotten first): it is for a demo's or a test's traffic, not a production archive.
 */
import { DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages } from '@nats-io/jetstream'
import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node'
import { natsClientOptions, type NatsAuthParameters } from '@sibyl/service-kit/nats/connect-nats'
import { observationMessageSchema, outlierMessageSchema, type ObservationMessage, type OutlierMessage } from '@sibyl/protocol/messages'
import { outlierSubject, streams, SUBJECT_PREFIX } from '@sibyl/protocol/subjects'
import { pollUntil } from '@sibyl/service-kit/time/poll-until'
import { drainWithin } from '@sibyl/service-kit/nats/drain-within'

export const MAX_RECORDED_TARGETS = 1000
export const MAX_RECORDED_PER_TARGET = 256

export type NetworkWatcher = {
  /** The signed observations seen for a request (or feed), oldest first; one per signer, round and answer. */
  observations: (requestId: string) => ObservationMessage[]
  /** Every outlier report for a request (or feed) read from the stream so far, oldest first: the last is the latest. */
  reports: (contract: string, requestId: string) => OutlierMessage[]
  /** The last outlier report for a request (or feed) in the stream, read now; undefined when there is none yet. */
  readOutlierReport: (contract: string, requestId: string) => Promise<OutlierMessage | undefined>
  close: () => Promise<void>
}

export type WatchNetworkParameters = {
  natsUrl: string
  /** How to reach a secured bus (servers, credentials, TLS): a reader identity is enough. Default: natsUrl, anonymous. */
  connection?: { servers: string[] } & NatsAuthParameters
  chainId: bigint
  onObservation?: (message: ObservationMessage) => void
  onOutlierReport?: (report: OutlierMessage) => void
  /** Bound on waiting for the outlier stream to exist (an aggregator creates it at start; default 30 s). */
  streamTimeoutMs?: number
}

/** Lists keyed by target, bounded: the oldest target goes first. */
function createRecord<T>() {
  const byTarget = new Map<string, T[]>()
  return {
    add(target: string, item: T): void {
      let list = byTarget.get(target)
      if (!list) {
        if (byTarget.size >= MAX_RECORDED_TARGETS) byTarget.delete(byTarget.keys().next().value!)
        byTarget.set(target, (list = []))
      }
      if (list.length < MAX_RECORDED_PER_TARGET) list.push(item)
    },
    get: (target: string): T[] => [...(byTarget.get(target) ?? [])],
  }
}

export async function watchNetwork({ natsUrl, connection, chainId, onObservation, onOutlierReport, streamTimeoutMs = 30_000 }: WatchNetworkParameters): Promise<NetworkWatcher> {
  const nc: NatsConnection = await connect({ ...natsClientOptions(connection ?? { servers: [natsUrl] }), name: 'sibyl-devnet-watcher', maxReconnectAttempts: -1, reconnectTimeWait: 250 })
  const observations = createRecord<ObservationMessage>()
  const reports = createRecord<OutlierMessage>()
  const seenObservations = new Set<string>()
  const decoder = new TextDecoder()
  const parse = (data: Uint8Array): unknown => {
    try {
      return JSON.parse(decoder.decode(data))
    } catch {
      return undefined
    }
  }

  const subscription: Subscription = nc.subscribe(`${SUBJECT_PREFIX}.obs.${chainId}.>`)
  const openReports = async (): Promise<ConsumerMessages> => {
    const js = jetstream(nc)
    const consumer = await pollUntil(
      `the outlier stream ${streams.outliers.name}`,
      () => js.consumers.get(streams.outliers.name, { filter_subjects: `${SUBJECT_PREFIX}.outliers.${chainId}.>`, deliver_policy: DeliverPolicy.All }),
      { timeoutMs: streamTimeoutMs, everyMs: 250 },
    )
    return consumer.consume()
  }
  const consumed = await openReports().catch(async (error: unknown) => {
    await nc.close()
    throw error
  })

  const followObservations = (async () => {
    for await (const m of subscription) {
      const parsed = observationMessageSchema.safeParse(parse(m.data))
      if (!parsed.success) continue
      const o = parsed.data
      // A node that republishes after a restart sends the same signed observation again: kept once.
      const id = `${o.observation.requestId}.${o.observation.round}.${o.signer}.${o.observation.answer}`.toLowerCase()
      if (seenObservations.has(id)) continue
      if (seenObservations.size < MAX_RECORDED_TARGETS * MAX_RECORDED_PER_TARGET) seenObservations.add(id)
      observations.add(o.observation.requestId.toLowerCase(), o)
      onObservation?.(o)
    }
  })()
  const followReports = (async () => {
    for await (const m of consumed) {
      const parsed = outlierMessageSchema.safeParse(parse(m.data))
      if (!parsed.success) continue
      reports.add(m.subject, parsed.data)
      onOutlierReport?.(parsed.data)
    }
  })()
  const following = Promise.all([followObservations, followReports]).catch(() => undefined)
  const subjectOf = (contract: string, requestId: string) => outlierSubject({ chainId, contract, requestId })

  return {
    observations: (requestId) => observations.get(requestId.toLowerCase()),
    reports: (contract, requestId) => reports.get(subjectOf(contract, requestId)),
    readOutlierReport: async (contract, requestId) => {
      const jsm = await jetstreamManager(nc)
      const message = await jsm.streams.getMessage(streams.outliers.name, { last_by_subj: subjectOf(contract, requestId) }).catch(() => null)
      if (!message) return undefined
      const parsed = outlierMessageSchema.safeParse(message.json())
      return parsed.success ? parsed.data : undefined
    },
    close: async () => {
      subscription.unsubscribe()
      await consumed.close().catch(() => undefined)
      await drainWithin(nc, 2000)
      await following
    },
  }
}
