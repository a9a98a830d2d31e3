/**
 * The message bus as an outsider sees it, against a real secured nats-server (operator-mode identities, TLS, the
 * streams and rounds bucket provisioned with their limits), made by the devnet with the same code as
 * `sibyl nats init`:
 * - nobody connects without an identity the deployment signed (anonymous, a stranger's own operator);
 * - a node's identity publishes its own observations and gets PubAcks, but cannot publish as another signer,
 *   cannot take another node's message id, cannot pull from the aggregators' durable consumer, cannot write or
 *   delete round records, cannot delete, purge or reconfigure a stream, and cannot read another identity's inbox;
 * - the aggregator's and the reader's identities can do their jobs and no more;
 * - a revoked node identity is cut off and cannot come back.
 */
import test from 'ava'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream'
import { Kvm } from '@nats-io/kv'
import { Objm } from '@nats-io/obj'
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node'
import { createAccount, createOperator, createUser, encodeUser, fmtCreds } from '@nats-io/jwt'
import { Wallet, hexlify, randomBytes } from 'ethers'
import { signObservation } from '@sibyl/protocol/eip712'
import { toObservationMessage, type ObservationMessage } from '@sibyl/protocol/messages'
import { buildObservation } from '@sibyl/protocol/testing/build-observation'
import { evidenceBucket, observationMessageId, observationSubject, outlierSubject, roundsBucket, streams } from '@sibyl/protocol/subjects'
import { publishObservation } from '@sibyl/oracle-node/transport/publish-observation'
import { startNatsCluster, type NatsCluster } from '@sibyl/devnet/start-nats-cluster'
import { pollUntil } from '@sibyl/service-kit/time/poll-until'

const CHAIN_ID = 31337n
const CONTRACT = '0x00000000000000000000000000000000000000c0'
const DURABLE = 'sibyl-aggregator'
const signerA = new Wallet(hexlify(randomBytes(32)))
const signerB = new Wallet(hexlify(randomBytes(32)))

let workDir: string
let cluster: NatsCluster
let admin: NatsConnection
let aggregatorConnection: NatsConnection | undefined
const open: NatsConnection[] = []

async function as(name: string): Promise<NatsConnection> {
  const nc = await cluster.connectAs(name)
  open.push(nc)
  return nc
}

async function signed(signer: Wallet, requestId: string, answer = 1n): Promise<ObservationMessage> {
  const domain = { chainId: CHAIN_ID, verifyingContract: CONTRACT }
  const s = await signObservation({ signer, domain, observation: buildObservation({ requestId, answer }) })
  return toObservationMessage('resolution', domain, s, { modelId: 'test-model', observedAtMs: 1 })
}

const requestId = (n: number) => `0x${n.toString(16).padStart(64, '0')}`
const encode = (m: unknown) => new TextEncoder().encode(JSON.stringify(m))

/** The outcome of a JetStream or NATS operation: 'ok', or the error's message. */
async function attempt(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn()
    return 'ok'
  } catch (error) {
    return String((error as Error).message ?? error)
  }
}

test.before(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'sibyl-nats-security-'))
  cluster = await startNatsCluster({
    size: 1,
    workDir,
    chainIds: [CHAIN_ID],
    identities: [
      { role: 'node', name: 'node-a', signer: signerA.address },
      { role: 'node', name: 'node-b', signer: signerB.address },
      { role: 'aggregator', name: 'aggregator-1' },
    ],
  })
  admin = await as('devnet-admin')
  // The aggregators' durable consumer, as an aggregator creates it.
  aggregatorConnection = await as('aggregator-1')
  await (await jetstreamManager(aggregatorConnection)).consumers.add(streams.observations.name, {
    durable_name: DURABLE,
    ack_policy: AckPolicy.Explicit,
    filter_subject: `sibyl.v1.obs.${CHAIN_ID}.>`,
  })
})

test.after.always(async () => {
  for (const nc of open) await nc.close().catch(() => undefined)
  await cluster?.stop()
  if (workDir) rmSync(workDir, { recursive: true, force: true })
})

test.serial('secrets are written 0600 and the servers speak TLS only', (t) => {
  t.is(statSync(cluster.paths.credsFile('node-a')).mode & 0o777, 0o600)
  t.is(statSync(join(cluster.paths.secretsDir, 'account.nk')).mode & 0o777, 0o600)
  t.is(statSync(join(cluster.paths.secretsDir, 'ca-key.pem')).mode & 0o777, 0o600)
  t.is(statSync(cluster.paths.secretsDir).mode & 0o777, 0o700)
  t.true(cluster.tls)
})

test.serial('an anonymous client is refused, with or without TLS, and so is a user of another operator', async (t) => {
  const withTls = await attempt(() => connect({ servers: cluster.urls, tls: { caFile: cluster.paths.caFile }, reconnect: false }))
  t.regex(withTls, /authorization violation/i)
  const plain = await attempt(() => connect({ servers: cluster.urls, reconnect: false }))
  t.not(plain, 'ok', 'TLS is required: a plain client does not even get to authenticate')
  // A stranger who made its own operator and account and signed itself a user with every permission.
  const strangerAccount = createAccount()
  createOperator()
  const user = createUser()
  const creds = fmtCreds(await encodeUser('stranger', user, strangerAccount), user)
  const forged = await attempt(() => connect({ servers: cluster.urls, tls: { caFile: cluster.paths.caFile }, authenticator: credsAuthenticator(creds), reconnect: false }))
  t.regex(forged, /authorization violation/i)
})

test.serial('a node publishes its own observation and gets a PubAck, and cannot publish as another signer', async (t) => {
  const a = await as('node-a')
  const before = (await (await jetstreamManager(admin)).streams.info(streams.observations.name)).state.messages
  const own = await publishObservation(jetstream(a), await signed(signerA, requestId(1)), { attempts: 1 })
  t.true(own.ok && !own.duplicate, JSON.stringify(own))
  // Node A's identity, holding a message node B signed (or any bytes), on B's subject: refused by the server.
  const asB = await attempt(() => jetstream(a).publish(observationSubject({ chainId: CHAIN_ID, signer: signerB.address }), encode({ junk: true }), { timeout: 2000 }))
  t.regex(asB, /permissions violation/i)
  // A plain publish without waiting for an ack does not get in either.
  a.publish(observationSubject({ chainId: CHAIN_ID, signer: signerB.address }), encode({ junk: true }))
  // Nor on another chain's or any other subject of the stream.
  const otherChain = await attempt(() => jetstream(a).publish(observationSubject({ chainId: 1n, signer: signerA.address }), encode({}), { timeout: 2000 }))
  t.regex(otherChain, /permissions violation/i)
  await a.flush()
  const after = (await (await jetstreamManager(admin)).streams.info(streams.observations.name)).state.messages
  t.is(after, before + 1, 'only the node\'s own observation was stored')
  // An aggregator or a reader publishes no observations at all.
  t.regex(await attempt(() => jetstream(cluster_aggregator()).publish(observationSubject({ chainId: CHAIN_ID, signer: signerA.address }), encode({}), { timeout: 2000 })), /permissions violation/i)
})

function cluster_aggregator(): NatsConnection {
  return aggregatorConnection!
}

test.serial("a node cannot pre-empt another node's message id", async (t) => {
  const a = await as('node-a')
  const b = await as('node-b')
  const request = requestId(2)
  const honest = await signed(signerB, request)
  // What A can compute from public data (chain, contract, request, round, B's address), and even the id
  // scheme with B's signature prefix guessed wrong: published first, on A's own subject.
  const guesses = [
    `${CHAIN_ID}.${CONTRACT}.${request}.0.${signerB.address.toLowerCase()}`,
    observationMessageId({ chainId: CHAIN_ID, contract: CONTRACT, requestId: request, round: 0, signer: signerB.address, signature: (await signed(signerA, request)).signature }),
  ]
  for (const msgID of guesses) {
    const ack = await jetstream(a).publish(observationSubject({ chainId: CHAIN_ID, signer: signerA.address }), encode({ junk: msgID }), { msgID })
    t.false(ack.duplicate)
  }
  // B's real publish is stored, not answered "duplicate".
  const result = await publishObservation(jetstream(b), honest, { attempts: 1 })
  t.true(result.ok && !result.duplicate, JSON.stringify(result))
  // And B publishing the same signed observation again (a retry, a restart) is the duplicate it should be.
  const again = await publishObservation(jetstream(b), honest, { attempts: 1 })
  t.true(again.ok && again.duplicate)
})

test.serial("a node cannot pull from, create, change or delete the aggregators' consumer, nor read its deliveries", async (t) => {
  const a = await as('node-a')
  const jsm = await jetstreamManager(a)
  const js = jetstream(a)
  t.regex(await attempt(() => js.consumers.get(streams.observations.name, DURABLE)), /permissions violation/i)
  t.regex(await attempt(() => a.request(`$JS.API.CONSUMER.MSG.NEXT.${streams.observations.name}.${DURABLE}`, encode({ batch: 10, expires: 1_000_000_000 }), { timeout: 2000 })), /permissions violation/i)
  t.regex(await attempt(() => jsm.consumers.add(streams.observations.name, { durable_name: DURABLE, ack_policy: AckPolicy.None })), /permissions violation/i)
  t.regex(await attempt(() => jsm.consumers.add(streams.observations.name, { ack_policy: AckPolicy.None })), /permissions violation/i)
  t.regex(await attempt(() => jsm.consumers.delete(streams.observations.name, DURABLE)), /permissions violation/i)
  t.regex(await attempt(() => js.consumers.get(streams.observations.name)), /permissions violation/i, 'no ordered consumer on the observations either')
  // Acknowledging for the aggregators (to make them skip messages) is refused too.
  t.regex(await attempt(async () => {
    a.publish(`$JS.ACK.${streams.observations.name}.${DURABLE}.1.1.1.0.0`)
    await a.flush()
    await new Promise((r) => setTimeout(r, 200))
    if (a.isClosed()) throw new Error('closed')
    const info = await (await jetstreamManager(admin)).consumers.info(streams.observations.name, DURABLE)
    if (info.ack_floor.stream_seq > 0) return 'acked'
    throw new Error('Permissions Violation (the ack did not count)')
  }), /permissions violation/i)
  // Nor can it listen on the inboxes where the aggregators' pulled messages arrive.
  t.regex(await attempt(async () => {
    const sub = a.subscribe('_INBOX.>')
    await a.flush()
    await new Promise((r) => setTimeout(r, 200))
    sub.unsubscribe()
    throw new Error(sub.isClosed() ? 'Permissions Violation (subscription closed)' : 'subscribed')
  }), /permissions violation/i)
  // The reader cannot pull from it either.
  const reader = await as('devnet-reader')
  t.regex(await attempt(() => reader.request(`$JS.API.CONSUMER.MSG.NEXT.${streams.observations.name}.${DURABLE}`, encode({ batch: 1 }), { timeout: 2000 })), /permissions violation/i)
  // While the aggregator's identity pulls what was published.
  const consumer = await jetstream(cluster_aggregator()).consumers.get(streams.observations.name, DURABLE)
  const m = await consumer.next({ expires: 2000 })
  t.truthy(m, 'the aggregator gets a message')
  m?.ack()
})

test.serial('a node cannot write, delete or purge round records, nor reconfigure the bucket', async (t) => {
  const bucket = roundsBucket.name(CHAIN_ID)
  const a = await as('node-a')
  t.regex(await attempt(() => jetstream(a).publish(`$KV.${bucket}.resolution.x.0`, encode({ state: 'committed' }), { timeout: 2000 })), /permissions violation/i)
  // Records are public (every observation in them is signed): it reads them, and writes none.
  const nodeKv = await new Kvm(a).open(bucket)
  t.is(await nodeKv.get('absent'), null)
  t.regex(await attempt(() => nodeKv.put('resolution.x.0', encode({ state: 'committed' }))), /permissions violation/i)
  t.regex(await attempt(() => nodeKv.delete('resolution.x.0')), /permissions violation/i)
  t.regex(await attempt(() => nodeKv.purge('resolution.x.0')), /permissions violation/i)
  const jsm = await jetstreamManager(a)
  t.regex(await attempt(() => jsm.streams.purge(roundsBucket.streamName(CHAIN_ID))), /permissions violation/i)
  t.regex(await attempt(() => jsm.streams.delete(roundsBucket.streamName(CHAIN_ID))), /permissions violation/i)
  // The reader reads records but writes none.
  const reader = await as('devnet-reader')
  const readerKv = await new Kvm(reader).open(bucket)
  t.is(await readerKv.get('absent'), null)
  t.regex(await attempt(() => readerKv.put('resolution.x.0', encode({ state: 'failed' }))), /permissions violation/i)
  // The aggregator writes by compare-and-set.
  const kv = await new Kvm(cluster_aggregator()).open(bucket)
  const revision = await kv.create('resolution.x.0', encode({ state: 'open' }))
  t.true(revision > 0)
  t.is((await (await new Kvm(admin).open(bucket)).get('resolution.x.0'))?.string(), JSON.stringify({ state: 'open' }), 'only what the aggregator wrote is there')
  // An aggregator cannot destroy the bucket either.
  t.regex(await attempt(() => jetstreamManager(cluster_aggregator()).then((m) => m.streams.delete(roundsBucket.streamName(CHAIN_ID)))), /permissions violation/i)
})

test.serial('no node, aggregator or reader can delete, purge, reconfigure or create a stream', async (t) => {
  for (const name of ['node-a', 'aggregator-1', 'devnet-reader']) {
    const jsm = await jetstreamManager(name === 'aggregator-1' ? cluster_aggregator() : await as(name))
    for (const stream of [streams.observations.name, streams.outliers.name]) {
      t.regex(await attempt(() => jsm.streams.delete(stream)), /permissions violation/i, `${name} delete ${stream}`)
      t.regex(await attempt(() => jsm.streams.purge(stream)), /permissions violation/i, `${name} purge ${stream}`)
      t.regex(await attempt(() => jsm.streams.update(stream, { max_msgs: 1 })), /permissions violation|stream not found/i, `${name} update ${stream}`)
    }
    t.regex(await attempt(() => jsm.streams.add({ name: 'SIBYL_EVIL', subjects: ['evil.>'], max_bytes: 1024 })), /permissions violation/i, `${name} create`)
  }
  const info = await (await jetstreamManager(admin)).streams.info(streams.observations.name)
  t.is(info.config.max_msgs_per_subject, streams.observations.maxMsgsPerSubject, 'the limits are as provisioned')
})

test.serial('the reader reads observations live and outlier reports from the stream, and publishes nothing', async (t) => {
  const reader = await as('devnet-reader')
  const sub = reader.subscribe(`sibyl.v1.obs.${CHAIN_ID}.*`, { max: 1 })
  await reader.flush()
  await publishObservation(jetstream(await as('node-a')), await signed(signerA, requestId(3)), { attempts: 1 })
  for await (const m of sub) t.is(m.subject, observationSubject({ chainId: CHAIN_ID, signer: signerA.address }))
  const target = { chainId: CHAIN_ID, contract: CONTRACT, requestId: requestId(3) }
  await jetstream(cluster_aggregator()).publish(outlierSubject(target), encode({ report: 1 }), { msgID: 'report-1' })
  const report = await (await jetstreamManager(reader)).streams.getMessage(streams.outliers.name, { last_by_subj: outlierSubject(target) })
  t.is(report?.string(), JSON.stringify({ report: 1 }))
  const ordered = await jetstream(reader).consumers.get(streams.outliers.name)
  t.truthy(await ordered.next({ expires: 2000 }))
  t.regex(await attempt(() => jetstream(reader).publish(outlierSubject(target), encode({ fake: true }), { timeout: 2000 })), /permissions violation/i)
  // The observations' history through an ephemeral consumer of its own (what `sibyl evidence` does): the reader gets
  // its own copy, and the aggregators' durable loses nothing (its pending count is unchanged).
  const jsmAdmin = await jetstreamManager(admin)
  const pendingBefore = (await jsmAdmin.consumers.info(streams.observations.name, DURABLE)).num_pending
  const history = await jetstream(reader).consumers.get(streams.observations.name, { filter_subjects: `sibyl.v1.obs.${CHAIN_ID}.*` })
  t.truthy(await history.next({ expires: 2000 }), 'the reader reads the observations history')
  t.is((await jsmAdmin.consumers.info(streams.observations.name, DURABLE)).num_pending, pendingBefore, 'nothing taken from the durable')
  // But never as the durable, nor a durable of its own, nor by deleting consumers.
  t.regex(await attempt(() => reader.request(`$JS.API.CONSUMER.DURABLE.CREATE.${streams.observations.name}.mine`, encode({ stream_name: streams.observations.name, config: { durable_name: 'mine' } }), { timeout: 2000 })), /permissions violation/i)
  t.regex(await attempt(() => reader.request(`$JS.API.CONSUMER.DELETE.${streams.observations.name}.${DURABLE}`, encode({}), { timeout: 2000 })), /permissions violation/i)
})

test.serial("a node writes its own evidence archive and reads everyone's, but cannot write another node's", async (t) => {
  const a = await as('node-a')
  const b = await as('node-b')
  const own = await new Objm(a).create(evidenceBucket.name(signerA.address), { max_bytes: evidenceBucket.maxBytes })
  await own.putBlob({ name: '0xevidence' }, new Uint8Array(300 * 1024))
  // Archives are made by the admin (provisioning); a node creates none, not even for a signer nobody provisioned.
  const unprovisioned = Wallet.createRandom().address
  t.regex(await attempt(() => new Objm(a).create(evidenceBucket.name(unprovisioned), { max_bytes: evidenceBucket.maxBytes })), /permissions violation/i, 'it cannot create an archive')
  // B reads A's archive (a disputer, a reader and the aggregators can too) but cannot write into it.
  const seenByB = await new Objm(b).open(evidenceBucket.name(signerA.address))
  t.is((await seenByB.getBlob('0xevidence'))?.length, 300 * 1024)
  t.regex(await attempt(() => seenByB.putBlob({ name: '0xforged' }, new Uint8Array(10))), /permissions violation/i)
  const reader = await as('devnet-reader')
  t.is((await (await new Objm(reader).open(evidenceBucket.name(signerA.address))).getBlob('0xevidence'))?.length, 300 * 1024)
})

test.serial('a node cannot create a stream of its own, so no republish or capture can carry it past its permissions', async (t) => {
  const a = await as('node-a')
  const jsm = await jetstreamManager(a)
  // The attack: a stream that captures the node's own evidence subjects and republishes them onto another signer's
  // observation subject (or a round record, or the stream API). The request's body is not checked by permissions,
  // so the only safe rule is no stream creation at all.
  const hostile = {
    name: 'HOSTILE',
    subjects: [`$O.${evidenceBucket.name(signerA.address)}.X`],
    republish: { src: '>', dest: `sibyl.v1.obs.${CHAIN_ID}.${signerB.address.toLowerCase()}` },
  }
  t.regex(await attempt(() => jsm.streams.add(hostile)), /permissions violation/i)
  // Nor under its own archive's name (the admin made that archive; its config is not the node's to set).
  t.regex(await attempt(() => jsm.streams.add({ ...hostile, name: evidenceBucket.streamName(signerA.address) })), /permissions violation|already in use|exists/i)
  t.regex(await attempt(() => jsm.streams.update(evidenceBucket.streamName(signerA.address), { subjects: ['_INBOX.>'] })), /permissions violation/i)
})

test.serial("a reader cannot rewrite the aggregators' durable through the short consumer-create form", async (t) => {
  const reader = await as('devnet-reader')
  // 2.9 takes the consumer's name from the body of the five-token form and applies it as an update of the durable.
  const body = { stream_name: streams.observations.name, config: { name: DURABLE, ack_policy: 'explicit', max_deliver: 1, ack_wait: 1_000_000, filter_subject: `sibyl.v1.obs.${CHAIN_ID}.${signerA.address.toLowerCase()}` } }
  t.regex(await attempt(() => reader.request(`$JS.API.CONSUMER.CREATE.${streams.observations.name}`, encode(body), { timeout: 2000 })), /permissions violation/i)
  const info = await (await jetstreamManager(admin)).consumers.info(streams.observations.name, DURABLE)
  t.is(info.config.filter_subject, `sibyl.v1.obs.${CHAIN_ID}.>`, 'the durable is unchanged')
})

test.serial('a revoked node identity is cut off at once and cannot connect again', async (t) => {
  const a = await cluster.connectAs('node-a', { name: 'to-be-revoked' })
  open.push(a)
  const cutOff = (async () => {
    for await (const s of a.status()) if (s.type === 'disconnect') return true
    return false
  })()
  await cluster.revoke('node-a')
  t.true(await Promise.race([cutOff, new Promise<boolean>((r) => setTimeout(() => r(false), 5000))]), 'the server dropped its connection')
  // A reload with a new account JWT makes every client of the account reconnect once (within a second);
  // the revoked one is refused from then on: nothing it publishes gets in.
  const before = await pollUntil('the admin reconnected', async () => (await (await jetstreamManager(admin)).streams.info(streams.observations.name)).state.messages, { timeoutMs: 10_000, everyMs: 200 })
  t.not(await attempt(() => jetstream(a).publish(observationSubject({ chainId: CHAIN_ID, signer: signerA.address }), encode({}), { timeout: 1500 })), 'ok')
  t.is((await (await jetstreamManager(admin)).streams.info(streams.observations.name)).state.messages, before)
  t.regex(await attempt(() => cluster.connectAs('node-a')), /authorization violation/i)
  // The other node is untouched.
  const b = await as('node-b')
  t.true((await publishObservation(jetstream(b), await signed(signerB, requestId(4)))).ok)
})
