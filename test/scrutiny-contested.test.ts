/**
 * Scrutiny when nodes disagree, end to end with every real part: anvil with the compiled contracts, a JetStream
 * nats-server, the demo's news site, 7 oracle nodes with the real models (two of them lying: they sign the
 * other outcome) and the real aggregator. The answer commits with the five honest signatures; the two liars'
 * signed dissent reaches the contract (in the report, or posted by the aggregator with contest when it came
 * late), so the request is contested on-chain: its dispute window is three times a unanimous answer's, the
 * outlier report goes to governance, and the answer still becomes final after the longer window.
 */
import test from 'ava'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseEther } from 'ethers'
import { jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { natsClientOptions } from '@sibyl/service-kit/nats/connect-nats'
import { outlierMessageSchema, type OutlierMessage } from '@sibyl/protocol/messages'
import { governanceReportSubject, streams } from '@sibyl/protocol/subjects'
import { findEvent, requestResolution, signAndCommit } from '@sibyl/contracts/requests'
import { pollUntil } from '@sibyl/service-kit/time/poll-until'
import { latestTimestamp } from '@sibyl/devnet/local-network'
import type { DemoNetwork } from '@sibyl/devnet/start-demo-network'
import { startE2eNetwork } from '@sibyl/devnet/start-e2e-network'
import { askThroughMarket, demoQuestion } from '@sibyl/devnet/ask-through-market'
import { chainClockLeadSec, finalizeAfterWindow, waitForCommit } from '@sibyl/devnet/demo-markets'
import { revertsWith } from './helpers/reverts.ts'

const DISPUTE_WINDOW_SEC = 10

let network: DemoNetwork

test.before(async () => {
  network = await startE2eNetwork({ operators: 7, lyingNodes: 2, disputeWindowSec: DISPUTE_WINDOW_SEC })
})

test.after.always(async () => {
  await network?.stop()
})

const sorted = (addresses: readonly string[]) => [...addresses].map((a) => a.toLowerCase()).sort()

/** A unanimous, confident answer on the same oracle: all seven operators sign it (at 9,000 bps). */
async function unanimousRequest(): Promise<string> {
  const { net } = network
  const { token, oracle } = net.contracts
  await (await token.mint(net.deployer.address, parseEther('1'))).wait()
  const now = await latestTimestamp(net.provider)
  const { requestId } = await requestResolution(token, oracle, net.deployer, {
    spec: '{"question":"a unanimous control question"}',
    outcomes: ['YES', 'NO'],
    resolveAfter: now,
    feeWei: 10n ** 17n,
  })
  await signAndCommit(oracle, network.nodes.map((n) => n.operator), { requestId, round: 0, answer: 0n })
  return requestId
}

test('n = 7, two liars: the answer commits, is contested on-chain with a longer window, goes to governance, and becomes final', async (t) => {
  t.timeout(300_000)
  const { net } = network
  const oracle = net.contracts.oracle
  const question = demoQuestion(network, 'bridge-approved')
  // askThroughMarket closes the market 60 s after the latest block: mine one now, since starting seven nodes
  // can take longer than that after the last block and the market would be closed before anyone buys.
  await net.provider.send('evm_mine', [])
  const { requestId } = await askThroughMarket(network, question, [{ label: 'alice', outcome: 0, amountWei: parseEther('1') }])
  const control = await unanimousRequest()

  // The five honest nodes commit the right answer; the liars are not among the signers.
  const commit = await waitForCommit(net, requestId, { timeoutMs: 180_000 })
  t.is(commit.answer, 0n)
  const honest = network.nodes.filter((n) => !n.lying).map((n) => n.operator.signer.address)
  t.deepEqual(sorted(commit.signers), sorted(honest))

  // The contract learned the two liars' signed dissent (in the report, or from the aggregator's contest).
  const scrutiny = await pollUntil('the request contested', async () => {
    const s = await oracle.getScrutiny(requestId)
    return s.contested ? s : undefined
  }, { timeoutMs: 60_000, everyMs: 250 })
  t.is(scrutiny.dissentCount, 2n, 'two dissenting members')
  const contestedEvents = await oracle.queryFilter(oracle.filters.ResolutionContested(requestId), net.deployment.deployedAtBlock)
  t.is(contestedEvents.length, 1, 'contested once')

  // Its window is three times a unanimous answer's on the same oracle.
  const committedAt = (await oracle.getRequest(requestId)).committedAt
  const contestedWindowSec = (await oracle.disputeEndsAt(requestId)) - committedAt
  const [controlContested, , controlMedian] = await oracle.getScrutiny(control)
  t.false(controlContested, 'the unanimous answer is not contested')
  t.true(controlMedian >= (await oracle.contestConfidenceBps()), 'confident')
  const unanimousWindowSec = (await oracle.disputeEndsAt(control)) - (await oracle.getRequest(control)).committedAt
  t.is(unanimousWindowSec, BigInt(DISPUTE_WINDOW_SEC))
  t.is(contestedWindowSec, 3n * BigInt(DISPUTE_WINDOW_SEC))
  t.true(contestedWindowSec > unanimousWindowSec)

  // The outlier report went to governance: the liars with their signatures, the chain's scrutiny, the spread.
  const nc = await connect({ ...natsClientOptions(network.natsReader), name: 'scrutiny-governance-reader' })
  let governance: OutlierMessage | undefined
  try {
    const jsm = await jetstreamManager(nc)
    const subject = governanceReportSubject({ chainId: BigInt(net.deployment.chainId), contract: await oracle.getAddress(), requestId })
    governance = await pollUntil('the governance report', async () => {
      const m = await jsm.streams.getMessage(streams.outliers.name, { last_by_subj: subject }).catch(() => null)
      const parsed = m ? outlierMessageSchema.safeParse(m.json()) : undefined
      return parsed?.success && parsed.data.scrutiny?.contested ? parsed.data : undefined
    }, { timeoutMs: 60_000, everyMs: 500 })
  } finally {
    await nc.close()
  }
  t.like(governance, { outcome: 'committed', committedAnswer: '0', scrutiny: { contested: true, dissentCount: 2 } })
  t.deepEqual(sorted(governance!.outliers.map((o) => o.signer)), sorted(network.liars))
  t.true(governance!.confidence !== undefined && governance!.confidence.minBps <= governance!.confidence.medianBps && governance!.confidence.medianBps <= governance!.confidence.maxBps)

  // Past the unanimous window it is still open; after its own window it becomes final like any answer.
  const leadSec = await chainClockLeadSec(net.provider)
  await sleep(Math.max(0, (Number(committedAt) + DISPUTE_WINDOW_SEC + 1 - leadSec) * 1000 - Date.now()))
  await revertsWith(t, oracle.finalize(requestId, commit.signers), 'DisputeWindowOpen')
  const { receipt } = await finalizeAfterWindow(net, commit, DISPUTE_WINDOW_SEC, { timeoutMs: 60_000 })
  t.is(findEvent(oracle, receipt, 'ResolutionFinalized').args.answer, 0n)
  t.deepEqual([...(await oracle.getResolution(requestId))], [true, 0n])
})
