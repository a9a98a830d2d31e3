/**
 * A three-server NATS cluster (secured: identities, TLS on client and route connections; the observation and
 * outlier streams at three replicas; the rounds bucket at three where the server version keeps compare-and-set
 * serializable, else one, see `roundsBucketReplicas`) under a real aggregator and four staked operators on
 * anvil. With rounds half observed, a server is killed (SIGKILL): the observations stream's leader, unless it
 * is the one holding a single-replica rounds bucket. The rest of the observations are published while it is
 * down. Every request commits exactly once, no observation is lost, and the killed server, started again,
 * catches up with the others.
 */
import test from 'ava'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/transport-node'
import { REQUEST_STATUS } from '@sibyl/protocol/request-status'
import { roundsBucket, streams } from '@sibyl/protocol/subjects'
import { startLocalNetwork, type LocalNetwork } from '@sibyl/devnet/local-network'
import { startNatsCluster, type NatsCluster } from '@sibyl/devnet/start-nats-cluster'
import { publishObservation } from '@sibyl/oracle-node/transport/publish-observation'
import { startAggregator, type StartedAggregator } from '@sibyl/aggregator/start-aggregator'
import { roundKey } from '@sibyl/aggregator/rounds/round-record'
import { aggregatorConfig, aggregatorKey, commitsOf, openRequest, readRound, signedMessage, silentLogger, waitFor, connectNodeIdentities, securedNatsSection } from './helpers/aggregator-fixture.ts'

const REQUESTS = 6
let net: LocalNetwork
let workDir: string
let cluster: NatsCluster
let aggregator: StartedAggregator | undefined
const connections: NatsConnection[] = []

test.before(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'sibyl-nats-cluster-'))
  const [started, network] = await Promise.all([
    startNatsCluster({ size: 3, workDir, chainIds: [31337] }),
    startLocalNetwork({ operators: 4 }),
  ])
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

type JszStream = { name: string; state: { messages: number; last_seq: number } }
type Jsz = { account_details?: { stream_detail?: JszStream[] }[] }

/** What one server holds of a stream, from its own monitoring endpoint (not the leader's answer). */
async function heldBy(index: number, stream: string): Promise<JszStream['state'] | undefined> {
  const res = await fetch(`${cluster.monitorUrls[index]}/jsz?accounts=true&streams=true`)
  const jsz = (await res.json()) as Jsz
  return jsz.account_details?.flatMap((a) => a.stream_detail ?? []).find((s) => s.name === stream)?.state
}

test('one server of three killed mid-round: every request commits exactly once, nothing is lost, the server catches up', async (t) => {
  t.timeout(120_000)
  const chainId = BigInt(net.deployment.chainId)
  const deploymentFile = join(workDir, 'deployment.json')
  writeFileSync(deploymentFile, JSON.stringify(net.deployment))
  // Every component its own identity; every client lists every server.
  const nodes = await connectNodeIdentities(cluster, net)
  connections.push(...nodes)
  const aggregatorIdentity = await cluster.addIdentity({ role: 'aggregator', name: 'aggregator-1' })
  aggregator = await startAggregator({
    config: aggregatorConfig(net, cluster.urls[0]!, deploymentFile, {
      nats: securedNatsSection(aggregatorIdentity, 3000),
      rounds: { deadlineMs: 60_000, commitLeaseMs: 5000, sweepIntervalMs: 100 },
    }),
    env: { AGGREGATOR_KEY: await aggregatorKey(net, 0) },
    logger: silentLogger,
  })

  const requests: string[] = []
  for (let i = 0; i < REQUESTS; i++) requests.push(await openRequest(net))
  const publish = async (operator: number, requestId: string) => {
    const message = await signedMessage({
      signer: net.operators[operator]!.signer,
      chainId,
      contract: net.deployment.contracts.resolutionOracle,
      requestId,
      round: 0,
      answer: 1n,
    })
    const result = await publishObservation(jetstream(nodes[operator]!), message, { attempts: 10, timeoutMs: 3000, backoffMs: 250 })
    if (!result.ok) throw new Error(`node ${operator + 1}: ${result.error}`)
  }
  // Two of the three observations a quorum needs, for every request.
  for (const r of requests) for (const op of [0, 1]) await publish(op, r)
  const admin = await cluster.connectAs('devnet-admin')
  connections.push(admin)
  const jsm = await jetstreamManager(admin)
  const key = (requestId: string) => roundKey({ kind: 'resolution', contract: net.deployment.contracts.resolutionOracle, requestId, round: 0 })
  await waitFor('two observations in every round record', async () => {
    for (const r of requests) if ((await readRound(admin, net.deployment.chainId, key(r)))?.observations.length !== 2) return undefined
    return true
  }, 30_000)
  for (const r of requests) t.is((await net.contracts.oracle.getRequest(r)).status, BigInt(REQUEST_STATUS.Open), 'no quorum yet')

  // Kill the server that leads the observations stream: the hardest one to lose (but not the one holding a
  // single-replica rounds bucket: losing that one holds commits until it returns, the case README describes).
  const roundsInfo = await jsm.streams.info(roundsBucket.streamName(chainId))
  const roundsHost = roundsInfo.config.num_replicas === 1 ? roundsInfo.cluster?.leader : undefined
  let leader = (await jsm.streams.info(streams.observations.name)).cluster?.leader
  for (let i = 0; i < 5 && leader === roundsHost; i++) {
    // Move the observations stream's leadership off that server, so that the leader can be the one killed.
    await admin.request(`$JS.API.STREAM.LEADER.STEPDOWN.${streams.observations.name}`, undefined, { timeout: 5000 })
    leader = await waitFor('a new observations leader', async () => (await jsm.streams.info(streams.observations.name)).cluster?.leader, 10_000)
  }
  const byName = (name: string | undefined) => cluster.servers.findIndex((_, i) => `nats-${i + 1}` === name)
  const victim = leader !== roundsHost && byName(leader) >= 0 ? byName(leader) : cluster.servers.findIndex((_, i) => `nats-${i + 1}` !== roundsHost)
  await cluster.kill(victim)
  const killedAtMs = Date.now()
  // The other two nodes publish while it is down (their clients fail over; a publish is retried until acked).
  for (const r of requests) for (const op of [2, 3]) await publish(op, r)
  const publishedMs = Date.now() - killedAtMs

  for (const r of requests) {
    await waitFor(`commit of ${r}`, async () => (await net.contracts.oracle.getRequest(r)).status === BigInt(REQUEST_STATUS.Committed), 60_000, 200)
  }
  const committedMs = Date.now() - killedAtMs
  for (const r of requests) t.is(await commitsOf(net, r), 1, `${r} committed exactly once`)
  const stored = await waitFor('the stream after fail-over', async () => (await jsm.streams.info(streams.observations.name)).state.messages, 10_000)
  t.is(stored, REQUESTS * 4, 'every observation is in the stream once')
  let lastSeen = ''
  await waitFor('every round record committed with all four observations', async () => {
    const records = await Promise.all(requests.map((r) => readRound(admin, net.deployment.chainId, key(r))))
    lastSeen = JSON.stringify(records.map((r) => [r?.state, r?.observations.length]))
    return records.every((r) => r?.state === 'committed' && r.observations.length === 4) || undefined
  }, 45_000).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}; last seen ${lastSeen}`)
  })

  // The killed server comes back on its store and catches up with the others.
  await cluster.restart(victim)
  const caughtUp = await waitFor('the restarted server holds every observation', async () => {
    const held = await heldBy(victim, streams.observations.name).catch(() => undefined)
    return held && held.messages === REQUESTS * 4 ? held : undefined
  }, 30_000, 250)
  t.is(caughtUp.messages, REQUESTS * 4)
  if (roundsInfo.config.num_replicas > 1) {
    const rounds = await waitFor('the restarted server holds the round records', async () => {
      const held = await heldBy(victim, roundsBucket.streamName(chainId)).catch(() => undefined)
      const leaderHeld = await jsm.streams.info(roundsBucket.streamName(chainId))
      return held && held.messages === leaderHeld.state.messages ? held : undefined
    }, 30_000, 250)
    t.true(rounds.messages >= REQUESTS)
  }
  t.log(`killed nats-${victim + 1} (observations leader: ${leader}; rounds bucket: ${roundsInfo.config.num_replicas} replica(s)); the other observations were acked ${publishedMs} ms later; all ${REQUESTS} requests committed ${committedMs} ms after the kill`)
})
