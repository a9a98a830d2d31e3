/**
 * A node's identity floods the bus (its NATS credential and its signing key leaked, the worst case) while three
 * honest nodes answer a question. Measured against a real secured nats-server, a real aggregator and anvil:
 * - the flooder can only publish on its own signer's subject, so the stream's per-subject limit keeps at most
 *   MAX_PENDING_OBSERVATIONS_PER_SIGNER of its messages, whatever it sends, and never evicts another signer's;
 * - the aggregator works through that bounded backlog, and the honest round commits long before its deadline;
 * - a message over the stream's size limit is refused, one over the identity's payload limit is not even sent.
 * The figures (flood rate, what was stored, time to commit with and without the flood) are logged.
 */
import test from 'ava'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/transport-node'
import { hexlify, randomBytes } from 'ethers'
import { REQUEST_STATUS } from '@sibyl/protocol/request-status'
import { MAX_PENDING_OBSERVATIONS_PER_SIGNER, observationSubject, streams } from '@sibyl/protocol/subjects'
import { startLocalNetwork, type LocalNetwork } from '@sibyl/devnet/local-network'
import { startNatsCluster, type NatsCluster } from '@sibyl/devnet/start-nats-cluster'
import { publishObservation } from '@sibyl/oracle-node/transport/publish-observation'
import { startAggregator, type StartedAggregator } from '@sibyl/aggregator/start-aggregator'
import { aggregatorConfig, aggregatorKey, commitsOf, openRequest, signedMessage, silentLogger, waitFor, connectNodeIdentities, securedNatsSection } from './helpers/aggregator-fixture.ts'

/** The demo's round deadline: an honest round must commit well inside it while the flood runs. */
const DEADLINE_MS = 20_000
let net: LocalNetwork
let workDir: string
let cluster: NatsCluster
let aggregator: StartedAggregator | undefined
const connections: NatsConnection[] = []

test.before(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'sibyl-nats-flood-'))
  const [started, network] = await Promise.all([startNatsCluster({ size: 1, workDir, chainIds: [31337] }), startLocalNetwork({ operators: 4 })])
  cluster = started
  net = network
})

test.after.always(async () => {
  await aggregator?.stop()
  for (const nc of connections) await nc.close().catch(() => undefined)
  await cluster?.stop()
  await net?.stop()
  if (workDir) rmSync(workDir, { recursive: true, force: true })
})

test('a flood from one node identity is bounded to its own subject and does not push an honest round past its deadline', async (t) => {
  t.timeout(150_000)
  const chainId = BigInt(net.deployment.chainId)
  const contract = net.deployment.contracts.resolutionOracle
  const deploymentFile = join(workDir, 'deployment.json')
  writeFileSync(deploymentFile, JSON.stringify(net.deployment))
  const nodes = await connectNodeIdentities(cluster, net)
  connections.push(...nodes)
  const identity = await cluster.addIdentity({ role: 'aggregator', name: 'aggregator-1' })
  aggregator = await startAggregator({
    config: aggregatorConfig(net, cluster.urls[0]!, deploymentFile, {
      nats: securedNatsSection(identity, 5000),
      rounds: { deadlineMs: DEADLINE_MS, commitLeaseMs: 5000, sweepIntervalMs: 200 },
    }),
    env: { AGGREGATOR_KEY: await aggregatorKey(net, 0) },
    logger: silentLogger,
  })
  const admin = await cluster.connectAs('devnet-admin')
  connections.push(admin)
  const jsm = await jetstreamManager(admin)

  /** Three honest nodes answer a new request; the time from their first publish to the commit. */
  const honestRound = async (): Promise<number> => {
    const requestId = await openRequest(net)
    const startedMs = Date.now()
    for (const op of [0, 1, 2]) {
      const message = await signedMessage({ signer: net.operators[op]!.signer, chainId, contract, requestId, round: 0, answer: 1n })
      const result = await publishObservation(jetstream(nodes[op]!), message)
      if (!result.ok) throw new Error(result.error)
    }
    await waitFor('the honest commit', async () => (await net.contracts.oracle.getRequest(requestId)).status === BigInt(REQUEST_STATUS.Committed), DEADLINE_MS * 3, 50)
    const ms = Date.now() - startedMs
    t.is(await commitsOf(net, requestId), 1)
    return ms
  }
  const baselineMs = await honestRound()

  // The flood: node 4's identity and key. Validly signed observations of requests that do not exist (each costs
  // the aggregator a chain read) mixed with junk bytes, as fast as one connection sends them.
  const flooder = nodes[3]!
  const ownSubject = observationSubject({ chainId, signer: net.operators[3]!.signer.address })
  const signedJunk: Uint8Array[] = []
  for (let i = 0; i < 50; i++) {
    const m = await signedMessage({ signer: net.operators[3]!.signer, chainId, contract, requestId: hexlify(randomBytes(32)), round: 0, answer: 1n })
    signedJunk.push(new TextEncoder().encode(JSON.stringify(m)))
  }
  const garbage = new TextEncoder().encode(JSON.stringify({ junk: 'x'.repeat(900) }))
  let sent = 0
  let flooding = true
  const floodStartedMs = Date.now()
  const flood = (async () => {
    while (flooding) {
      for (let i = 0; i < 500; i++) {
        flooder.publish(ownSubject, i % 2 === 0 ? signedJunk[sent % signedJunk.length]! : garbage)
        sent++
      }
      await flooder.flush()
    }
  })()
  // Let the backlog build before the honest nodes speak.
  await new Promise((r) => setTimeout(r, 2000))
  const underFloodMs = await honestRound()
  const secondUnderFloodMs = await honestRound()
  flooding = false
  await flood
  const floodSeconds = (Date.now() - floodStartedMs) / 1000
  const flooderStored = (await jsm.streams.info(streams.observations.name, { subjects_filter: ownSubject })).state.subjects?.[ownSubject] ?? 0

  t.true(underFloodMs < DEADLINE_MS && secondUnderFloodMs < DEADLINE_MS, `honest rounds committed in ${underFloodMs} and ${secondUnderFloodMs} ms, deadline ${DEADLINE_MS} ms`)
  t.true(flooderStored <= MAX_PENDING_OBSERVATIONS_PER_SIGNER, `the flooder keeps at most ${MAX_PENDING_OBSERVATIONS_PER_SIGNER} messages in the stream (${flooderStored})`)
  t.true(sent > MAX_PENDING_OBSERVATIONS_PER_SIGNER * 5, `the flood was a flood (${sent} messages)`)
  // Every honest signer's observations are still there: the flood evicted only the flooder's own.
  for (const op of [0, 1, 2]) {
    const subject = observationSubject({ chainId, signer: net.operators[op]!.signer.address })
    const held = (await jsm.streams.info(streams.observations.name, { subjects_filter: subject })).state.subjects?.[subject]
    t.is(held, 3, `node ${op + 1} kept its three observations`)
  }

  // Size limits: a message over the stream's limit is refused by the stream; one over the identity's payload limit
  // (160 KiB) is refused before it is sent (the server closes a connection that sends one anyway).
  const tooBig = await jetstream(flooder)
    .publish(ownSubject, new Uint8Array(streams.observations.maxMsgBytes + 1), { timeout: 3000 })
    .then(() => 'stored', (e: Error) => e.message)
  t.regex(tooBig, /maximum message size|message size exceeds/i)
  t.throws(() => flooder.publish(ownSubject, new Uint8Array(200 * 1024)), { message: /max_payload/i })

  t.log(
    `flood: ${sent} messages in ${floodSeconds.toFixed(1)} s (${Math.round(sent / floodSeconds)}/s) from one node identity; ` +
      `${flooderStored} of them in the stream at the end (limit ${MAX_PENDING_OBSERVATIONS_PER_SIGNER}); ` +
      `honest round: ${baselineMs} ms without flood, ${underFloodMs} and ${secondUnderFloodMs} ms under flood (deadline ${DEADLINE_MS} ms)`,
  )
})
