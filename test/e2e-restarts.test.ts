/**
 * End to end through failures: with a request half-observed (2 of the 3 observations a quorum needs are in the
 * aggregator's round record), nats-server is stopped and started again, then the aggregator is stopped, the
 * other two nodes (one honest, one lying) publish while no aggregator runs, and the aggregator is started again.
 * The round completes from what JetStream and the KV round store kept: one commit, the right answer, the liar
 * reported, finality and payout.
 */
import { natsClientOptions } from '@sibyl/service-kit/nats/connect-nats'
import test from 'ava'
import { jetstreamManager } from '@nats-io/jetstream'
import { connect, type NatsConnection } from '@nats-io/transport-node'
import { parseEther } from 'ethers'
import { outlierSubject, streams } from '@sibyl/protocol/subjects'
import { outlierMessageSchema } from '@sibyl/protocol/messages'
import { roundKey } from '@sibyl/aggregator/rounds/round-record'
import type { DemoNetwork } from '@sibyl/devnet/start-demo-network'
import { finalizeAfterWindow, marketResolution, readCommits, readRequest, redeem, waitForCommit } from '@sibyl/devnet/demo-markets'
import { pollUntil } from '@sibyl/service-kit/time/poll-until'
import { REQUEST_STATUS } from '@sibyl/protocol/request-status'
import { askThroughMarket, demoQuestion } from '@sibyl/devnet/ask-through-market'
import { startE2eNetwork } from '@sibyl/devnet/start-e2e-network'
import { readRound } from './helpers/aggregator-fixture.ts'

const DISPUTE_WINDOW_SEC = 5

let network: DemoNetwork
let nc: NatsConnection

test.before(async () => {
  network = await startE2eNetwork({
    operators: 4,
    lyingNodes: 1,
    disputeWindowSec: DISPUTE_WINDOW_SEC,
    // No round may close for lack of a quorum while the test holds nodes back.
    aggregatorOverrides: { rounds: { deadlineMs: 120_000, commitLeaseMs: 5000, sweepIntervalMs: 200 } },
  })
  nc = await connect({ ...natsClientOptions(network.natsAdmin), maxReconnectAttempts: -1, reconnectTimeWait: 200 })
})

test.after.always(async () => {
  await nc?.close()
  await network?.stop()
})

const sorted = (addresses: readonly string[]) => [...addresses].map((a) => a.toLowerCase()).sort()

test('NATS and the aggregator restarted mid-round: the round completes with one commit', async (t) => {
  t.timeout(170_000)
  const { net } = network
  const chainId = net.deployment.chainId
  const [node1, node2, node3, node4] = network.nodes
  t.false(node3!.lying)
  t.true(node4!.lying)
  // Nodes 3 and 4 are held back: only two observations can arrive, one short of the quorum of 3.
  await node3!.stop()
  await node4!.stop()

  const question = demoQuestion(network, 'football-result')
  t.is(question.outcomes[question.expectedOutcomeIndex], 'Draw')
  const { market, requestId, wallets } = await askThroughMarket(network, question, [
    { label: 'draw backer', outcome: 2, amountWei: parseEther('1') },
    { label: 'rovers backer', outcome: 0, amountWei: parseEther('2') },
  ])
  const key = roundKey({ kind: 'resolution', contract: net.deployment.contracts.resolutionOracle, requestId, round: 0 })
  const recorded = await pollUntil('two observations in the round record', async () => {
    const record = await readRound(nc, chainId, key)
    return record && record.observations.length === 2 ? record : undefined
  }, { timeoutMs: 90_000 })
  t.deepEqual(sorted(recorded.observations.map((o) => o.signer)), sorted([node1!, node2!].map((n) => n.operator.signer.address)))
  t.is(recorded.state, 'open')

  // 1. nats-server goes down and comes back on the same store; every client reconnects by itself.
  await network.restartNats()
  // 2. The aggregator goes down; nodes 3 (honest) and 4 (lying) observe and publish while none runs.
  await network.stopAggregator()
  await node3!.restart()
  await node4!.restart()
  const jsm = await pollUntil('JetStream after the restart', () => jetstreamManager(nc), { timeoutMs: 30_000 })
  await pollUntil('all four observations in the stream', async () => (await jsm.streams.info(streams.observations.name)).state.messages === 4, { timeoutMs: 90_000 })
  t.is((await readRequest(net, requestId)).status, REQUEST_STATUS.Open, 'nothing is committed while no aggregator runs')
  t.is((await readRound(nc, chainId, key))?.observations.length, 2, 'the round record kept what it had')

  // 3. The aggregator comes back and finishes the round from the stream and the round record.
  await network.startAggregator()
  const commit = await waitForCommit(net, requestId, { timeoutMs: 60_000 })
  t.is(commit.answer, 2n, 'Draw')
  t.deepEqual(sorted(commit.signers), sorted([node1!, node2!, node3!].map((n) => n.operator.signer.address)))
  const done = await pollUntil('the round record with every node, reported', async () => {
    const record = await readRound(nc, chainId, key)
    return record && record.observations.length === 4 && record.reported ? record : undefined
  }, { timeoutMs: 60_000 })
  t.is(done.state, 'committed')
  t.is(done.observations.find((o) => o.signer === node4!.operator.signer.address)?.answer, '0', 'the liar said Saltmarsh Rovers')
  const report = await pollUntil('the outlier report', async () => {
    const subject = outlierSubject({ chainId: BigInt(chainId), contract: net.deployment.contracts.resolutionOracle, requestId })
    const m = await jsm.streams.getMessage(streams.outliers.name, { last_by_subj: subject })
    return m ? outlierMessageSchema.parse(m.json()) : undefined
  })
  t.deepEqual(report.outliers.map((o) => [o.signer, o.answer]), [[node4!.operator.signer.address, '0']])
  t.is(report.committedAnswer, '2')

  // Finality and payout as usual, and one commit in all.
  await finalizeAfterWindow(net, commit, DISPUTE_WINDOW_SEC)
  t.deepEqual(await marketResolution(market), { resolved: true, answer: 2n })
  t.is(await redeem(net, market, wallets.get('draw backer')!), parseEther('3'))
  t.is((await readCommits(net, requestId)).length, 1)
})
