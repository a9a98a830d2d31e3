/**
 * End to end, a wrong answer overturned: 3 of 4 real nodes lie (a quorum, beyond the f = 1 the network is
 * built to survive), so the aggregator commits their wrong answer. A disputer bonds and names the right one,
 * the council overturns it, the signers are slashed, the disputer is rewarded, the requester gets its fee back,
 * and the market pays the backers of the real winner.
 */
import test from 'ava'
import { parseEther, type Contract, type ContractTransactionReceipt } from 'ethers'
import { findEvent } from '@sibyl/contracts/requests'
import type { DemoNetwork } from '@sibyl/devnet/start-demo-network'
import { fundedWallet, marketResolution, pollUntil, readCommits, readRequest, redeem, waitForCommit } from '@sibyl/devnet/demo-markets'
import { REQUEST_STATUS } from '@sibyl/protocol/request-status'
import { askThroughMarket, demoQuestion, FEE_WEI, recordTraffic, startE2eNetwork, type Traffic } from './helpers/e2e-network.ts'
import { revertsWith } from './helpers/reverts.ts'

/** Long enough to dispute in, on a loaded machine. */
const DISPUTE_WINDOW_SEC = 600

let network: DemoNetwork
let traffic: Traffic

test.before(async () => {
  network = await startE2eNetwork({ operators: 4, lyingNodes: 3, disputeWindowSec: DISPUTE_WINDOW_SEC })
  traffic = await recordTraffic(network)
})

test.after.always(async () => {
  await traffic?.close()
  await network?.stop()
})

const sorted = (addresses: readonly string[]) => [...addresses].map((a) => a.toLowerCase()).sort()
const as = (c: Contract, runner: Parameters<Contract['connect']>[0]) => c.connect(runner) as Contract

test('a lying quorum commits a wrong winner; the dispute overturns it and slashes exactly its signers', async (t) => {
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
  t.deepEqual(sorted(commit.signers), sorted(liars.map((n) => n.operator.operator.address)))
  const report = await pollUntil('the outlier report', async () => traffic.reports(requestId)[0] ?? (await traffic.watcher.readOutlierReport(net.deployment.contracts.resolutionOracle, requestId)), {
    timeoutMs: 30_000,
  })
  t.deepEqual(report.outliers.map((o) => [o.signer, o.answer]), honest.map((n) => [n.operator.signer.address, '0']))

  // A disputer bonds and claims the Gulls won, inside the window; the council (the deployer) overturns.
  const disputer = await fundedWallet(net, 'e2e disputer', 0)
  const bondWei: bigint = await governance.getFunction('minBondWei')()
  await (await token.getFunction('mint')(disputer.address, bondWei)).wait()
  await (await as(token, disputer).getFunction('approve')(governance.target, bondWei)).wait()
  await (await as(governance, disputer).getFunction('dispute')(requestId, 0n, bondWei)).wait()
  t.is((await readRequest(net, requestId)).status, REQUEST_STATUS.Disputed)
  await revertsWith(t, oracle.getFunction('finalize')(requestId, commit.signers), 'WrongStatus')
  await (await governance.getFunction('vote')(requestId, true)).wait()

  const stakeBefore = new Map<string, bigint>()
  for (const n of network.nodes) stakeBefore.set(n.name, await staking.getFunction('slashableOf')(n.operator.operator.address))
  const treasury: string = await governance.getFunction('treasury')()
  const treasuryClaimBefore: bigint = await governance.getFunction('claimableWei')(treasury)
  const receipt = (await (await governance.getFunction('execute')(requestId, commit.signers)).wait()) as ContractTransactionReceipt
  const executed = findEvent(governance, receipt, 'DisputeExecuted')
  t.is(executed.args.getValue('outcome'), 0n, 'Overturned')

  // Each signer lost slashBps of its stake; the honest node lost nothing.
  const slashBps = BigInt(await governance.getFunction('slashBps')())
  let slashedWei = 0n
  for (const n of liars) {
    const before = stakeBefore.get(n.name)!
    const cut = (before * slashBps) / 10_000n
    t.true(cut > 0n)
    t.is(await staking.getFunction('slashableOf')(n.operator.operator.address), before - cut, `${n.name} slashed`)
    slashedWei += cut
  }
  for (const n of honest) t.is(await staking.getFunction('slashableOf')(n.operator.operator.address), stakeBefore.get(n.name), `${n.name} untouched`)
  t.is(executed.args.getValue('slashedWei'), slashedWei)

  // The disputer: bond back plus the reward share of the slash; the treasury: the rest.
  const rewardWei = (slashedWei * BigInt(await governance.getFunction('disputerRewardBps')())) / 10_000n
  t.is(await governance.getFunction('claimableWei')(disputer.address), bondWei + rewardWei)
  t.is((await governance.getFunction('claimableWei')(treasury)) - treasuryClaimBefore, slashedWei - rewardWei)
  const tokensBefore: bigint = await token.getFunction('balanceOf')(disputer.address)
  await (await as(governance, disputer).getFunction('withdraw')()).wait()
  t.is((await token.getFunction('balanceOf')(disputer.address)) - tokensBefore, bondWei + rewardWei)

  // The answer is now the Gulls and final; the market was called back and pays the Gulls backer the pool.
  t.deepEqual([...(await oracle.getFunction('getResolution')(requestId))], [true, 0n])
  t.deepEqual(await marketResolution(market), { resolved: true, answer: 0n })
  t.is(await redeem(net, market, wallets.get('gulls fan')!), parseEther('3'))
  await revertsWith(t, as(market, wallets.get('miners fan')!).getFunction('redeem')(), 'NothingToRedeem')

  // The requester paid for a wrong answer: its fee is refunded, the lying signers earn nothing.
  t.is(await oracle.getFunction('claimableWei')(market.target), FEE_WEI)
  for (const signer of commit.signers) t.is(await oracle.getFunction('claimableWei')(signer), 0n)
  // Slashed below the minimum, the liars are no longer active operators.
  t.is(await staking.getFunction('activeOperatorCount')(), BigInt(honest.length))
  t.is((await readCommits(net, requestId)).length, 1)
})
