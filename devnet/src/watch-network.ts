/**
 * What the demo shows of the network's traffic: every signed observation the nodes publish and every outlier
 * report the aggregator publishes, read from NATS like any other subscriber would (parsed by the protocol's
 * schemas; anything else is ignored). Live messages come from a plain subscription; a report missed while
 * NATS was down is read back from its JetStream stream by subject.
 */
import { jetstreamManager } from '@nats-io/jetstream'
import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node'
import { observationMessageSchema, outlierMessageSchema, type ObservationMessage, type OutlierMessage } from '@sibyl/protocol/messages'
import { outlierSubject, streams, SUBJECT_PREFIX } from '@sibyl/protocol/subjects'

export type NetworkWatcher = {
  /** The last outlier report for a request (or feed) from the stream, undefined when there is none yet. */
  readOutlierReport: (contract: string, requestId: string) => Promise<OutlierMessage | undefined>
  close: () => Promise<void>
}

export type WatchNetworkParameters = {
  natsUrl: string
  chainId: bigint
  onObservation?: (message: ObservationMessage) => void
  onOutlierReport?: (report: OutlierMessage) => void
}

export async function watchNetwork({ natsUrl, chainId, onObservation, onOutlierReport }: WatchNetworkParameters): Promise<NetworkWatcher> {
  const nc: NatsConnection = await connect({ servers: natsUrl, name: 'sibyl-demo-watcher', maxReconnectAttempts: -1, reconnectTimeWait: 250 })
  const decoder = new TextDecoder()
  const parse = (data: Uint8Array): unknown => {
    try {
      return JSON.parse(decoder.decode(data))
    } catch {
      return undefined
    }
  }
  const follow = async (subscription: Subscription, handle: (body: unknown) => void) => {
    for await (const m of subscription) handle(parse(m.data))
  }
  const observations = nc.subscribe(`${SUBJECT_PREFIX}.obs.${chainId}.>`)
  const outliers = nc.subscribe(`${SUBJECT_PREFIX}.outliers.${chainId}.>`)
  const following = Promise.all([
    follow(observations, (body) => {
      const parsed = observationMessageSchema.safeParse(body)
      if (parsed.success) onObservation?.(parsed.data)
    }),
    follow(outliers, (body) => {
      const parsed = outlierMessageSchema.safeParse(body)
      if (parsed.success) onOutlierReport?.(parsed.data)
    }),
  ]).catch(() => undefined)

  return {
    readOutlierReport: async (contract, requestId) => {
      const jsm = await jetstreamManager(nc)
      const message = await jsm.streams
        .getMessage(streams.outliers.name, { last_by_subj: outlierSubject({ chainId, contract, requestId }) })
        .catch(() => null)
      if (!message) return undefined
      const parsed = outlierMessageSchema.safeParse(message.json())
      return parsed.success ? parsed.data : undefined
    },
    close: async () => {
      observations.unsubscribe()
      outliers.unsubscribe()
      let timer: NodeJS.Timeout | undefined
      await Promise.race([nc.drain(), new Promise((r) => (timer = setTimeout(r, 2000)))])
      clearTimeout(timer)
      if (!nc.isClosed()) await nc.close()
      await following
    },
  }
}
