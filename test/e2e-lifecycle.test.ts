/**
 * End to end, with every real part: anvil with the compiled contracts, a JetStream nats-server, the demo's
 * news site, 4 oracle nodes with the real models (one of them lying) and the aggregator. A market's question
 * goes from request to observations, one commit, the dispute window, finalize, and the winners' payouts.
 */
import test from 'ava'
import { parseEther } from 'ethers'
import { recoverObservationSigner, type ObservationDomain } from '@sibyl/protocol/eip712'
import { fromObservationMessage } from '@sibyl/protocol/messages'
import { findEvent } from '@sibyl/contracts/requests'
import { pollUntil } from '@sibyl/service-kit/time/poll-until'
import type { DemoNetwork } from '@sibyl/devnet/start-demo-network'
import { startE2eNetwork } from '@sibyl/devnet/start-e2e-network'
import { askThroughMarket, demoQuestion, FEE_WEI } from '@sibyl/devnet/ask-through-market'
import { finalizeAfterWindow, marketResolution, readCommits, redeem, waitForCommit } from '@sibyl/devnet/demo-markets'
import { watchNetwork, type NetworkWatcher } from '@sibyl/devnet/watch-network'
import { waitForOutliers } from '@sibyl/devnet/wait-for-outliers'
import { revertsWith } from './helpers/reverts.ts'

const DISPUTE_WINDOW_SEC = 15

let network: DemoNetwork
let watcher: NetworkWatcher

test.before(async () => {
  network = await startE2eNetwork({ operators: 4, lyingNodes: 1, disputeWindowSec: DISPUTE_WINDOW_SEC })
  watcher = await watchNetwork({ natsUrl: network.natsUrl, connection: network.natsReader, chainId: BigInt(network.net.deployment.chainId) })
})

test.after.always(async () => {
  await watcher?.close()
  await network?.stop()
})

const sorted = (addresses: readonly string[]) => [...addresses].map((a) => a.toLowerCase()).sort()

test('a yes/no news question: 4 nodes, one lying; one commit, final after the dispute window, winners paid', async (t) => {
  t.timeout(150_000)
  const { net } = network
  const oracle = net.contracts.oracle
  const question = demoQuestion(network, 'bridge-approved')
  t.is(question.expectedOutcomeIndex, 0, 'YES: the council approved the bridge')
  // 5 ETH in the pool, 4 of them on YES: YES backers share 5 ETH in proportion to their 3 and 1.
  const { market, requestId, wallets } = await askThroughMarket(network, question, [
    { label: 'alice', outcome: 0, amountWei: parseEther('3') },
    { label: 'carol', outcome: 0, amountWei: parseEther('1') },
    { label: 'bob', outcome: 1, amountWei: parseEther('1') },
  ])

  // Commit: the three honest nodes' answer, signed by exactly their operators.
  const commit = await waitForCommit(net, requestId, { timeoutMs: 120_000 })
  const honest = network.nodes.filter((n) => !n.lying)
  t.is(commit.answer, 0n)
  t.is(commit.round, 0)
  // ReportCommitted lists the members' signing keys (Staking.operatorsOf maps them to operators).
  t.deepEqual(sorted(commit.signers), sorted(honest.map((n) => n.operator.signer.address)))

  // Inside the window the answer is not final and the market cannot pay.
  await revertsWith(t, oracle.finalize(requestId, commit.signers), 'DisputeWindowOpen')
  t.deepEqual([...(await oracle.getResolution(requestId))], [false, 0n])
  await revertsWith(t, market.connect(wallets.get('alice')!).redeem(), 'NotResolved')

  // Every node's signed observation crossed NATS and verifies; the liar's says NO.
  const observations = await pollUntil('4 observations', async () => {
    const seen = watcher.observations(requestId)
    return new Set(seen.map((m) => m.signer)).size >= 4 ? seen : undefined
  }, { timeoutMs: 60_000 })
  const domain: ObservationDomain = { chainId: BigInt(net.deployment.chainId), verifyingContract: net.deployment.contracts.resolutionOracle }
  for (const message of observations) {
    const { domain: signedDomain, signed } = fromObservationMessage(message)
    t.deepEqual(signedDomain, domain)
    t.is(recoverObservationSigner(domain, signed.observation, signed.signature), message.signer)
    const liar = network.liars.includes(message.signer)
    t.is(message.observation.answer, liar ? '1' : '0', `${message.signer} (${liar ? 'lying' : 'honest'})`)
  }

  // The aggregator reports the liar, and nobody else. Whether the liar's observation made the round's report or
  // came after it (then a later report names it, marked late) depends on the machine's load: every report counts.
  const found = await waitForOutliers(watcher, { contract: domain.verifyingContract, requestId, signers: network.liars, timeoutMs: 60_000 })
  t.deepEqual(found.missing, [], `no report named the liar within 60 s; latest: ${JSON.stringify(found.latest)}`)
  const reports = watcher.reports(domain.verifyingContract, requestId)
  const named = new Map(reports.flatMap((r) => r.outliers.map((o) => [o.signer, o.answer] as const)))
  t.deepEqual([...named], network.liars.map((l) => [l, '1']))
  for (const report of reports) {
    t.like(report, { outcome: 'committed', committedAnswer: '0' })
    t.true(report.nonResponders.every((s) => network.liars.includes(s)), `no honest node is a non-responder: ${report.nonResponders.join(', ')}`)
  }

  // After it: finalize, the market is called back, the answer is final.
  const { receipt } = await finalizeAfterWindow(net, commit, DISPUTE_WINDOW_SEC)
  t.is(findEvent(oracle, receipt, 'ResolutionFinalized').args.answer, 0n)
  t.is(findEvent(oracle, receipt, 'CallbackResult').args.success, true)
  t.deepEqual([...(await oracle.getResolution(requestId))], [true, 0n])
  t.deepEqual(await marketResolution(market), { resolved: true, answer: 0n })

  // Payouts, in wei: alice 3/4 and carol 1/4 of the 5 ETH pool; bob backed NO and gets nothing.
  t.is(await redeem(net, market, wallets.get('alice')!), parseEther('3.75'))
  t.is(await redeem(net, market, wallets.get('carol')!), parseEther('1.25'))
  await revertsWith(t, market.connect(wallets.get('bob')!).redeem(), 'NothingToRedeem')
  t.is(await net.provider.getBalance(market.target), 0n)

  // The fee went to the three signers (the remainder of the division to the first), none to the liar.
  const share = FEE_WEI / 3n
  const [first, second, third] = [...(await net.contracts.staking.operatorsOf(commit.signers))]
  t.is(await oracle.claimableWei(first!), share + (FEE_WEI - share * 3n))
  t.is(await oracle.claimableWei(second!), share)
  t.is(await oracle.claimableWei(third!), share)
  for (const liar of network.nodes.filter((n) => n.lying)) t.is(await oracle.claimableWei(liar.operator.operator.address), 0n)

  // Exactly one commit for the request.
  t.is((await readCommits(net, requestId)).length, 1)
})
