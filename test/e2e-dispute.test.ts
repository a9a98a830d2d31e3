/**
 * End to end, a wrong answer overturned despite a decoy: 3 of 4 real nodes lie (a quorum, beyond the f = 1 the
 * network is built to survive), so the aggregator commits their wrong answer. A bettor who lost to it disputes
 * at once with a decoy claim ("unresolvable"); an honest disputer still claims the right winner; the council
 * decides the right winner itself, the signers are slashed, only the honest disputer is rewarded (the decoy's
 * bond goes to the treasury), the requester gets its fee back, and the market pays the backers of the winner.
 */
import test from 'ava'
import { parseEther, type ContractTransactionReceipt } from 'ethers'
import { findEvent } from '@sibyl/contracts/requests'
import { startNextEpoch } from '@sibyl/devnet/local-network'
import type { DemoNetwork } from '@sibyl/devnet/start-demo-network'
import { startE2eNetwork } from '@sibyl/devnet/start-e2e-network'
import { askThroughMarket, demoQuestion, FEE_WEI } from '@sibyl/devnet/ask-through-market'
import { fundedWallet, marketResolution, readCommits, readRequest, redeem, waitForCommit } from '@sibyl/devnet/demo-markets'
import { watchNetwork, type NetworkWatcher } from '@sibyl/devnet/watch-network'
import { waitForOutliers } from '@sibyl/devnet/wait-for-outliers'
import { REQUEST_STATUS } from '@sibyl/protocol/request-status'
import { revertsWith } from './helpers/reverts.ts'

/** Long enough to dispute in, on a loaded machine. */
const DISPUTE_WINDOW_SEC = 600

let network: DemoNetwork
let watcher: NetworkWatcher

test.before(async () => {
  network = await startE2eNetwork({ operators: 4, lyingNodes: 3, disputeWindowSec: DISPUTE_WINDOW_SEC })
  watcher = await watchNetwork({ natsUrl: network.natsUrl, connection: network.natsReader, chainId: BigInt(network.net.deployment.chainId) })
})

test.after.always(async () => {
  await watcher?.close()
  await network?.stop()
})

const sorted = (addresses: readonly string[]) => [...addresses].map((a) => a.toLowerCase()).sort()

test('a lying quorum commits a wrong winner; despite a decoy dispute it is overturned to the right one and exactly its signers are slashed', async (t) => {
  t.timeout(150_000)
  const { net } = network
  const { token, oracle, staking, governance } = net.contracts
  const question = demoQuestion(network, 'hockey-winner')
  t.is(question.outcomes[question.expectedOutcomeIndex], 'Port Alder Gulls')
  const { market, requestId, wallets } = await askThroughMarket(network, question, [
    { label: 'gulls fan', outcome: 0, amountWei: parseEther('2') },
    { label: 'miners fan', outcome: 1, amountWei: parseEther('1') },
  ])

  // The three liars answer "Ridgeback Miners" and are a quorum; the honest node is the outlier.
  const commit = await waitForCommit(net, requestId, { timeoutMs: 120_000 })
  const liars = network.nodes.filter((n) => n.lying)
  const honest = network.nodes.filter((n) => !n.lying)
  t.is(commit.answer, 1n)
  // ReportCommitted names the signing keys; Staking maps them to the operators that answer for them.
  t.deepEqual(sorted(commit.signers), sorted(liars.map((n) => n.operator.signer.address)))
  const liarOperators = [...(await staking.operatorsOf(commit.signers))]
  t.deepEqual(sorted(liarOperators), sorted(liars.map((n) => n.operator.operator.address)))
  // Every report for the request counts: the honest node's observation may come after the round was reported.
  const honestSigners = honest.map((n) => n.operator.signer.address)
  const found = await waitForOutliers(watcher, { contract: net.deployment.contracts.resolutionOracle, requestId, signers: honestSigners, timeoutMs: 60_000 })
  t.deepEqual(found.missing, [], `no report named the honest node within 60 s; latest: ${JSON.stringify(found.latest)}`)
  const named = new Map(watcher.reports(net.deployment.contracts.resolutionOracle, requestId).flatMap((r) => r.outliers.map((o) => [o.signer, o.answer] as const)))
  t.deepEqual([...named], honestSigners.map((s) => [s, '0']))

  // The miners fan, who would lose, disputes first with a decoy: "unresolvable" (everyone refunded). An honest
  // disputer still claims the Gulls won, inside the window; the council (the deployer) decides the Gulls.
  const bondWei = await governance.minBondWei()
  const decoy = await fundedWallet(net, 'e2e decoy', 0)
  const disputer = await fundedWallet(net, 'e2e disputer', 0)
  for (const who of [decoy, disputer]) {
    await (await token.mint(who.address, bondWei)).wait()
    await (await token.connect(who).approve(governance.target, bondWei)).wait()
  }
  await (await governance.connect(decoy).dispute(requestId, -1n, bondWei, commit.signers)).wait()
  t.is((await readRequest(net, requestId)).status, REQUEST_STATUS.Disputed)
  await (await governance.connect(disputer).dispute(requestId, 0n, bondWei, [])).wait()
  await revertsWith(t, oracle.finalize(requestId, commit.signers), 'WrongStatus')
  await (await governance.vote(requestId, 0n)).wait()

  const stakeBefore = new Map<string, bigint>()
  for (const n of network.nodes) stakeBefore.set(n.name, await staking.slashableOf(n.operator.operator.address))
  const treasury = await governance.treasury()
  const treasuryClaimBefore = await governance.claimableWei(treasury)
  const receipt = (await (await governance.execute(requestId, commit.signers)).wait()) as ContractTransactionReceipt
  const executed = findEvent(governance, receipt, 'DisputeExecuted')
  t.is(executed.args.outcome, 0n, 'Overturned')

  // Each signer lost slashBps of its stake; the honest node lost nothing.
  const slashBps = await governance.slashBps()
  let slashedWei = 0n
  for (const n of liars) {
    const before = stakeBefore.get(n.name)!
    const cut = (before * slashBps) / 10_000n
    t.true(cut > 0n)
    t.is(await staking.slashableOf(n.operator.operator.address), before - cut, `${n.name} slashed`)
    slashedWei += cut
  }
  for (const n of honest) t.is(await staking.slashableOf(n.operator.operator.address), stakeBefore.get(n.name)!, `${n.name} untouched`)
  t.is(executed.args.slashedWei, slashedWei)

  // The honest disputer: bond back plus the reward share of the slash; the decoy: nothing; the treasury: the
  // rest of the slash and the decoy's bond.
  const rewardWei = (slashedWei * (await governance.disputerRewardBps())) / 10_000n
  await (await governance.settleClaim(requestId, disputer.address)).wait()
  await (await governance.settleClaim(requestId, decoy.address)).wait()
  t.is(await governance.claimableWei(disputer.address), bondWei + rewardWei)
  t.is(await governance.claimableWei(decoy.address), 0n)
  t.is((await governance.claimableWei(treasury)) - treasuryClaimBefore, slashedWei - rewardWei + bondWei)
  const tokensBefore = await token.balanceOf(disputer.address)
  await (await governance.connect(disputer).withdraw()).wait()
  t.is((await token.balanceOf(disputer.address)) - tokensBefore, bondWei + rewardWei)

  // The answer is now the Gulls and final; the market was called back and pays the Gulls backer the pool.
  t.deepEqual([...(await oracle.getResolution(requestId))], [true, 0n])
  t.deepEqual(await marketResolution(market), { resolved: true, answer: 0n })
  t.is(await redeem(net, market, wallets.get('gulls fan')!), parseEther('3'))
  await revertsWith(t, market.connect(wallets.get('miners fan')!).redeem(), 'NothingToRedeem')

  // The requester paid for a wrong answer: its fee is refunded, the lying signers earn nothing.
  t.is(await oracle.claimableWei(market.target), FEE_WEI)
  for (const operator of liarOperators) t.is(await oracle.claimableWei(operator), 0n)
  // Slashed below the minimum, the liars leave the operator set at the next epoch.
  await startNextEpoch(net.provider, net.deployment)
  t.is(await staking.activeOperatorCount(), BigInt(honest.length))
  t.is((await readCommits(net, requestId)).length, 1)
})
