/**
 * Gnosis Conditional Tokens resolved by Sibyl, end to end on one network (real nodes, aggregator, NATS, anvil):
 * the real ConditionalTokens bytecode from its npm package, SibylCTFAdapter as the condition's oracle, traders
 * who split collateral into outcome positions and trade them, and the payouts each final answer produces:
 *  - the nodes answer the winner: reportPayouts through the oracle's callback, the winner's holder redeems all;
 *  - the nodes refuse a spec (its labels differ from the on-chain ones) and answer "unresolvable": even split;
 *  - "unresolvable" on 32 outcomes, the costliest report, fits the callback gas the adapter asks for;
 *  - the same "unresolvable" is disputed before finality and the council decides the winner: the payout follows
 *    the final answer, and the oracle's refund reaches the adapter's fee recipient.
 */
import test, { type ExecutionContext } from 'ava'
import { parseEther, ZeroHash, type Contract, type ContractTransactionReceipt, type Wallet } from 'ethers'
import { findEvent, mined } from '@sibyl/contracts/requests'
import { LinkToken__factory, SibylCTFAdapter__factory, type LinkToken, type SibylCTFAdapter } from '@sibyl/contracts/typechain'
import { increaseTime, latestTimestamp } from '@sibyl/devnet/local-network'
import type { DemoNetwork } from '@sibyl/devnet/start-demo-network'
import { startE2eNetwork } from '@sibyl/devnet/start-e2e-network'
import { demoQuestion, FEE_WEI } from '@sibyl/devnet/ask-through-market'
import { fundedWallet, readRequest, waitForCommit, type CommitEvent } from '@sibyl/devnet/demo-markets'
import { REQUEST_STATUS } from '@sibyl/protocol/request-status'
import { deployConditionalTokens } from './helpers/interop-artifacts.ts'
import { revertsWithError } from './helpers/interop-reverts.ts'

const DISPUTE_WINDOW_SEC = 300
/** Each trader's collateral split into the condition (two outcomes: index sets 1 and 2). */
const ALICE_SPLIT = parseEther('60')
const BOB_SPLIT = parseEther('40')
const POOL = ALICE_SPLIT + BOB_SPLIT

let network: DemoNetwork
let ctf: Contract
let adapter: SibylCTFAdapter
let collateral: LinkToken
let feeRecipient: Wallet

test.before(async () => {
  network = await startE2eNetwork({ operators: 4, lyingNodes: 1, disputeWindowSec: DISPUTE_WINDOW_SEC })
  const { net } = network
  ctf = await deployConditionalTokens(net.deployer)
  feeRecipient = await fundedWallet(net, 'ctf fee recipient', 0)
  const deployedAdapter = await new SibylCTFAdapter__factory(net.deployer).deploy(net.deployment.contracts.resolutionOracle, await ctf.getAddress(), feeRecipient.address)
  await deployedAdapter.waitForDeployment()
  adapter = SibylCTFAdapter__factory.connect(await deployedAdapter.getAddress(), net.deployer)
  // The market's collateral: a token of its own (the project's mintable test token), not the network's.
  const deployedToken = await new LinkToken__factory(net.deployer).deploy()
  await deployedToken.waitForDeployment()
  collateral = LinkToken__factory.connect(await deployedToken.getAddress(), net.deployer)
  await mined(collateral.grantMintRole(net.deployer.address))
})

test.after.always(async () => {
  await network?.stop()
})

type Market = { questionId: string; conditionId: string; alice: Wallet; bob: Wallet; positions: [bigint, bigint] }

/**
 * Prepares the question through the adapter (the deployer pays the fee), then Alice and Bob split collateral
 * into both outcomes and swap: Alice ends with POOL of outcome 0, Bob with POOL of outcome 1.
 */
async function openMarket(t: ExecutionContext, label: string, specJson: string, outcomes: readonly string[]): Promise<Market> {
  const { net } = network
  await mined(net.contracts.token.mint(net.deployer.address, FEE_WEI))
  await mined(net.contracts.token.approve(adapter.target, FEE_WEI))
  const now = (await net.provider.getBlock('latest'))!.timestamp
  const receipt = await mined(adapter.prepareQuestion(specJson, [...outcomes], now, FEE_WEI))
  const prepared = findEvent(adapter, receipt, 'QuestionPrepared')
  const { questionId, conditionId } = prepared.args
  t.is(conditionId, await ctf.getFunction('getConditionId')(adapter.target, questionId, outcomes.length), 'the condition names the adapter as its oracle')
  t.is(await ctf.getFunction('getOutcomeSlotCount')(conditionId), BigInt(outcomes.length))

  const heldBefore = await collateral.balanceOf(ctf.target)
  const alice = await fundedWallet(net, `ctf alice ${label}`, 0)
  const bob = await fundedWallet(net, `ctf bob ${label}`, 0)
  const positions: [bigint, bigint] = [0n, 0n]
  for (const [i, indexSet] of [1n, 2n].entries()) {
    const collectionId = await ctf.getFunction('getCollectionId')(ZeroHash, conditionId, indexSet)
    positions[i] = await ctf.getFunction('getPositionId')(collateral.target, collectionId)
  }
  for (const [who, amount] of [
    [alice, ALICE_SPLIT],
    [bob, BOB_SPLIT],
  ] as const) {
    await mined(collateral.mint(who.address, amount))
    await mined(collateral.connect(who).approve(ctf.target, amount))
    await mined((ctf.connect(who) as Contract).getFunction('splitPosition')(collateral.target, ZeroHash, conditionId, [1n, 2n], amount))
  }
  // The trade: each gives the other its tokens of the outcome it does not back.
  await mined((ctf.connect(alice) as Contract).getFunction('safeTransferFrom')(alice.address, bob.address, positions[1], ALICE_SPLIT, '0x'))
  await mined((ctf.connect(bob) as Contract).getFunction('safeTransferFrom')(bob.address, alice.address, positions[0], BOB_SPLIT, '0x'))
  t.is(await ctf.getFunction('balanceOf')(alice.address, positions[0]), POOL)
  t.is(await ctf.getFunction('balanceOf')(bob.address, positions[1]), POOL)
  t.is((await collateral.balanceOf(ctf.target)) - heldBefore, POOL)
  return { questionId, conditionId, alice, bob, positions }
}

/** Redeems both index sets for `who` and returns the collateral it received. */
async function redeem(market: Market, who: Wallet): Promise<bigint> {
  const before = await collateral.balanceOf(who.address)
  await mined((ctf.connect(who) as Contract).getFunction('redeemPositions')(collateral.target, ZeroHash, market.conditionId, [1n, 2n]))
  return (await collateral.balanceOf(who.address)) - before
}

/** Moves the chain clock past the request's dispute window and finalizes: the oracle calls the adapter back. */
async function finalize(commit: CommitEvent): Promise<ContractTransactionReceipt> {
  const { provider, contracts } = network.net
  // The window is longer for a request the oracle's scrutiny finds contested: ask the oracle where it ends.
  const endsAt = Number(await contracts.oracle.disputeEndsAt(commit.requestId))
  await increaseTime(provider, Math.max(0, endsAt - (await latestTimestamp(provider))) + 1)
  return mined(contracts.oracle.finalize(commit.requestId, commit.signers))
}

async function payoutsOf(conditionId: string): Promise<bigint[]> {
  const out: bigint[] = []
  for (const i of [0n, 1n]) out.push(await ctf.getFunction('payoutNumerators')(conditionId, i))
  return out
}

/** A demo question's spec whose on-chain labels differ from its own: every node refuses it and answers "unresolvable". */
function refusedSpec() {
  const question = demoQuestion(network, 'hockey-winner')
  return { specJson: question.specJson, outcomes: ['Gulls', 'Miners'] }
}

test.serial('the nodes answer the winner: the callback reports payouts and the winner redeems the whole pool', async (t) => {
  t.timeout(180_000)
  const question = demoQuestion(network, 'hockey-winner')
  t.is(question.expectedOutcomeIndex, 0)
  const market = await openMarket(t, 'winner', question.specJson, question.outcomes)
  await revertsWithError(t, adapter.resolve(market.questionId), adapter.interface, 'NotFinal')

  const commit = await waitForCommit(network.net, market.questionId, { timeoutMs: 150_000 })
  t.is(commit.answer, 0n)
  // Committed is not final: nothing is reported during the dispute window.
  t.is(await ctf.getFunction('payoutDenominator')(market.conditionId), 0n)
  const receipt = await finalize(commit)
  const callback = findEvent(network.net.contracts.oracle, receipt, 'CallbackResult')
  t.true(callback.args.success)
  t.is(callback.args.requester, await adapter.getAddress())
  const reported = findEvent(adapter, receipt, 'PayoutsReported')
  t.is(reported.args.answer, 0n)
  t.deepEqual(await payoutsOf(market.conditionId), [1n, 0n])
  t.is(await ctf.getFunction('payoutDenominator')(market.conditionId), 1n)
  t.log(`finalize with the CTF callback (2 outcomes): ${receipt.gasUsed} gas`)

  t.is(await redeem(market, market.alice), POOL)
  t.is(await redeem(market, market.bob), 0n)
  t.is(await collateral.balanceOf(ctf.target), 0n, 'every market so far paid out in full')
  // Reported once: the fallback finds nothing left to do.
  await revertsWithError(t, adapter.resolve(market.questionId), adapter.interface, 'AlreadyReported')
})

test.serial('the nodes answer "unresolvable": the payout splits evenly', async (t) => {
  t.timeout(180_000)
  const { specJson, outcomes } = refusedSpec()
  const market = await openMarket(t, 'unresolvable', specJson, outcomes)
  const commit = await waitForCommit(network.net, market.questionId, { timeoutMs: 150_000 })
  t.is(commit.answer, -1n)
  await finalize(commit)
  t.deepEqual(await payoutsOf(market.conditionId), [1n, 1n])
  t.is(await redeem(market, market.alice), POOL / 2n)
  t.is(await redeem(market, market.bob), POOL / 2n)
  t.is(await collateral.balanceOf(ctf.target), 0n, 'every market so far paid out in full')
})

test.serial('the callback gas covers the costliest report: "unresolvable" on 32 outcomes', async (t) => {
  t.timeout(180_000)
  const { net } = network
  const outcomes = Array.from({ length: 32 }, (_, i) => `team ${i}`)
  await mined(net.contracts.token.mint(net.deployer.address, FEE_WEI))
  await mined(net.contracts.token.approve(adapter.target, FEE_WEI))
  const receipt = await mined(adapter.prepareQuestion(refusedSpec().specJson, outcomes, await latestTimestamp(net.provider), FEE_WEI))
  const { questionId, conditionId } = findEvent(adapter, receipt, 'QuestionPrepared').args
  const commit = await waitForCommit(net, questionId, { timeoutMs: 150_000 })
  t.is(commit.answer, -1n)
  const final = await finalize(commit)
  t.true(findEvent(net.contracts.oracle, final, 'CallbackResult').args.success, 'reported within the gas the adapter asked for')
  t.is(await ctf.getFunction('payoutDenominator')(conditionId), 32n)
  t.log(`finalize with the CTF callback (32 outcomes, unresolvable): ${final.gasUsed} gas`)
})

test.serial('a dispute overturns the answer before finality: the payout follows the final answer', async (t) => {
  t.timeout(180_000)
  const { net } = network
  const { token, governance, oracle } = net.contracts
  const { specJson, outcomes } = refusedSpec()
  const market = await openMarket(t, 'disputed', specJson, outcomes)
  const commit = await waitForCommit(net, market.questionId, { timeoutMs: 150_000 })
  t.is(commit.answer, -1n)

  // Alice knows the Gulls won (the labels were only abbreviated) and disputes inside the window; the council
  // (the deployer, on a local network) decides outcome 0.
  const bondWei = await governance.minBondWei()
  await mined(token.mint(market.alice.address, bondWei))
  await mined(token.connect(market.alice).approve(governance.target, bondWei))
  await mined(governance.connect(market.alice).dispute(market.questionId, 0n, bondWei, commit.signers))
  t.is((await readRequest(net, market.questionId)).status, REQUEST_STATUS.Disputed)
  await revertsWithError(t, adapter.resolve(market.questionId), adapter.interface, 'NotFinal')
  await mined(governance.vote(market.questionId, 0n))
  const receipt = await mined(governance.execute(market.questionId, commit.signers))
  t.true(findEvent(oracle, receipt, 'CallbackResult').args.success)

  t.deepEqual([...(await oracle.getResolution(market.questionId))], [true, 0n])
  t.deepEqual(await payoutsOf(market.conditionId), [1n, 0n], 'the final answer, not the committed "unresolvable"')
  t.is(await redeem(market, market.alice), POOL)
  t.is(await redeem(market, market.bob), 0n)

  // The overturned request's fee came back to the adapter; reclaimFees passes it to the fee recipient.
  t.is(await oracle.claimableWei(adapter.target), FEE_WEI)
  const before = await token.balanceOf(feeRecipient.address)
  await mined(adapter.reclaimFees())
  t.is((await token.balanceOf(feeRecipient.address)) - before, FEE_WEI)
})
