/**
 * The aggregator against real parts: anvil with the compiled contracts and 4 staked operators, a JetStream
 * nats-server, observations signed by the operators' keys and published as nodes publish them. Each test
 * gets its own nats-server (so its stream holds only its messages) and its own requests.
 */
import { REQUEST_STATUS } from '@sibyl/protocol/request-status'
import test, { type ExecutionContext } from 'ava'
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream'
import { connect, type NatsConnection } from '@nats-io/transport-node'
import { Wallet, keccak256, toUtf8Bytes } from 'ethers'
import { outlierMessageSchema, type OutlierMessage } from '@sibyl/protocol/messages'
import { streams, outlierSubject } from '@sibyl/protocol/subjects'
import { latestTimestamp, startLocalNetwork, type LocalNetwork } from '@sibyl/devnet/local-network'
import { FeedAggregator__factory } from '@sibyl/contracts/typechain'
import { ensureStreams } from '@sibyl/service-kit/nats/ensure-streams'
import { publishObservation } from '@sibyl/oracle-node/transport/publish-observation'
import { startAggregator, type StartedAggregator } from '@sibyl/aggregator/start-aggregator'
import { roundKey } from '@sibyl/aggregator/rounds/round-record'
import type { AggregatorConfigInput } from '@sibyl/aggregator/config/aggregator-config'
import { startNatsServer, type NatsServer } from './helpers/nats-server.ts'
import {
  aggregatorConfig,
  aggregatorKey,
  commitsOf,
  openRequest,
  publishAnswers,
  readRound,
  signedMessage,
  silentLogger,
  waitFor,
} from './helpers/aggregator-fixture.ts'
import { temporaryDir } from '@sibyl/service-kit/fs/temporary-dir'

const FEED = { description: 'ACME / EUR', decimals: 2, minAnswer: '1', maxAnswer: '100000000' }
let net: LocalNetwork
let dir: string
let deploymentFile: string
const cleanups: (() => Promise<unknown>)[] = []

test.before(async () => {
  net = await startLocalNetwork({ operators: 4, config: { feeds: [FEED] } })
  dir = temporaryDir('sibyl-agg-')
  deploymentFile = join(dir, 'deployment.json')
  writeFileSync(deploymentFile, JSON.stringify(net.deployment))
})

test.after.always(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined)
  await net?.stop()
})

/** One test's NATS: the server (replaced when a test restarts it), a client, and what to stop first. */
type Harness = { nats: NatsServer; nc: NatsConnection; js: JetStreamClient; aggregators: StartedAggregator[] }

async function harness(t: ExecutionContext): Promise<Harness> {
  const nats = await startNatsServer()
  const nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 200 })
  await ensureStreams(nc)
  const h: Harness = { nats, nc, js: jetstream(nc), aggregators: [] }
  // Aggregators stop while their server still runs; then the client and the server.
  t.teardown(async () => {
    await Promise.all(h.aggregators.map((a) => a.stop()))
    await h.nc.close()
    await h.nats.stop()
  })
  return h
}

async function startAgg(h: Harness, index = 0, overrides: Partial<AggregatorConfigInput> = {}): Promise<StartedAggregator> {
  const key = await aggregatorKey(net, index)
  const started = await startAggregator({
    config: aggregatorConfig(net, h.nats.url, deploymentFile, { name: `agg-${index}`, ...overrides }),
    env: { AGGREGATOR_KEY: key },
    logger: silentLogger,
  })
  h.aggregators.push(started)
  return started
}

async function requestStatus(requestId: string): Promise<{ status: bigint; answer: bigint }> {
  const r = await net.contracts.oracle.getRequest(requestId)
  return { status: BigInt(r.status), answer: BigInt(r.answer) }
}

async function outlierReport(h: Harness, contract: string, requestId: string): Promise<OutlierMessage> {
  const jsm = await jetstreamManager(h.nc)
  const subject = outlierSubject({ chainId: BigInt(net.deployment.chainId), contract, requestId })
  return waitFor('outlier report', async () => {
    const m = await jsm.streams.getMessage(streams.outliers.name, { last_by_subj: subject }).catch(() => undefined)
    return m ? outlierMessageSchema.parse(m.json()) : undefined
  })
}

async function rejected(agg: StartedAggregator, reason: string): Promise<number> {
  const metric = await agg.metrics.observationsRejected.get()
  return metric.values.find((v) => v.labels.reason === reason)?.value ?? 0
}

const COMMITTED = REQUEST_STATUS.Committed

test.serial('4 honest nodes: the answer is committed once, with every signature', async (t) => {
  const h = await harness(t)
  const agg = await startAgg(h)
  const requestId = await openRequest(net)
  await publishAnswers(h.js, net, requestId, [1n, 1n, 1n, 1n])
  const state = await waitFor('commit', async () => ((await requestStatus(requestId)).status === COMMITTED ? requestStatus(requestId) : undefined))
  t.is(state.answer, 1n)
  t.is(await commitsOf(net, requestId), 1)
  const record = await waitFor('round record committed', async () => {
    const r = await readRound(h.nc, net.deployment.chainId, roundKey({ kind: 'resolution', contract: net.deployment.contracts.resolutionOracle, requestId, round: 0 }))
    return r?.state === 'committed' ? r : undefined
  })
  t.is(record.commit?.byOther, false)
  t.true((record.commit?.signers.length ?? 0) >= 3)
  const commits = await agg.metrics.commits.get()
  t.is(commits.values.find((v) => v.labels.result === 'ok')?.value, 1)
})

test.serial('1 of 4 lying: the quorum answer is committed and the liar is reported as an outlier', async (t) => {
  const h = await harness(t)
  await startAgg(h)
  const requestId = await openRequest(net)
  // The liar answers first, so the aggregator must not be swayed by arrival order.
  await publishAnswers(h.js, net, requestId, [0n], 3)
  await publishAnswers(h.js, net, requestId, [1n, 1n, 1n])
  await waitFor('commit', async () => (await requestStatus(requestId)).status === COMMITTED)
  t.is((await requestStatus(requestId)).answer, 1n)
  const report = await outlierReport(h, net.deployment.contracts.resolutionOracle, requestId)
  t.is(report.outcome, 'committed')
  t.is(report.committedAnswer, '1')
  t.deepEqual(
    report.outliers.map((o) => o.signer),
    [net.operators[3]!.signer.address],
  )
  t.is(report.outliers[0]!.answer, '0')
  t.deepEqual(report.nonResponders, [])
  t.is(await commitsOf(net, requestId), 1)
})

test.serial('numeric feed round: one wild value is rejected and the median of the rest lands', async (t) => {
  const h = await harness(t)
  await startAgg(h)
  const feedInfo = net.deployment.contracts.feeds[0]!
  const feed = FeedAggregator__factory.connect(feedInfo.address, net.provider)
  const round = Number(await feed.latestRoundId()) + 1
  const values = [11901n, 11903n, 1190100n, 11899n]
  // Feed values sign the chain time they were taken; transmit refuses stale ones.
  const observedAt = await latestTimestamp(net.provider)
  for (let i = 0; i < 4; i++) {
    const message = await signedMessage({
      signer: net.operators[i]!.signer,
      chainId: BigInt(net.deployment.chainId),
      contract: feedInfo.address,
      requestId: feedInfo.feedId,
      round,
      answer: values[i]!,
      kind: 'feed',
      observedAt,
    })
    t.true((await publishObservation(h.js, message)).ok)
  }
  await waitFor('transmit', async () => Number(await feed.latestRoundId()) === round)
  const [, answer] = await feed.latestRoundData()
  t.is(answer, 11901n, 'upper median of the three honest values')
  const report = await outlierReport(h, feedInfo.address, feedInfo.feedId)
  t.deepEqual(
    report.outliers.map((o) => [o.signer, o.answer]),
    [[net.operators[2]!.signer.address, '1190100']],
  )
})

test.serial('forged, unregistered, other-chain, other-contract, stale, malformed and duplicate observations are rejected and counted', async (t) => {
  const h = await harness(t)
  const agg = await startAgg(h)
  const requestId = await openRequest(net)
  const chainId = BigInt(net.deployment.chainId)
  const oracle = net.deployment.contracts.resolutionOracle
  const honest = (i: number, answer = 1n) => signedMessage({ signer: net.operators[i]!.signer, chainId, contract: oracle, requestId, round: 0, answer })
  const subject = `sibyl.v1.obs.${chainId}.${oracle.toLowerCase()}.${requestId}`
  const raw = async (body: unknown, id: string) => h.js.publish(subject, new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body)), { msgID: id })

  // Forged: signed by a stranger, claiming to be operator 0.
  const stranger = new Wallet(Wallet.createRandom().privateKey)
  const forged = { ...(await signedMessage({ signer: stranger, chainId, contract: oracle, requestId, round: 0, answer: 0n })), signer: net.operators[0]!.signer.address }
  await raw(forged, 'forged')
  // Forged by tampering: operator 1's signature over 1, with the answer changed to 0.
  const tampered = await honest(1)
  await raw({ ...tampered, observation: { ...tampered.observation, answer: '0' } }, 'tampered')
  // Unregistered: a valid signature from a key that never staked.
  await raw(await signedMessage({ signer: stranger, chainId, contract: oracle, requestId, round: 0, answer: 1n }), 'unregistered')
  // Replay from another chain: operator 2 really signed it, for chain 999.
  await raw(await signedMessage({ signer: net.operators[2]!.signer, chainId: 999n, contract: oracle, requestId, round: 0, answer: 0n }), 'other-chain')
  // Another contract on this chain.
  await raw(await signedMessage({ signer: net.operators[2]!.signer, chainId, contract: net.deployment.contracts.staking, requestId, round: 0, answer: 0n }), 'other-contract')
  // Stale: a round the request is not at.
  await raw(await signedMessage({ signer: net.operators[2]!.signer, chainId, contract: oracle, requestId, round: 5, answer: 0n }), 'stale')
  // Malformed: not JSON, and JSON of the wrong shape.
  await raw('{"version":1,', 'not-json')
  await raw({ version: 1, kind: 'resolution' }, 'wrong-shape')
  // Malformed: an address whose mixed case breaks its EIP-55 checksum.
  const good = await honest(3)
  const flipAt = [...good.signer].findIndex((c, i) => i > 1 && /[a-fA-F]/.test(c))
  const badCase = good.signer.slice(0, flipAt) + (good.signer[flipAt] === good.signer[flipAt]!.toUpperCase() ? good.signer[flipAt]!.toLowerCase() : good.signer[flipAt]!.toUpperCase()) + good.signer.slice(flipAt + 1)
  await raw({ ...good, signer: badCase }, 'bad-checksum')
  // Duplicate: operator 0's honest observation twice under two message ids (JetStream's dedupe bypassed).
  const first = await honest(0)
  await raw(first, 'dup-a')
  await raw(first, 'dup-b')

  await waitFor('all rejections counted', async () => (await rejected(agg, 'duplicate')) >= 1 && (await rejected(agg, 'malformed')) >= 3 && (await rejected(agg, 'stale-round')) >= 1)
  t.is(await rejected(agg, 'forged'), 2)
  t.is(await rejected(agg, 'unknown-signer'), 1)
  t.is(await rejected(agg, 'wrong-domain'), 2)
  t.is(await rejected(agg, 'stale-round'), 1)
  t.is(await rejected(agg, 'malformed'), 3)
  t.is(await rejected(agg, 'duplicate'), 1)
  // None of it counted towards a quorum: one real observation is recorded and nothing is committed.
  const record = await readRound(h.nc, net.deployment.chainId, roundKey({ kind: 'resolution', contract: oracle, requestId, round: 0 }))
  t.deepEqual(record?.observations.map((o) => o.signer), [net.operators[0]!.signer.address])
  t.is((await requestStatus(requestId)).status, 1n)
  // The honest ones still complete the round.
  await publishAnswers(h.js, net, requestId, [1n, 1n], 1)
  await waitFor('commit', async () => (await requestStatus(requestId)).status === COMMITTED)
  t.is(await commitsOf(net, requestId), 1)
})

test.serial('two aggregators on one stream: exactly one commit per request', async (t) => {
  const h = await harness(t)
  const [a, b] = await Promise.all([startAgg(h, 1), startAgg(h, 2)])
  const requests: string[] = []
  for (let i = 0; i < 6; i++) requests.push(await openRequest(net))
  await Promise.all(requests.map((id) => publishAnswers(h.js, net, id, [1n, 1n, 1n, 1n])))
  for (const id of requests) await waitFor('commit', async () => (await requestStatus(id)).status === COMMITTED)
  // Let both finish whatever they had in flight before counting.
  await new Promise((r) => setTimeout(r, 1000))
  for (const id of requests) t.is(await commitsOf(net, id), 1, id)
  const ok = async (agg: StartedAggregator) => (await agg.metrics.commits.get()).values.find((v) => v.labels.result === 'ok')?.value ?? 0
  t.is((await ok(a)) + (await ok(b)), requests.length, 'no aggregator sent a commit that was not needed')
  const handled = async (agg: StartedAggregator) => (await agg.metrics.observationsIn.get()).values.reduce((s, v) => s + v.value, 0)
  t.true((await handled(a)) > 0 && (await handled(b)) > 0, 'the work was shared')
})

test.serial('NATS restarted mid-round: nothing lost, one commit', async (t) => {
  const h = await harness(t)
  await startAgg(h)
  const requestId = await openRequest(net)
  await publishAnswers(h.js, net, requestId, [1n, 1n])
  const key = roundKey({ kind: 'resolution', contract: net.deployment.contracts.resolutionOracle, requestId, round: 0 })
  await waitFor('two observations recorded', async () => (await readRound(h.nc, net.deployment.chainId, key))?.observations.length === 2)
  h.nats = await h.nats.restart()
  await waitFor('publish after restart', async () => {
    await publishAnswers(h.js, net, requestId, [1n, 1n], 2)
    return true
  })
  await waitFor('commit', async () => (await requestStatus(requestId)).status === COMMITTED, 45_000)
  t.is((await requestStatus(requestId)).answer, 1n)
  t.is(await commitsOf(net, requestId), 1)
})

test.serial('the aggregator killed mid-round and restarted: the round completes, one commit', async (t) => {
  const h = await harness(t)
  const key = await aggregatorKey(net, 3)
  const configFile = join(dir, 'aggregator.json')
  writeFileSync(
    configFile,
    JSON.stringify({
      name: 'agg-killed',
      chain: { rpcUrls: [net.anvil.rpcUrl], deploymentFile, pollIntervalMs: 100 },
      nats: { servers: [h.nats.url], ackWaitMs: 2000 },
      key: { source: 'env', env: 'AGGREGATOR_KEY' },
      rounds: { deadlineMs: 30_000, commitLeaseMs: 3000, sweepIntervalMs: 100 },
      log: { level: 'silent' },
    }),
  )
  const spawnAggregator = () =>
    spawn(process.execPath, ['cli/bin/sibyl.js', 'aggregator', '--config', configFile], { env: { ...process.env, AGGREGATOR_KEY: key }, stdio: 'ignore' })
  let child = spawnAggregator()
  cleanups.push(async () => child.kill('SIGKILL'))
  const requestId = await openRequest(net)
  await publishAnswers(h.js, net, requestId, [1n, 1n])
  const roundId = roundKey({ kind: 'resolution', contract: net.deployment.contracts.resolutionOracle, requestId, round: 0 })
  await waitFor('two observations recorded', async () => (await readRound(h.nc, net.deployment.chainId, roundId))?.observations.length === 2, 60_000)
  child.kill('SIGKILL')
  await new Promise((r) => child.once('exit', r))
  // The rest arrive while no aggregator runs.
  await publishAnswers(h.js, net, requestId, [1n, 1n], 2)
  t.is((await requestStatus(requestId)).status, 1n, 'nothing committed while the aggregator was down')
  child = spawnAggregator()
  await waitFor('commit after restart', async () => (await requestStatus(requestId)).status === COMMITTED, 60_000)
  t.is(await commitsOf(net, requestId), 1)
  // Nothing is lost: all four observations end up in the committed record. The fourth may be taken after the
  // commit of the first three (a quorum) and is then kept as late, so the record is awaited until it holds four.
  const record = await waitFor('round record committed with all four observations', async () => {
    const r = await readRound(h.nc, net.deployment.chainId, roundId)
    return r?.state === 'committed' && r.observations.length >= 4 ? r : undefined
  })
  t.is(record.observations.length, 4)
  t.is(new Set(record.observations.map((o) => o.signer)).size, 4, 'four distinct signers')
  child.kill('SIGTERM')
  await new Promise((r) => child.once('exit', r))
})

test.serial('an observation signed for a request that does not exist is refused as unknown', async (t) => {
  const h = await harness(t)
  const agg = await startAgg(h)
  const message = await signedMessage({
    signer: net.operators[0]!.signer,
    chainId: BigInt(net.deployment.chainId),
    contract: net.deployment.contracts.resolutionOracle,
    requestId: keccak256(toUtf8Bytes('no such request')),
    round: 0,
    answer: 1n,
  })
  await publishObservation(h.js, message)
  await waitFor('rejection', async () => (await rejected(agg, 'unknown-request')) > 0)
  t.is(await rejected(agg, 'unknown-request'), 1)
  t.is((await agg.metrics.observationsAccepted.get()).values.reduce((sum, v) => sum + v.value, 0), 0, 'nothing was recorded')
})

test.serial('a round that cannot reach quorum is closed at its deadline and reported, not forced', async (t) => {
  const h = await harness(t)
  const agg = await startAgg(h, 0, { rounds: { deadlineMs: 1500, commitLeaseMs: 5000, sweepIntervalMs: 100 } })
  const requestId = await openRequest(net)
  // 2 say yes, 1 says no, 1 is silent: no answer has the 3 signatures a quorum of 4 needs.
  await publishAnswers(h.js, net, requestId, [1n, 1n, 0n])
  const report = await outlierReport(h, net.deployment.contracts.resolutionOracle, requestId)
  t.is(report.outcome, 'no-quorum')
  t.is(report.committedAnswer, undefined)
  t.deepEqual(report.nonResponders, [net.operators[3]!.signer.address])
  t.is((await requestStatus(requestId)).status, 1n, 'still open on-chain: nothing was forced')
  t.is(await commitsOf(net, requestId), 0)
  const closed = await agg.metrics.roundsClosed.get()
  t.is(closed.values.find((v) => v.labels.outcome === 'no-quorum')?.value, 1)
  // The silent node answers late: the round now has its quorum and is committed after all.
  await publishAnswers(h.js, net, requestId, [1n], 3)
  await waitFor('late commit', async () => (await requestStatus(requestId)).status === COMMITTED)
  t.is((await requestStatus(requestId)).answer, 1n)
  t.is(await commitsOf(net, requestId), 1)
  // ...and reported again, now with the dissenter as an outlier.
  const committed = await waitFor('committed report', async () => {
    const r = await outlierReport(h, net.deployment.contracts.resolutionOracle, requestId)
    return r.outcome === 'committed' ? r : undefined
  })
  t.deepEqual(
    committed.outliers.map((o) => o.signer),
    [net.operators[2]!.signer.address],
  )
})

/** The last outlier report on the request's subject once it satisfies `ready`. */
async function reportWhen(h: Harness, requestId: string, what: string, ready: (r: OutlierMessage) => boolean): Promise<OutlierMessage> {
  return waitFor(what, async () => {
    const r = await outlierReport(h, net.deployment.contracts.resolutionOracle, requestId)
    return ready(r) ? r : undefined
  })
}

test.serial('a dissent delivered after the commit is reported as a late outlier, and its signer is no non-responder', async (t) => {
  const h = await harness(t)
  await startAgg(h, 0, { rounds: { deadlineMs: 1000, commitLeaseMs: 5000, sweepIntervalMs: 100 } })
  const requestId = await openRequest(net)
  const liar = net.operators[3]!.signer.address
  await publishAnswers(h.js, net, requestId, [1n, 1n, 1n])
  await waitFor('commit', async () => (await requestStatus(requestId)).status === COMMITTED)
  // The report goes out at the deadline: the fourth operator had sent nothing by then.
  const first = await reportWhen(h, requestId, 'first report', (r) => r.outcome === 'committed')
  t.deepEqual(first.nonResponders, [liar])
  t.deepEqual(first.outliers, [])

  // Its dissent arrives only now, long after the quorum committed.
  await publishAnswers(h.js, net, requestId, [0n], 3)
  const revised = await reportWhen(h, requestId, 'revised report', (r) => r.outliers.length > 0)
  t.deepEqual(
    revised.outliers.map((o) => [o.signer, o.answer, o.late]),
    [[liar, '0', true]],
  )
  t.regex(revised.outliers[0]!.reason, /after the commit/)
  t.deepEqual(revised.nonResponders, [], 'it responded, late')
  t.is(revised.committedAnswer, '1')
  const record = await readRound(h.nc, net.deployment.chainId, roundKey({ kind: 'resolution', contract: net.deployment.contracts.resolutionOracle, requestId, round: 0 }))
  t.true(record?.observations.find((o) => o.signer === liar)?.late)
  t.is(await commitsOf(net, requestId), 1, 'late evidence makes no second commit')
  t.is((await requestStatus(requestId)).answer, 1n)
})

test.serial('an agreement delivered after the commit takes its signer off the non-responders, without an outlier', async (t) => {
  const h = await harness(t)
  await startAgg(h, 0, { rounds: { deadlineMs: 1000, commitLeaseMs: 5000, sweepIntervalMs: 100 } })
  const requestId = await openRequest(net)
  await publishAnswers(h.js, net, requestId, [1n, 1n, 1n])
  const first = await reportWhen(h, requestId, 'first report', (r) => r.outcome === 'committed')
  t.deepEqual(first.nonResponders, [net.operators[3]!.signer.address])
  await publishAnswers(h.js, net, requestId, [1n], 3)
  // The revision has nothing to list, and is published anyway: it supersedes the first.
  const revised = await reportWhen(h, requestId, 'revised report', (r) => r.nonResponders.length === 0)
  t.deepEqual(revised.outliers, [])
  t.is(revised.outcome, 'committed')
})
