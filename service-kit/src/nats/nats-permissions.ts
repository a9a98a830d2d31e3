/**
 * What each identity on the message bus may publish and subscribe to: allow lists, so anything not named is
 * refused by the server. The subjects come from `@sibyl/protocol/subjects`; the README's "The message bus"
 * has the same table in prose.
 *
 * How JetStream maps onto permissions (nats-server 2.9):
 * - a JetStream publish is an ordinary publish on the stream's subject (with a reply inbox for the PubAck),
 *   so "may store an observation" is "may publish on `sibyl.v1.obs.<chain>.<own signer>`";
 * - every management or read operation is a request to a `$JS.API.<OP>.<stream>[.<consumer>]` subject, so it
 *   is granted per operation and per stream; pulling from a consumer is `$JS.API.CONSUMER.MSG.NEXT.<stream>.<consumer>`
 *   and acknowledging is a publish to `$JS.ACK.<stream>.<consumer>.>`;
 * - a KV bucket is the stream `KV_<bucket>`; a put is a publish on `$KV.<bucket>.<key>`;
 * - replies come to the client's inbox. Every identity gets its own inbox prefix, `_INBOX.<user public key>`,
 *   and may subscribe to that prefix only, so nobody reads the replies (PubAcks, pulled messages, KV reads)
 *   meant for another identity.
 */
import { evidenceBucket, roundsBucket, signerToken, streams, SUBJECT_PREFIX } from '@sibyl/protocol/subjects'

export type NatsRole = 'node' | 'aggregator' | 'reader' | 'admin'

export type NatsIdentitySpec =
  /** An oracle node: publishes the observations of one signing address. */
  | { role: 'node'; name: string; signer: string }
  /** An aggregator: consumes the shared durable consumer, writes round records, publishes outlier reports. */
  | { role: 'aggregator'; name: string }
  /** A read-only client: explorer, monitoring, a disputer's tooling, the devnet's watcher. */
  | { role: 'reader'; name: string }
  /** Provisions streams and buckets (the `sibyl nats provision` step); kept offline otherwise. */
  | { role: 'admin'; name: string }

export type SubjectPermission = { allow: string[]; deny: string[] }
/** `undefined`: no restriction (the admin). */
export type NatsPermissions = { pub: SubjectPermission; sub: SubjectPermission } | undefined

export type NatsPermissionsScope = {
  /** The chains this deployment serves (observation subjects, rounds buckets). */
  chainIds: readonly (bigint | number)[]
  /** The aggregators' shared durable consumer (aggregator config `nats.durableName`). */
  durableName: string
}

/** The inbox prefix an identity uses and may subscribe to. */
export function inboxPrefixFor(userPublicKey: string): string {
  if (!/^U[A-Z2-7]{55}$/.test(userPublicKey)) throw new Error('inboxPrefixFor: not a NATS user public key')
  return `_INBOX.${userPublicKey}`
}

const api = '$JS.API'
const observations = streams.observations.name

/**
 * Reading any stream: its info, single messages (direct or not) and consumers of one's own on it. A stream name
 * is one subject token and NATS wildcards match whole tokens only, so "every node's evidence archive" (a stream
 * per signer) can only be granted as "every stream"; what must not be reachable is then denied explicitly.
 */
const readAnyStream = [
  `${api}.STREAM.INFO.*`,
  `${api}.STREAM.MSG.GET.*`,
  `${api}.DIRECT.GET.*`,
  `${api}.DIRECT.GET.*.>`,
  `${api}.CONSUMER.CREATE.*`,
  `${api}.CONSUMER.CREATE.*.>`,
  `${api}.CONSUMER.INFO.*.*`,
  `${api}.CONSUMER.MSG.NEXT.*.*`,
  `${api}.CONSUMER.DELETE.*.*`,
  // Flow-control answers of push consumers (object store reads, KV watches).
  '$JS.FC.>',
]

/**
 * No consumer of any kind on the observations stream, for anyone but aggregators: nobody else can create,
 * change, read, pull from, acknowledge for or delete the aggregators' durable consumer (nor an ephemeral one that
 * would compete with it). Deny wins over allow.
 */
const noConsumerOnObservations = [
  `${api}.CONSUMER.CREATE.${observations}`,
  `${api}.CONSUMER.CREATE.${observations}.>`,
  `${api}.CONSUMER.DURABLE.CREATE.${observations}.>`,
  `${api}.CONSUMER.INFO.${observations}.*`,
  `${api}.CONSUMER.MSG.NEXT.${observations}.*`,
  `${api}.CONSUMER.DELETE.${observations}.*`,
  `${api}.CONSUMER.LEADER.STEPDOWN.${observations}.>`,
  `$JS.ACK.${observations}.>`,
  `$JS.FC.${observations}.>`,
]

function readerDenyOnObservations(durable: string): string[] {
  const obs = observations
  return [
    // The short form names the consumer in the body (2.9 applies it as an update of an existing durable of that
    // name): only the subject-named forms, whose name permissions can see, are left to readers.
    `${api}.CONSUMER.CREATE.${obs}`,
    `${api}.CONSUMER.CREATE.${obs}.${durable}`,
    `${api}.CONSUMER.CREATE.${obs}.${durable}.>`,
    `${api}.CONSUMER.DURABLE.CREATE.${obs}.>`,
    `${api}.CONSUMER.INFO.${obs}.${durable}`,
    `${api}.CONSUMER.MSG.NEXT.${obs}.${durable}`,
    `${api}.CONSUMER.DELETE.${obs}.*`,
    `${api}.CONSUMER.LEADER.STEPDOWN.${obs}.>`,
    `$JS.ACK.${obs}.>`,
  ]
}

export function natsPermissions(spec: NatsIdentitySpec, userPublicKey: string, scope: NatsPermissionsScope): NatsPermissions {
  if (spec.role === 'admin') return undefined
  const inbox = `${inboxPrefixFor(userPublicKey)}.>`
  const chains = scope.chainIds.map((c) => String(c))
  const common = [`${api}.INFO`]
  if (spec.role === 'node') {
    const own = evidenceBucket.streamName(spec.signer)
    const ownBucket = evidenceBucket.name(spec.signer)
    return {
      pub: {
        allow: [
          ...common,
          // Its own signer's observations, on each chain, and nothing else on the bus.
          ...chains.map((c) => `${SUBJECT_PREFIX}.obs.${c}.${signerToken(spec.signer)}`),
          // Its own evidence archive: write and replace objects (chunks, then metadata, then a purge of the
          // replaced chunks); never another node's. The admin creates the archive: a stream-create request's body
          // is not checked by permissions, so a node allowed to create one could give it any subjects or a
          // republish target, and write anywhere in the account.
          `${api}.STREAM.PURGE.${own}`,
          `$O.${ownBucket}.>`,
          // Reading: that the streams exist (at start; creating them is the admin's job), everyone's evidence.
          ...readAnyStream,
        ],
        deny: noConsumerOnObservations,
      },
      sub: { allow: [inbox], deny: [] },
    }
  }
  if (spec.role === 'aggregator') {
    const obs = streams.observations.name
    const durable = scope.durableName
    return {
      pub: {
        allow: [
          ...common,
          ...chains.map((c) => `${SUBJECT_PREFIX}.outliers.${c}.>`),
          // Reading any stream (round records, outlier reports, evidence), consumers of its own on them.
          ...readAnyStream,
          // The shared durable consumer, by name: create (or confirm) it, read its info, pull, acknowledge.
          `${api}.CONSUMER.CREATE.${obs}.${durable}`,
          `${api}.CONSUMER.CREATE.${obs}.${durable}.>`,
          `${api}.CONSUMER.DURABLE.CREATE.${obs}.${durable}`,
          `${api}.CONSUMER.INFO.${obs}.${durable}`,
          `${api}.CONSUMER.MSG.NEXT.${obs}.${durable}`,
          `$JS.ACK.${obs}.${durable}.>`,
          // The round records: compare-and-set writes; never delete or reconfigure the bucket.
          ...chains.map((c) => `$KV.${roundsBucket.name(c)}.>`),
        ],
        deny: [],
      },
      sub: { allow: [inbox], deny: [] },
    }
  }
  return {
    pub: {
      allow: [...common, `${api}.STREAM.NAMES`, ...readAnyStream],
      // A reader (explorer, monitoring, `sibyl evidence`) may read the observations' history through an ephemeral
      // consumer of its own, which gets its own copy of every message and takes nothing from the aggregators. The
      // aggregators' durable is denied by name in every form, as are durables, deletes and acknowledgements.
      deny: readerDenyOnObservations(scope.durableName),
    },
    sub: {
      allow: [inbox, ...chains.flatMap((c) => [`${SUBJECT_PREFIX}.obs.${c}.*`, `${SUBJECT_PREFIX}.outliers.${c}.>`])],
      deny: [],
    },
  }
}
