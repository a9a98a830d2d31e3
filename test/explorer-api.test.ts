/**
 * The explorer against a real devnet: anvil with the contracts, a secured JetStream nats-server, 4 oracle nodes
 * with the test models (one lying) and the aggregator. The explorer indexes the chain and reads NATS as the
 * network's read-only identity; its JSON API must show the request with its question, status and answer label,
 * and the lying node's row marked as an outlier.
 */
import test from 'ava'
import { parseEther } from 'ethers'
import { destination, pino } from 'pino'
import { readDeployment } from '@sibyl/protocol/deployment'
import { pollUntil } from '@sibyl/service-kit/time/poll-until'
import type { DemoNetwork } from '@sibyl/devnet/start-demo-network'
import { startE2eNetwork } from '@sibyl/devnet/start-e2e-network'
import { askThroughMarket, demoQuestion } from '@sibyl/devnet/ask-through-market'
import { increaseTime } from '@sibyl/devnet/local-network'
import { finalizeAfterWindow, fundedWallet, waitForCommit } from '@sibyl/devnet/demo-markets'
import { startExplorer, type StartedExplorer } from '@sibyl/explorer/start-explorer'
import type { Dispute, RequestDetail, RequestSummary } from '@sibyl/explorer/store/explorer-types'

/** Long enough to dispute in on a loaded machine; the first test jumps the chain clock over it. */
const DISPUTE_WINDOW_SEC = 600

let network: DemoNetwork
let explorer: StartedExplorer

test.before(async () => {
  network = await startE2eNetwork({ operators: 4, lyingNodes: 1, disputeWindowSec: DISPUTE_WINDOW_SEC })
  explorer = await startExplorer({
    rpcUrls: [network.net.anvil.rpcUrl],
    deployment: readDeployment(network.deploymentFile),
    nats: network.natsReader,
    port: 0,
    pollIntervalMs: 200,
    logger: pino({ level: process.env.EXPLORER_TEST_LOG ? 'debug' : 'silent' }, process.env.EXPLORER_TEST_LOG ? destination(process.env.EXPLORER_TEST_LOG) : undefined),
  })
})

test.after.always(async () => {
  await explorer?.close()
  await network?.stop()
})

async function getJson<T>(path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(new URL(path, explorer.url))
  return { status: res.status, body: (await res.json()) as T }
}

test.serial('the requests list and a request page show the question, its status, the answer label and the liar as an outlier', async (t) => {
  t.timeout(240_000)
  const question = demoQuestion(network, 'bridge-approved')
  const { requestId } = await askThroughMarket(network, question, [
    { label: 'alice', outcome: 0, amountWei: parseEther('2') },
    { label: 'bob', outcome: 1, amountWei: parseEther('1') },
  ])
  const id = requestId.toLowerCase()

  // Requested: the explorer lists it, open, with the spec's question and outcomes.
  const listed = await pollUntil('the request in /api/requests', async () => (await getJson<{ requests: RequestSummary[] }>('/api/requests')).body.requests.find((r) => r.requestId === id), { timeoutMs: 30_000 })
  t.is(listed.question, question.spec.question)
  t.deepEqual(listed.outcomes, [...question.outcomes])

  const commit = await waitForCommit(network.net, requestId, { timeoutMs: 120_000 })
  t.is(commit.answer, 0n)
  t.log('committed on-chain')
  const committed = await pollUntil('status committed', async () => {
    const { body } = await getJson<RequestDetail>(`/api/requests/${id}`)
    return body.status === 'committed' ? body : undefined
  }, { timeoutMs: 30_000 })
  t.is(committed.answer, 'YES')
  t.is(committed.commitTx, commit.txHash.toLowerCase())

  // Past the request's own window (the oracle's disputeEndsAt: longer than DISPUTE_WINDOW_SEC for a contested answer).
  const endsAt = Number(await network.net.contracts.oracle.disputeEndsAt(requestId))
  t.is(committed.disputeEndsAt, endsAt)
  await increaseTime(network.net.provider, endsAt - (await network.net.provider.getBlock('latest'))!.timestamp + 1)
  t.log('window jumped')
  const finalized = await finalizeAfterWindow(network.net, commit, DISPUTE_WINDOW_SEC)
  const final = await pollUntil('status final', async () => {
    const { body } = await getJson<{ requests: RequestSummary[] }>('/api/requests?status=final')
    return body.requests.find((r) => r.requestId === id)
  }, { timeoutMs: 30_000 })
  t.like(final, { status: 'final', answer: 'YES', answerIndex: 0 })
  t.log('final in the API')
  t.true(final.timeToCommitSec !== null && final.timeToCommitSec >= 0)

  // Every member of the epoch has a row; the liar is an outlier (its dissent is signed whether it reached the
  // aggregator before the report or after it, which depends on the machine's load), every honest node agreed.
  const liars = network.liars.map((l) => l.toLowerCase())
  const detail = await pollUntil('the liar marked in the node rows', async () => {
    const { body } = await getJson<RequestDetail>(`/api/requests/${id}`)
    const liarRow = body.nodes.find((n) => liars.includes(n.signer))
    return liarRow?.status === 'outlier' && body.nodes.filter((n) => n.status === 'agreed').length === 3 ? body : undefined
  }, { timeoutMs: 90_000 })
  t.is(detail.nodes.length, 4)
  for (const node of detail.nodes) {
    const lying = liars.includes(node.signer)
    t.is(node.answer, lying ? 'NO' : 'YES', node.signer)
    if (!lying) t.like(node, { status: 'agreed', answerValue: '0' })
    t.truthy(node.operator, 'operator known from Staking')
    t.regex(node.signature ?? '', /^0x[0-9a-f]{130}$/i)
    t.regex(node.modelHash ?? '', /^0x[0-9a-f]{64}$/i)
  }
  t.deepEqual(detail.timeline.map((e) => e.kind).filter((k) => k !== 'observation'), ['requested', 'quorum', 'committed', 'final'])
  // Chain time throughout: the nodes' observations (stamped by their wall clocks) fall between request and final,
  // though the devnet's chain clock runs ahead of the wall clock.
  t.is(detail.timeline[0]!.kind, 'requested')
  t.is(detail.timeline.at(-1)!.kind, 'final')
  t.is(detail.timeline.filter((e) => e.kind === 'observation').length, 4)
  t.is(detail.finalizeTx, finalized.txHash.toLowerCase())
  t.deepEqual(detail.sources.length, question.spec.sources.length)

  // Operators: 4, staked, with answers counted; model diversity counts the hashes seen.
  const { body: ops } = await getJson<{ operators: { operator: string; stake: string; answers: number; status: string }[]; modelDiversity: { distinctModelHashes: number } }>('/api/operators')
  t.is(ops.operators.length, 4)
  for (const op of ops.operators) {
    t.true(BigInt(op.stake) > 0n)
    t.is(op.status, 'active')
    t.is(op.answers, 1)
  }
  t.true(ops.modelDiversity.distinctModelHashes >= 1)

  const { body: health } = await getJson<{ ok: boolean; natsConnected: boolean; indexedBlock: number }>('/api/health')
  t.like(health, { ok: true, natsConnected: true })
  t.is((await fetch(new URL('/api/requests?limit=banana', explorer.url))).status, 400)
})

/** Reads /api/events until `predicate` matches an event's data, or the bound passes. */
function awaitEvent(type: string, predicate: (data: unknown) => boolean, timeoutMs: number): Promise<unknown> {
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), timeoutMs)
  return (async () => {
    const res = await fetch(new URL('/api/events', explorer.url), { signal: controller.signal })
    const decoder = new TextDecoder()
    let buffer = ''
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true })
      let end: number
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        const event = /^event: (.+)$/m.exec(block)?.[1]
        const data = /^data: (.+)$/m.exec(block)?.[1]
        if (event === type && data !== undefined && predicate(JSON.parse(data))) return JSON.parse(data) as unknown
      }
    }
    throw new Error('the event stream ended')
  })().finally(() => {
    clearTimeout(timer)
    controller.abort()
  })
}

test.serial('a dispute shows up live on the event stream and in /api/disputes, then its result', async (t) => {
  t.timeout(240_000)
  const { net } = network
  const { token, governance } = net.contracts
  const question = demoQuestion(network, 'hockey-winner')
  const { requestId } = await askThroughMarket(network, question, [{ label: 'carol', outcome: 0, amountWei: parseEther('1') }])
  const id = requestId.toLowerCase()
  const commit = await waitForCommit(net, requestId, { timeoutMs: 120_000 })
  t.is(commit.answer, BigInt(question.expectedOutcomeIndex))
  const wrong = BigInt((question.expectedOutcomeIndex + 1) % question.outcomes.length)

  // Someone disputes the (right) answer, claiming another outcome; the stream says so as it happens.
  const live = awaitEvent('dispute', (d) => (d as Dispute).requestId === id, 60_000)
  const bondWei = await governance.minBondWei()
  const disputer = await fundedWallet(net, 'explorer disputer', 0)
  await (await token.mint(disputer.address, bondWei)).wait()
  await (await token.connect(disputer).approve(governance.target, bondWei)).wait()
  await (await governance.connect(disputer).dispute(requestId, wrong, bondWei, commit.signers)).wait()
  const event = (await live) as Dispute
  t.is(event.disputer, disputer.address.toLowerCase())

  const open = await pollUntil('the open dispute', async () => {
    const { body } = await getJson<{ disputes: Dispute[] }>('/api/disputes')
    return body.disputes.find((d) => d.requestId === id && d.claimedAnswer !== null)
  }, { timeoutMs: 30_000 })
  t.like(open, { status: 'open', disputer: disputer.address.toLowerCase(), bond: bondWei.toString(), claimedAnswer: question.outcomes[Number(wrong)], committedAnswer: question.outcomes[question.expectedOutcomeIndex], votesFor: 0, votesAgainst: 0 })
  t.true(open.deadline > 0)
  t.is(open.question, question.spec.question)
  await pollUntil('status disputed', async () => (await getJson<RequestSummary>(`/api/requests/${id}`)).body.status === 'disputed', { timeoutMs: 10_000 })

  // The council keeps the committed answer: the dispute is upheld, the request final with its answer.
  await (await governance.vote(requestId, commit.answer)).wait()
  await (await governance.execute(requestId, commit.signers)).wait()
  const decided = await pollUntil('the executed dispute', async () => {
    const { body } = await getJson<{ disputes: Dispute[] }>('/api/disputes')
    return body.disputes.find((d) => d.requestId === id && d.status !== 'open')
  }, { timeoutMs: 30_000 })
  t.like(decided, { status: 'upheld', votesFor: 0, votesAgainst: 1 })
  const detail = (await getJson<RequestDetail>(`/api/requests/${id}`)).body
  t.like(detail, { answer: question.outcomes[question.expectedOutcomeIndex] })
  t.true(detail.timeline.some((e) => e.kind === 'disputed'))
  t.like(detail.dispute, { status: 'upheld' })
})
