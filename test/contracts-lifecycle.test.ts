/**
 * The whole life of a question against a real anvil with contracts compiled by solc: stake, register,
 * request, commit with real signatures, dispute, vote, slash, finalize, callback, market payout.
 */
import test from 'ava'
import { keccak256, parseEther, toUtf8Bytes, type ContractRunner, type Wallet } from 'ethers'
import { ANSWER_UNRESOLVABLE } from '@sibyl/protocol/answers'
import { recoverObservationSigner } from '@sibyl/protocol/eip712'
import { REQUEST_STATUS } from '@sibyl/protocol/request-status'
import {
  increaseTime,
  latestTimestamp,
  localWallet,
  setBalance,
  startLocalNetwork,
  startNextEpoch,
  type LocalNetwork,
} from '@sibyl/devnet/local-network'
import { domainOf, findEvent, mined, requestResolution, signAndCommit, signByOperators } from '@sibyl/contracts/requests'
import { PredictionMarket__factory, TestConsumer__factory } from '@sibyl/contracts/typechain'
import { revertsWith } from './helpers/reverts.ts'

const DISPUTE_WINDOW_SEC = 600
const VOTING_PERIOD_SEC = 3600
const FEE = parseEther('1')
const BOND = parseEther('100')

let net: LocalNetwork

test.before(async () => {
  net = await startLocalNetwork({
    operators: 4,
    config: { disputeWindowSec: DISPUTE_WINDOW_SEC, votingPeriodSec: VOTING_PERIOD_SEC, unbondingDelaySec: 7 * 24 * 3600 },
  })
})

test.after.always(async () => {
  await net?.stop()
})

async function fundedWallet(label: string, index: number, tokens = parseEther('1000')): Promise<Wallet> {
  const w = localWallet(label, index, net.provider)
  await setBalance(net.provider, w.address, parseEther('100'))
  await (await net.contracts.token.mint(w.address, tokens)).wait()
  return w
}

/** The same typed contract, sending from `runner`. */
const as = <C>(c: { connect(runner: ContractRunner): C }, runner: ContractRunner): C => c.connect(runner)

test.serial('a market question goes from request to payout, and a disputed wrong answer is overturned and slashed', async (t) => {
  const { token, staking, oracle, governance } = net.contracts
  const now = await latestTimestamp(net.provider)

  // A binary market: Alice backs YES with 3 ETH, Bob backs NO with 1 ETH.
  const m = await (
    await new PredictionMarket__factory(net.deployer).deploy(
      oracle.target,
      token.target,
      JSON.stringify({ question: 'Did the Chiefs win Super Bowl LVIII?', sources: ['https://example.org/sblviii'] }),
      ['YES', 'NO'],
      now + 100,
      now + 200,
      FEE,
    )
  ).waitForDeployment()
  await (await token.mint(m.target, FEE)).wait()
  const alice = await fundedWallet('alice', 0)
  const bob = await fundedWallet('bob', 0)
  await (await as(m, alice).buy(0, { value: parseEther('3') })).wait()
  await (await as(m, bob).buy(1, { value: parseEther('1') })).wait()

  await increaseTime(net.provider, 101)
  const requestReceipt = await mined(m.requestResolution())
  const requested = findEvent(oracle, requestReceipt, 'ResolutionRequested')
  const requestId = requested.args.requestId
  t.deepEqual([...requested.args.outcomes], ['YES', 'NO'])
  t.is(await token.balanceOf(oracle.target), FEE)

  // Committing before resolveAfter is refused.
  await revertsWith(t, signAndCommit(oracle, net.operators.slice(0, 3), { requestId, round: 0, answer: 0n }), 'TooEarly')
  await increaseTime(net.provider, 100)

  // Three of four nodes (the quorum at n = 4) sign YES; every signature recovers to its node.
  const domain = await domainOf(oracle)
  const signed = await signByOperators(net.operators.slice(0, 3), domain, { requestId, round: 0, answer: 0n })
  for (const [i, s] of signed.entries()) t.is(recoverObservationSigner(domain, s.observation, s.signature), net.operators[i]!.signer.address)
  const { report, receipt } = await signAndCommit(oracle, net.operators.slice(0, 3), { requestId, round: 0, answer: 0n })
  const committed = findEvent(oracle, receipt, 'ReportCommitted')
  const signers = [...committed.args.signers]
  t.deepEqual(signers, report.signers, 'the event names the signing keys, in report order')
  t.deepEqual(
    [...(await staking.operatorsOf(signers))].sort(),
    net.operators.slice(0, 3).map((o) => o.operator.address).sort(),
    'and Staking names their operators',
  )
  t.is(report.signers.length, 3)

  // Finalize is refused during the dispute window; the answer is not final yet.
  await revertsWith(t, oracle.finalize(requestId, signers), 'DisputeWindowOpen')
  t.deepEqual([...(await oracle.getResolution(requestId))], [false, 0n])

  // Carol disputes: she claims NO. The council (the deployer) decides NO.
  const carol = await fundedWallet('carol', 0)
  await (await as(token, carol).approve(governance.target, BOND)).wait()
  await (await as(governance, carol).dispute(requestId, 1n, BOND, signers)).wait()
  await (await governance.vote(requestId, 1n)).wait()

  const stakeBefore = await Promise.all(net.operators.map((o) => staking.slashableOf(o.operator.address)))
  const execReceipt = await mined(governance.execute(requestId, signers))
  const executed = findEvent(governance, execReceipt, 'DisputeExecuted')
  t.is(executed.args.outcome, 0n, 'Overturned')

  // The three signers lost half their stake; the fourth node, which did not sign, kept all of it.
  const stakeAfter = await Promise.all(net.operators.map((o) => staking.slashableOf(o.operator.address)))
  for (let i = 0; i < 3; i++) t.is(stakeAfter[i], stakeBefore[i]! / 2n, `operator ${i} slashed by half`)
  t.is(stakeAfter[3], stakeBefore[3])
  t.is(await staking.activeOperatorCount(), 4n, 'the current epoch keeps its set')
  await startNextEpoch(net.provider, net.deployment)
  t.is(await staking.activeOperatorCount(), 1n, 'slashed operators fall below the minimum stake: out from the next epoch')
  const slashed = (stakeBefore[0]! / 2n) * 3n
  t.is(executed.args.slashedWei, slashed)

  // The answer is now NO and final; the market was called back and Bob, the NO backer, takes the pool.
  t.deepEqual([...(await oracle.getResolution(requestId))], [true, 1n])
  t.deepEqual([...(await m.resolution())], [true, 1n])
  const bobBefore = await net.provider.getBalance(bob.address)
  const redeemReceipt = await mined(as(m, bob).redeem())
  const gasCost = redeemReceipt.gasUsed * redeemReceipt.gasPrice
  t.is((await net.provider.getBalance(bob.address)) - bobBefore + gasCost, parseEther('4'))
  await revertsWith(t, as(m, alice).redeem(), 'NothingToRedeem')

  // Carol gets her bond back plus half of what was slashed; the treasury (deployer) the other half.
  await (await governance.settleClaim(requestId, carol.address)).wait()
  t.is(await governance.claimableWei(carol.address), BOND + slashed / 2n)
  const carolBefore = await token.balanceOf(carol.address)
  await (await as(governance, carol).withdraw()).wait()
  t.is((await token.balanceOf(carol.address)) - carolBefore, BOND + slashed / 2n)
  // The requester paid for a wrong answer: the fee goes back to it, not to the signers; the market hands
  // it on to its creator.
  t.is(await oracle.claimableWei(m.target), FEE)
  t.is(await oracle.claimableWei(net.operators[0]!.operator.address), 0n)
  const creatorBefore = await token.balanceOf(net.deployer.address)
  await (await m.reclaimFees()).wait()
  t.is((await token.balanceOf(net.deployer.address)) - creatorBefore, FEE)
})

test.serial('an undisputed answer finalizes after the window, pays the signers and calls a consumer that reverts without blocking', async (t) => {
  const { token, oracle, staking } = net.contracts
  // Top the slashed operators back up so there is a full set of four.
  for (const o of net.operators) {
    const [, stakeWei] = await staking.getOperator(o.operator.address)
    const min = await staking.minStakeWei()
    if (stakeWei < min) {
      await (await token.mint(o.operator.address, min - stakeWei)).wait()
      await (await as(token, o.operator).approve(staking.target, min - stakeWei)).wait()
      await (await as(staking, o.operator).stake(min - stakeWei)).wait()
    }
  }
  await startNextEpoch(net.provider, net.deployment)
  t.is(await staking.activeOperatorCount(), 4n)

  const c = await (await new TestConsumer__factory(net.deployer).deploy(oracle.target)).waitForDeployment()
  await (await token.mint(c.target, FEE * 3n)).wait()

  const now = await latestTimestamp(net.provider)
  const ask = async (spec: string) => {
    const receipt = await mined(
      c.request({
        specHash: keccak256(toUtf8Bytes(spec)),
        spec,
        outcomes: ['A', 'B', 'C'],
        resolveAfter: now,
        feeWei: FEE,
        callbackGasLimit: 200_000,
      }),
    )
    return findEvent(oracle, receipt, 'ResolutionRequested').args.requestId
  }

  // 1. A consumer that records the answer.
  const recorded = await ask('which of A, B, C?')
  const { receipt } = await signAndCommit(oracle, net.operators.slice(1), { requestId: recorded, round: 0, answer: 2n })
  const signers = [...(findEvent(oracle, receipt, 'ReportCommitted').args.signers)]
  // 2. A consumer that reverts, 3. one that burns all its gas.
  const reverting = await ask('reverting consumer')
  await signAndCommit(oracle, net.operators.slice(0, 3), { requestId: reverting, round: 0, answer: ANSWER_UNRESOLVABLE })
  const burning = await ask('gas-burning consumer')
  const burnCommit = await signAndCommit(oracle, net.operators.slice(0, 3), { requestId: burning, round: 0, answer: 1n })

  await increaseTime(net.provider, DISPUTE_WINDOW_SEC)
  const fin = await mined(oracle.finalize(recorded, signers))
  t.is(findEvent(oracle, fin, 'CallbackResult').args.success, true)
  t.is(await c.lastAnswer(), 2n)
  t.is(await c.lastRequestId(), recorded)

  // Fee: 1 LINK over the 3 signers' operators, the remainder to the first.
  const share = FEE / 3n
  const operators = [...(await staking.operatorsOf(signers))]
  t.is(await oracle.claimableWei(operators[0]!), share + (FEE - share * 3n))
  t.is(await oracle.claimableWei(operators[1]!), share)
  const op = net.operators.find((o) => o.operator.address === operators[1])!
  const before = await token.balanceOf(op.operator.address)
  await (await as(oracle, op.operator).withdrawFees()).wait()
  t.is((await token.balanceOf(op.operator.address)) - before, share)

  await (await c.setMode(1)).wait() // Revert
  const [revCommitted] = await oracle.queryFilter(oracle.filters.ReportCommitted(reverting))
  const revList = [...revCommitted!.args.signers]
  const finRev = await mined(oracle.finalize(reverting, revList))
  t.is(findEvent(oracle, finRev, 'CallbackResult').args.success, false)
  t.deepEqual([...(await oracle.getResolution(reverting))], [true, ANSWER_UNRESOLVABLE])

  await (await c.setMode(2)).wait() // BurnGas
  const burnSigners = [...(findEvent(oracle, burnCommit.receipt, 'ReportCommitted').args.signers)]
  const finBurn = await mined(oracle.finalize(burning, burnSigners, { gasLimit: 600_000 }))
  t.is(findEvent(oracle, finBurn, 'CallbackResult').args.success, false)
  t.true(finBurn.gasUsed < 400_000n, `a gas-burning consumer costs at most its callback limit (used ${finBurn.gasUsed})`)
  t.deepEqual([...(await oracle.getResolution(burning))], [true, 1n])
})

test.serial('a quorum that says "too early" defers the request to a new round, and old-round signatures stop counting', async (t) => {
  const { token, oracle } = net.contracts
  const requester = await fundedWallet('requester', 0)
  const now = await latestTimestamp(net.provider)
  const { requestId } = await requestResolution(token, oracle, requester, {
    spec: 'will it rain?',
    outcomes: ['YES', 'NO'],
    resolveAfter: now,
    feeWei: FEE,
  })
  const { receipt } = await signAndCommit(oracle, net.operators.slice(0, 3), { requestId, round: 0, answer: -2n })
  const deferred = findEvent(oracle, receipt, 'ResolutionDeferred')
  t.is(deferred.args.round, 1n)
  const req = await oracle.getRequest(requestId)
  t.is(req.round, 1n)
  t.is(req.status, REQUEST_STATUS.Open)

  const retryAt = Number(deferred.args.resolveAfter)
  await increaseTime(net.provider, retryAt - (await latestTimestamp(net.provider)) + 1)
  // A report signed for round 0 is refused now; round 1 commits.
  await revertsWith(t, signAndCommit(oracle, net.operators.slice(0, 3), { requestId, round: 0, answer: 0n }), 'RoundMismatch')
  const ok = await signAndCommit(oracle, net.operators.slice(0, 3), { requestId, round: 1, answer: 0n })
  t.is(findEvent(oracle, ok.receipt, 'ReportCommitted').args.round, 1n)
})

test.serial('a market whose resolution never arrives can be voided after the timeout, and everyone is refunded', async (t) => {
  const { token, oracle } = net.contracts
  const now = await latestTimestamp(net.provider)
  const m = await (
    await new PredictionMarket__factory(net.deployer).deploy(oracle.target, token.target, '{"question":"never asked"}', ['YES', 'NO'], now + 10, now + 20, FEE)
  ).waitForDeployment()
  const dave = await fundedWallet('dave', 0)
  await (await as(m, dave).buy(1, { value: parseEther('2') })).wait()
  // Nobody funded the fee, so the resolution can never be requested: the token transfer fails.
  await increaseTime(net.provider, 30)
  const args = await revertsWith(t, m.requestResolution(), 'Error')
  t.regex(String(args?.[0]), /transfer amount exceeds balance/)
  const timeout = Number(await m.RESOLUTION_TIMEOUT_SEC())
  await revertsWith(t, m.voidIfUnresolved(), 'ResolutionNotOverdue')
  await increaseTime(net.provider, timeout)
  await (await m.voidIfUnresolved()).wait()
  await revertsWith(t, m.voidIfUnresolved(), 'AlreadyResolved')
  t.deepEqual([...(await m.resolution())], [true, ANSWER_UNRESOLVABLE])
  t.is(await m.payoutOf(dave.address), parseEther('2'))
  await (await as(m, dave).redeem()).wait()
  t.is(await net.provider.getBalance(m.target), 0n)
})
