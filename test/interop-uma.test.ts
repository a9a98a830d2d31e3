/**
 * UMA-style requests answered by Sibyl, end to end on one network (real nodes, aggregator, NATS, anvil):
 *  - V2: UMA's own OptimisticRequesterTest, its bytecode unchanged from @uma/contracts-node, requests prices from
 *    SibylOptimisticOracleV2, is told of the proposal (pokeRequest) and of the settlement (priceSettled), and
 *    reads the prices with settleAndGetPrice: YES = 1e18 for a question built from the ancillary data, NO = 0
 *    for ancillary data that is a whole Sibyl spec.
 *  - V3: ClaimRecorder, written only against UMA's OptimisticOracleV3 interfaces, asserts a claim through
 *    SibylOptimisticOracleV3 and receives assertionResolvedCallback with Sibyl's verdict.
 */
import test from 'ava'
import { encodeBytes32String, getBytes, hexlify, toUtf8Bytes } from 'ethers'
import { findEvent, mined } from '@sibyl/contracts/requests'
import {
  ClaimRecorder__factory,
  SibylOptimisticOracleV2__factory,
  SibylOptimisticOracleV3__factory,
  type SibylOptimisticOracleV2,
  type SibylOptimisticOracleV3,
} from '@sibyl/contracts/typechain'
import { increaseTime, latestTimestamp } from '@sibyl/devnet/local-network'
import type { DemoNetwork } from '@sibyl/devnet/start-demo-network'
import { startE2eNetwork } from '@sibyl/devnet/start-e2e-network'
import { demoQuestion, FEE_WEI } from '@sibyl/devnet/ask-through-market'
import { fundedWallet, readRequest, waitForCommit, type CommitEvent } from '@sibyl/devnet/demo-markets'
import { REQUEST_STATUS } from '@sibyl/protocol/request-status'
import { deployOptimisticRequesterTest } from './helpers/interop-artifacts.ts'
import { revertsWithError } from './helpers/interop-reverts.ts'

const DISPUTE_WINDOW_SEC = 300
const CALLBACK_GAS_LIMIT = 400_000
const YES_OR_NO_QUERY = encodeBytes32String('YES_OR_NO_QUERY')
const PRICE_YES = 10n ** 18n
/** UMA's OptimisticOracleV2 State enum. */
const STATE = { Invalid: 0n, Requested: 1n, Proposed: 2n, Expired: 3n, Disputed: 4n, Resolved: 5n, Settled: 6n } as const

let network: DemoNetwork
let v2: SibylOptimisticOracleV2
let v3: SibylOptimisticOracleV3

test.before(async () => {
  network = await startE2eNetwork({ operators: 4, lyingNodes: 1, disputeWindowSec: DISPUTE_WINDOW_SEC })
  const { net } = network
  // Every question these facades build is judged from the demo news article on the bridge vote and the front page.
  const bridge = demoQuestion(network, 'bridge-approved')
  const sourcesJson = JSON.stringify(bridge.spec.sources)
  const rules = 'YES if the claim is true as the sources report it; NO if they report otherwise.'
  const oracle = net.deployment.contracts.resolutionOracle
  const d2 = await new SibylOptimisticOracleV2__factory(net.deployer).deploy(oracle, sourcesJson, rules, CALLBACK_GAS_LIMIT)
  const d3 = await new SibylOptimisticOracleV3__factory(net.deployer).deploy(oracle, sourcesJson, rules, CALLBACK_GAS_LIMIT, FEE_WEI)
  await Promise.all([d2.waitForDeployment(), d3.waitForDeployment()])
  v2 = SibylOptimisticOracleV2__factory.connect(await d2.getAddress(), net.deployer)
  v3 = SibylOptimisticOracleV3__factory.connect(await d3.getAddress(), net.deployer)
})

test.after.always(async () => {
  await network?.stop()
})

/** Moves the chain clock past every commit's dispute window and finalizes each: the oracle calls the facade back. */
async function finalizeAll(commits: readonly CommitEvent[]) {
  const { provider, contracts } = network.net
  // A request the oracle's scrutiny finds contested has a longer window: ask the oracle where each one ends.
  let endsAt = 0
  for (const c of commits) endsAt = Math.max(endsAt, Number(await contracts.oracle.disputeEndsAt(c.requestId)))
  await increaseTime(provider, Math.max(0, endsAt - (await latestTimestamp(provider))) + 1)
  const receipts = []
  for (const c of commits) receipts.push(await mined(contracts.oracle.finalize(c.requestId, c.signers)))
  return receipts
}

test.serial("UMA's OptimisticRequesterTest, unchanged, requests, is called back and settles Sibyl's prices", async (t) => {
  t.timeout(240_000)
  const { net } = network
  const { token, oracle } = net.contracts
  const requester = await deployOptimisticRequesterTest(net.deployer, await v2.getAddress())
  const call = (name: string, ...args: unknown[]) => mined(requester.getFunction(name)(...args))
  const timestamp = BigInt(await latestTimestamp(net.provider))
  // The ancillary data as the question text (judged from the facade's sources), and a whole Sibyl spec with
  // sources of its own (the lighthouse article, whose answer is NO) in the outcome order the facade asks.
  const yesData = hexlify(toUtf8Bytes('Did the Port Alder City Council approve the Millrace Bridge replacement?'))
  const lighthouse = demoQuestion(network, 'lighthouse-reopened')
  const noSpec = { version: 1, type: 'text', question: lighthouse.spec.question, sources: lighthouse.spec.sources, rules: lighthouse.spec.rules, outcomes: ['NO', 'YES'] }
  const noData = hexlify(toUtf8Bytes(JSON.stringify(noSpec)))

  await mined(token.mint(requester.target, 2n * FEE_WEI))
  const asked = await call('requestPrice', YES_OR_NO_QUERY, timestamp, yesData, token.target, FEE_WEI)
  const requested = findEvent(v2, asked, 'RequestPrice')
  t.is(requested.args.requester, await requester.getAddress())
  t.is(requested.args.reward, FEE_WEI)
  await call('requestPrice', YES_OR_NO_QUERY, timestamp, noData, token.target, FEE_WEI)
  // UMA's request settings: recorded and returned, while the request is still Requested.
  await call('setCallbacks', YES_OR_NO_QUERY, timestamp, yesData, true, true, true)
  await call('setBond', YES_OR_NO_QUERY, timestamp, yesData, 5n * FEE_WEI)
  await call('setCustomLiveness', YES_OR_NO_QUERY, timestamp, yesData, 7200n)
  await call('setEventBased', YES_OR_NO_QUERY, timestamp, yesData)
  const before = await v2.getRequest(requester.target, YES_OR_NO_QUERY, timestamp, yesData)
  t.is(before.currency, await token.getAddress())
  t.is(before.reward, FEE_WEI)
  t.deepEqual([...before.requestSettings], [true, true, true, true, true, 5n * FEE_WEI, 7200n])
  t.is(await v2.getState(requester.target, YES_OR_NO_QUERY, timestamp, yesData), STATE.Requested)
  t.false(await v2.hasPrice(requester.target, YES_OR_NO_QUERY, timestamp, yesData))
  await revertsWithError(t, requester.getFunction('settleAndGetPrice').staticCall(YES_OR_NO_QUERY, timestamp, yesData), v2.interface, 'NotSettleable')
  await revertsWithError(t, v2.proposePrice(requester.target, YES_OR_NO_QUERY, timestamp, yesData, PRICE_YES), v2.interface, 'Unsupported')
  // The reward paid Sibyl's fee: the requester holds nothing, the oracle holds both fees.
  t.is(await token.balanceOf(requester.target), 0n)

  const yesId = await v2.sibylRequestId(requester.target, YES_OR_NO_QUERY, timestamp, yesData)
  const noId = await v2.sibylRequestId(requester.target, YES_OR_NO_QUERY, timestamp, noData)
  const [yesCommit, noCommit] = await Promise.all([waitForCommit(net, yesId, { timeoutMs: 180_000 }), waitForCommit(net, noId, { timeoutMs: 180_000 })])
  t.is(yesCommit.answer, 1n, 'YES: the council approved the bridge')
  t.is(noCommit.answer, 0n, 'NO: the museum stayed closed')

  // The network's commit is the proposal; the dispute window is the liveness.
  t.is(await v2.getState(requester.target, YES_OR_NO_QUERY, timestamp, yesData), STATE.Proposed)
  const proposed = await v2.getRequest(requester.target, YES_OR_NO_QUERY, timestamp, yesData)
  t.is(proposed.proposer, await oracle.getAddress())
  t.is(proposed.proposedPrice, PRICE_YES)
  t.is(proposed.expirationTime, await oracle.disputeEndsAt(yesId))
  const poked = await mined(v2.pokeRequest(requester.target, YES_OR_NO_QUERY, timestamp, yesData))
  t.is(findEvent(v2, poked, 'ProposePrice').args.proposedPrice, PRICE_YES)
  t.true(findEvent(v2, poked, 'ClientCallback').args.success, 'priceProposed delivered')
  t.is(await requester.getFunction('ancillaryData')(), yesData)

  const [yesFinal] = await finalizeAll([yesCommit, noCommit])
  t.true(findEvent(oracle, yesFinal!, 'CallbackResult').args.success)
  const settled = findEvent(v2, yesFinal!, 'Settle')
  t.is(settled.args.price, PRICE_YES)
  // priceSettled reached UMA's client with the price.
  t.is(await requester.getFunction('price')(), PRICE_YES)
  t.is(await v2.getState(requester.target, YES_OR_NO_QUERY, timestamp, yesData), STATE.Settled)
  for (const [data, price] of [
    [yesData, PRICE_YES],
    [noData, 0n],
  ] as const) {
    t.true(await v2.hasPrice(requester.target, YES_OR_NO_QUERY, timestamp, data))
    t.is(await requester.getFunction('settleAndGetPrice').staticCall(YES_OR_NO_QUERY, timestamp, data), price)
    await call('settleAndGetPrice', YES_OR_NO_QUERY, timestamp, data)
    t.is((await v2.getRequest(requester.target, YES_OR_NO_QUERY, timestamp, data)).resolvedPrice, price)
  }
  t.deepEqual(getBytes(await requester.getFunction('ancillaryData')()), getBytes(yesData))
})

test.serial('a client written against UMA V3 interfaces asserts a claim and is called back with Sibyl\'s verdict', async (t) => {
  t.timeout(240_000)
  const { net } = network
  const { token, oracle } = net.contracts
  const deployed = await new ClaimRecorder__factory(net.deployer).deploy(v3.target, token.target, 7200)
  await deployed.waitForDeployment()
  const recorder = ClaimRecorder__factory.connect(await deployed.getAddress(), net.deployer)
  const asserter = await fundedWallet(net, 'uma v3 asserter', 0)
  t.is(await v3.getMinimumBond(token.target), FEE_WEI)
  t.is(await v3.defaultIdentifier(), encodeBytes32String('ASSERT_TRUTH'))
  await mined(token.mint(asserter.address, FEE_WEI))
  await mined(token.connect(asserter).approve(recorder.target, FEE_WEI))

  const claim = 'The Port Alder City Council approved the Millrace Bridge replacement.'
  const receipt = await mined(recorder.connect(asserter).assertClaim(toUtf8Bytes(claim)))
  const made = findEvent(v3, receipt, 'AssertionMade')
  const assertionId = made.args.assertionId
  t.is(made.args.asserter, asserter.address)
  t.is(made.args.callbackRecipient, await recorder.getAddress())
  t.is(await recorder.lastAssertionId(), assertionId)
  const open = await v3.getAssertion(assertionId)
  t.is(open.asserter, asserter.address)
  t.is(open.bond, FEE_WEI)
  t.false(open.settled)
  await revertsWithError(t, v3.getAssertionResult(assertionId), v3.interface, 'AssertionNotSettled')
  await revertsWithError(t, v3.disputeAssertion(assertionId, asserter.address), v3.interface, 'Unsupported')

  // The assertion id is the Sibyl request id; the claim is asked as a yes/no question.
  const commit = await waitForCommit(net, assertionId, { timeoutMs: 180_000 })
  t.is(commit.answer, 1n)
  t.is((await readRequest(net, assertionId)).status, REQUEST_STATUS.Committed)
  t.is((await v3.getAssertion(assertionId)).expirationTime, await oracle.disputeEndsAt(assertionId))
  const [final] = await finalizeAll([commit])
  t.true(findEvent(oracle, final!, 'CallbackResult').args.success)
  const settledEvent = findEvent(v3, final!, 'AssertionSettled')
  t.true(settledEvent.args.settlementResolution)
  t.true(findEvent(recorder, final!, 'ClaimResolved').args.assertedTruthfully)
  const record = await recorder.records(assertionId)
  t.true(record.resolved)
  t.true(record.assertedTruthfully)
  t.true(await v3.getAssertionResult(assertionId))
  t.true(await v3.settleAndGetAssertionResult.staticCall(assertionId))
  t.true((await v3.getAssertion(assertionId)).settled)
})
