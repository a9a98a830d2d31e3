/**
 * Fills the store from the message bus, as a read-only identity (the `reader` role of nats-permissions.ts): the
 * observation and outlier streams, each through an ordered consumer of its own that starts at the stream's first
 * message. An ordered consumer is ephemeral and takes nothing from the aggregators' durable consumer; the reader
 * role may create it on both streams and may publish nothing else (test/nats-security.test.ts).
 *
 * Nothing received is trusted: a message is parsed by the protocol's schemas, must name this chain and a contract
 * of this deployment, and an observation must come from the signer its subject names (the subject is what NATS
 * permissions pin to the publishing node) and, for a resolution, carry that signer's valid signature.
 *
 * The streams may not exist yet (an aggregator creates them at start): each is retried until it does, or until
 * the indexer is stopped. A consumer that fails later (the server restarted, the stream was re-created) is
 * opened again; the store keeps one observation per signer and round, so reading a stream again adds nothing.
 */
import { DeliverPolicy, jetstream, type JetStreamClient } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/transport-node'
import type { Logger } from 'pino'
import { recoverObservationSigner } from '@sibyl/protocol/eip712'
import { fromObservationMessage, observationMessageSchema, outlierMessageSchema, type ObservationMessage, type OutlierMessage } from '@sibyl/protocol/messages'
import { streams, SUBJECT_PREFIX } from '@sibyl/protocol/subjects'
import { sleepUnlessAborted } from '@sibyl/service-kit/time/sleep-unless-aborted'
import type { ExplorerStore } from '../store/explorer-store.ts'

export type IndexNatsParameters = {
  nc: NatsConnection
  store: Pick<ExplorerStore, 'addObservation' | 'markOutlier' | 'setHealth'>
  chainId: bigint
  /** The deployment's contracts (oracle and feeds), lower-case: messages naming any other are ignored. */
  contracts: ReadonlySet<string>
  logger: Logger
  signal: AbortSignal
  /** Pause before opening a stream again (default 1 s). */
  retryMs?: number
}

export type NatsIndexer = { done: Promise<void> }

const decoder = new TextDecoder()

function parseJson(data: Uint8Array): unknown {
  try {
    return JSON.parse(decoder.decode(data))
  } catch {
    return undefined
  }
}

/** Why an observation is not taken; undefined when it is. */
export function rejectObservation(message: ObservationMessage, subject: string, chainId: bigint, contracts: ReadonlySet<string>): string | undefined {
  if (message.domain.chainId !== chainId.toString()) return 'another chain'
  if (!contracts.has(message.domain.verifyingContract.toLowerCase())) return 'a contract outside this deployment'
  if (subject !== `${SUBJECT_PREFIX}.obs.${chainId}.${message.signer.toLowerCase()}`) return 'signer and subject differ'
  if (message.kind === 'resolution') {
    const { domain, signed } = fromObservationMessage(message)
    try {
      if (recoverObservationSigner(domain, signed.observation, signed.signature).toLowerCase() !== message.signer.toLowerCase()) return 'signature of another signer'
    } catch {
      return 'bad signature'
    }
  }
  return undefined
}

async function follow(
  js: JetStreamClient,
  stream: string,
  filter: string,
  handle: (subject: string, data: Uint8Array) => void,
  { logger, signal, retryMs }: { logger: Logger; signal: AbortSignal; retryMs: number },
): Promise<void> {
  let warned = false
  while (!signal.aborted) {
    try {
      const consumer = await js.consumers.get(stream, { filter_subjects: filter, deliver_policy: DeliverPolicy.All })
      const messages = await consumer.consume()
      const stop = () => void messages.close().catch(() => undefined)
      signal.addEventListener('abort', stop, { once: true })
      logger.info({ stream }, 'following the stream')
      warned = false
      try {
        for await (const m of messages) handle(m.subject, m.data)
      } finally {
        signal.removeEventListener('abort', stop)
      }
    } catch (error) {
      if (signal.aborted) break
      // Expected at start, before an aggregator created the stream: say it once, not every second.
      if (!warned) logger.warn({ stream, err: error }, 'cannot read the stream yet; retrying')
      warned = true
    }
    await sleepUnlessAborted(retryMs, signal)
  }
}

export function indexNats({ nc, store, chainId, contracts, logger, signal, retryMs = 1000 }: IndexNatsParameters): NatsIndexer {
  const log = logger.child({ unit: 'nats-indexer' })
  const js = jetstream(nc)
  let rejected = 0

  store.setHealth({ natsConnected: !nc.isClosed() })
  const watchStatus = (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect' || status.type === 'close') store.setHealth({ natsConnected: false })
      if (status.type === 'reconnect') store.setHealth({ natsConnected: true })
    }
  })().catch(() => undefined)

  const onObservation = (subject: string, data: Uint8Array): void => {
    const parsed = observationMessageSchema.safeParse(parseJson(data))
    const why = parsed.success ? rejectObservation(parsed.data, subject, chainId, contracts) : 'not an observation message'
    if (why !== undefined || !parsed.success) {
      if (rejected++ < 20) log.warn({ subject, why }, 'ignored a message on the observation stream')
      return
    }
    store.addObservation(parsed.data)
  }
  const onReport = (subject: string, data: Uint8Array): void => {
    const parsed = outlierMessageSchema.safeParse(parseJson(data))
    if (!parsed.success) return
    const report: OutlierMessage = parsed.data
    if (report.domain.chainId !== chainId.toString() || !contracts.has(report.domain.verifyingContract.toLowerCase())) return
    store.markOutlier(report)
  }

  const options = { logger: log, signal, retryMs }
  const done = Promise.all([
    follow(js, streams.observations.name, `${SUBJECT_PREFIX}.obs.${chainId}.*`, onObservation, options),
    follow(js, streams.outliers.name, `${SUBJECT_PREFIX}.outliers.${chainId}.>`, onReport, options),
    Promise.race([watchStatus, new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }))]),
  ]).then(() => undefined)
  return { done }
}
