/**
 * An outsider flooding and probing the secured NATS cluster while the network runs. Each attempt is counted
 * as accepted only by its effect: a connection that opened, a PubAck or a message stored on a subject nobody
 * else publishes on, a pulled message, a KV record that was written. Every one of them must stay at zero.
 * - anonymous clients (with TLS and without) and a user signed by a foreign operator, on every server;
 * - a real node identity publishing as another signer (JetStream, with acks) and flooding plain publishes on
 *   the subject of a signer no node holds (counted from the stream afterwards);
 * - the node and reader identities pulling from the aggregators' durable consumer;
 * - the node and reader identities writing round records in the rounds bucket.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { Kvm } from '@nats-io/kv'
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node'
import { createAccount, createOperator, createUser, encodeUser, fmtCreds } from '@nats-io/jwt'
import { Wallet } from 'ethers'
import { observationSubject, roundsBucket, streams } from '@sibyl/protocol/subjects'
import type { NatsCluster } from '@sibyl/devnet/start-nats-cluster'

export type OutsiderCounts = {
  anonymousConnectAccepted: number
  outsiderPublishAccepted: number
  outsiderConsumerPulls: number
  outsiderKvWrites: number
}

export type OutsiderAttempts = { connects: number; publishes: number; pulls: number; kvWrites: number }

export type ProbeOutsidersParameters = {
  cluster: NatsCluster
  chainId: bigint
  /** The identity names of a real node and of the reader, used against the rules. */
  nodeIdentity: string
  readerIdentity: string
  /** Another node's signer address: the node identity tries to publish as it. */
  victimSigner: string
  durableName: string
  /** Plain publishes in the flood. */
  floodMessages: number
}

const encoder = new TextEncoder()
const junk = (label: string) => encoder.encode(JSON.stringify({ chaos: label, at: Date.now() }))

/** One probe of every kind; adds what was accepted to `counts` and what was tried to `attempts`. */
export async function probeOutsiders(p: ProbeOutsidersParameters, counts: OutsiderCounts, attempts: OutsiderAttempts): Promise<void> {
  const { cluster, chainId } = p
  const caFile = cluster.paths.caFile

  // 1. Connections the deployment never signed.
  const strangerAccount = createAccount()
  createOperator()
  const user = createUser()
  const foreignCreds = fmtCreds(await encodeUser('chaos-stranger', user, strangerAccount), user)
  for (const server of cluster.urls) {
    for (const options of [{ tls: { caFile } }, {}, { tls: { caFile }, authenticator: credsAuthenticator(foreignCreds) }]) {
      attempts.connects++
      try {
        const nc = await connect({ servers: [server], reconnect: false, timeout: 3000, ...options })
        counts.anonymousConnectAccepted++
        await nc.close()
      } catch {
        // Refused: what must happen.
      }
    }
  }

  const node = await cluster.connectAs(p.nodeIdentity, { name: 'chaos-outsider-node' })
  const reader = await cluster.connectAs(p.readerIdentity, { name: 'chaos-outsider-reader' })
  const admin = await cluster.connectAs('devnet-admin', { name: 'chaos-audit' })
  try {
    // 2. Publishing as another signer, with acks: a PubAck is an accepted publish.
    for (const [nc, subject] of [
      [node, observationSubject({ chainId, signer: p.victimSigner })],
      [reader, observationSubject({ chainId, signer: p.victimSigner })],
    ] as const) {
      for (let i = 0; i < 5; i++) {
        attempts.publishes++
        try {
          await jetstream(nc).publish(subject, junk('as-another-signer'), { timeout: 2000 })
          counts.outsiderPublishAccepted++
        } catch {
          // Permissions violation (or a timeout): nothing stored.
        }
      }
    }
    // A plain-publish flood on the subject of a signer no node holds: whatever the stream stored was accepted.
    const nobody = Wallet.createRandom().address
    const floodSubject = observationSubject({ chainId, signer: nobody })
    for (let i = 0; i < p.floodMessages; i++) {
      node.publish(floodSubject, junk('flood'))
      reader.publish(floodSubject, junk('flood'))
    }
    attempts.publishes += 2 * p.floodMessages
    await Promise.allSettled([node.flush(), reader.flush()])
    try {
      const info = await (await jetstreamManager(admin)).streams.info(streams.observations.name, { subjects_filter: floodSubject })
      counts.outsiderPublishAccepted += info.state.subjects?.[floodSubject] ?? 0
    } catch {
      // The stream is answering elsewhere (a server just restarted); the acked publishes above still count.
    }

    // 3. Pulling the aggregators' consumer: a message delivered is a pull accepted.
    for (const nc of [node, reader]) {
      attempts.pulls += 2
      try {
        const m = await nc.request(`$JS.API.CONSUMER.MSG.NEXT.${streams.observations.name}.${p.durableName}`, encoder.encode(JSON.stringify({ batch: 1, no_wait: true })), { timeout: 2000 })
        // A delivered message carries no status code (a refusal or "no messages" is a 4xx status with no body).
        if ((m.headers?.code ?? 0) === 0 && m.data.length > 0) counts.outsiderConsumerPulls++
      } catch {
        // Refused.
      }
      try {
        const consumer = await jetstream(nc).consumers.get(streams.observations.name, p.durableName)
        const m = await consumer.next({ expires: 1000 })
        if (m) {
          counts.outsiderConsumerPulls++
          m.nak()
        }
      } catch {
        // Refused.
      }
    }

    // 4. Writing round records.
    const bucket = roundsBucket.name(chainId)
    for (const nc of [node, reader]) {
      const key = `resolution.chaos-probe.${Date.now()}`
      attempts.kvWrites += 2
      try {
        await (await new Kvm(nc).open(bucket)).put(key, junk('kv'))
        counts.outsiderKvWrites++
      } catch {
        // Refused.
      }
      try {
        await jetstream(nc).publish(`$KV.${bucket}.${key}.raw`, junk('kv-raw'), { timeout: 2000 })
        counts.outsiderKvWrites++
      } catch {
        // Refused.
      }
    }
  } finally {
    for (const nc of [node, reader, admin] as NatsConnection[]) await nc.close().catch(() => undefined)
  }
}
