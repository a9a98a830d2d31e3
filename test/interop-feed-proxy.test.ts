/**
 * A Sibyl feed read the way Chainlink consumers read one, on a real anvil: a contract written against
 * Chainlink's AggregatorInterface reads latestAnswer() through a FeedProxy and sees every transmitted round
 * (signed FeedObservations from the operators' real keys), and the proxy behaves like Chainlink's
 * AggregatorProxy across an aggregator upgrade: phase ids packed into round ids, a proposed aggregator read
 * before it is confirmed, the phase switch, old phases readable, and governance with a delay.
 */
import test, { type ExecutionContext } from 'ava'
import { AbiCoder, Contract, parseEther, toBeHex, type Wallet } from 'ethers'
import { increaseTime, localWallet, setBalance, startLocalNetwork, type LocalNetwork } from '@sibyl/devnet/local-network'
import { decodeContractError, revertDataOf } from '@sibyl/contracts/decode-error'
import { mined, signFeedValues } from '@sibyl/contracts/requests'
import {
  FeedAggregator__factory,
  FeedProxy__factory,
  LatestAnswerConsumer__factory,
  type FeedAggregator,
  type FeedProxy,
  type LatestAnswerConsumer,
} from '@sibyl/contracts/typechain'

const DESCRIPTION = 'ETH / USD'
const DECIMALS = 8
const MIN_ANSWER = 1n
const MAX_ANSWER = 100_000_000_000_000n
const PRICE = 3000n * 10n ** 8n
const UPGRADE_DELAY_SEC = 24 * 3600
/** Chainlink's proxies put the phase id above the aggregator's round id: (phaseId << 64) | roundId. */
const PHASE_OFFSET = 64n
const packed = (phaseId: bigint, roundId: bigint | number) => (phaseId << PHASE_OFFSET) | BigInt(roundId)

/** keccak256 of Chainlink's AggregatorInterface events, the topics feed indexers watch. */
const ANSWER_UPDATED_TOPIC = '0x0559884fd3a460db3073b7fc896cc77986f16e378210ded43186175bf646fc5f'
const NEW_ROUND_TOPIC = '0x0109fc6f55cf40689f02fbaad7af7fe7bbac8a3d2186600afc7d3e10cac60271'

/**
 * What a consumer compiles against: Chainlink's AggregatorV2V3Interface and the AggregatorProxy views and
 * upgrade calls. Hand-written on purpose: no Sibyl binding, so the proxy is checked against Chainlink's ABI.
 */
const chainlinkProxyAbi = [
  'function latestAnswer() view returns (int256)',
  'function latestTimestamp() view returns (uint256)',
  'function latestRound() view returns (uint256)',
  'function getAnswer(uint256 roundId) view returns (int256)',
  'function getTimestamp(uint256 roundId) view returns (uint256)',
  'function decimals() view returns (uint8)',
  'function description() view returns (string)',
  'function version() view returns (uint256)',
  'function getRoundData(uint80 _roundId) view returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)',
  'function latestRoundData() view returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)',
  'function phaseId() view returns (uint16)',
  'function phaseAggregators(uint16) view returns (address)',
  'function aggregator() view returns (address)',
  'function proposedAggregator() view returns (address)',
  'function proposedGetRoundData(uint80 roundId) view returns (uint80 id, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)',
  'function proposedLatestRoundData() view returns (uint80 id, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)',
]

let net: LocalNetwork
let governance: Wallet
let feed: FeedAggregator
let next: FeedAggregator
let proxy: FeedProxy
let chainlink: Contract
let consumer: LatestAnswerConsumer
/** Rounds recorded so far, as the consumer must have seen them. */
const expectedSeen: { answer: bigint; roundId: bigint; updatedAt: bigint }[] = []

test.before(async () => {
  net = await startLocalNetwork({
    operators: 4,
    config: { feeds: [{ description: DESCRIPTION, decimals: DECIMALS, minAnswer: MIN_ANSWER.toString(), maxAnswer: MAX_ANSWER.toString() }] },
  })
  governance = localWallet('feed governance', 0, net.provider)
  await setBalance(net.provider, governance.address, parseEther('10'))
  feed = FeedAggregator__factory.connect(net.deployment.contracts.feeds[0]!.address, net.deployer)
  proxy = await (await new FeedProxy__factory(net.deployer).deploy(feed.target, UPGRADE_DELAY_SEC, governance.address)).waitForDeployment()
  chainlink = new Contract(proxy.target, chainlinkProxyAbi, net.provider)
  consumer = await (await new LatestAnswerConsumer__factory(net.deployer).deploy(proxy.target)).waitForDeployment()
  // The next aggregator of the same feed (same description, so the same feedId; its own signing domain).
  next = await (
    await new FeedAggregator__factory(net.deployer).deploy(
      net.deployment.contracts.staking,
      DECIMALS,
      DESCRIPTION,
      MIN_ANSWER,
      MAX_ANSWER,
      await feed.maxObservationAgeSec(),
    )
  ).waitForDeployment()
})

test.after.always(async () => {
  await net?.stop()
})

// ================================================================
// |                          Builders                            |
// ================================================================

/** Three operators sign values around `median` for `aggregator`'s next round, and it is transmitted. */
async function transmitRound(aggregator: FeedAggregator, median: bigint) {
  const roundId = Number(await aggregator.latestRoundId()) + 1
  const feedId = await aggregator.feedId()
  const report = await signFeedValues(aggregator, net.operators.slice(0, 3), feedId, roundId, [median + 7n, median, median - 7n])
  const receipt = await mined(aggregator.transmit(report.roundId, report.values))
  const block = await net.provider.getBlock(receipt.blockNumber)
  return { roundId, receipt, updatedAt: BigInt(block!.timestamp) }
}

/** The consumer reads through the proxy; what it stored must be the latest round, with its packed id. */
async function consumerReads(t: ExecutionContext, expected: { answer: bigint; roundId: bigint; updatedAt: bigint }) {
  await mined(consumer.record())
  expectedSeen.push(expected)
  t.is(await consumer.seenCount(), BigInt(expectedSeen.length))
  const seen = await Promise.all(expectedSeen.map((_, i) => consumer.seen(i)))
  t.deepEqual(
    seen.map((s) => ({ answer: s.answer, roundId: s.roundId, updatedAt: s.updatedAt })),
    expectedSeen,
  )
}

async function call<T = bigint>(name: string, ...args: unknown[]): Promise<T> {
  return (await chainlink.getFunction(name)(...args)) as T
}

async function roundData(name: 'getRoundData' | 'latestRoundData' | 'proposedGetRoundData' | 'proposedLatestRoundData', ...args: unknown[]) {
  return [...(await chainlink.getFunction(name)(...args))] as bigint[]
}

/** Asserts a custom error of the proxy, the aggregator or the consumer, with its arguments. */
async function revertsWith(t: ExecutionContext, promise: Promise<unknown>, name: string, args: readonly unknown[]) {
  const error = await t.throwsAsync(promise)
  const interfaces = [FeedProxy__factory, LatestAnswerConsumer__factory].map((f) => f.createInterface())
  const data = revertDataOf(error)
  const decoded = decodeContractError(error) ?? interfaces.map((i) => (data ? i.parseError(data) : null)).find((d) => d)
  t.is(decoded?.name, name, `expected ${name}, got ${decoded?.name ?? error?.message.slice(0, 200)}`)
  t.deepEqual([...(decoded?.args ?? [])], [...args], `${name} arguments`)
}

/** Asserts a require-string revert (OpenZeppelin's Ownable). */
async function revertsWithReason(t: ExecutionContext, promise: Promise<unknown>, reason: string) {
  const error = await t.throwsAsync(promise)
  const data = revertDataOf(error)
  t.truthy(data?.startsWith('0x08c379a0'), `expected Error(string), got ${error?.message.slice(0, 200)}`)
  t.is(AbiCoder.defaultAbiCoder().decode(['string'], `0x${data!.slice(10)}`)[0], reason)
}

// ================================================================
// |                           Tests                              |
// ================================================================

test.serial('before any round: the proxy is phase 1 of the feed, V2 getters read 0, V3 reverts, the consumer refuses', async (t) => {
  t.is(await call('phaseId'), 1n)
  t.is(await call<string>('aggregator'), String(feed.target))
  t.is(await call<string>('phaseAggregators', 1), String(feed.target))
  t.is(await call<string>('phaseAggregators', 2), '0x0000000000000000000000000000000000000000')
  t.is(await proxy.owner(), governance.address)
  t.is(await call('decimals'), BigInt(DECIMALS))
  t.is(await call<string>('description'), DESCRIPTION)
  t.is(await call('version'), 1n)
  t.is(await call('latestAnswer'), 0n)
  t.is(await call('latestTimestamp'), 0n)
  t.is(await call('latestRound'), packed(1n, 0))
  await revertsWith(t, chainlink.getFunction('latestRoundData')(), 'NoDataPresent', [0n])
  await revertsWith(t, consumer.record(), 'NoPrice', [])
})

test.serial('a consumer reading latestAnswer() through the proxy sees each transmitted round', async (t) => {
  for (const [i, median] of [PRICE, PRICE + 150n, PRICE - 42n].entries()) {
    const { roundId, receipt, updatedAt } = await transmitRound(feed, median)
    t.is(roundId, i + 1)
    // The aggregator (phase 1) emits Chainlink's events, with its own round id, as Chainlink's aggregators do.
    const topics = (topic: string) => receipt.logs.filter((l) => l.topics[0] === topic && l.address === String(feed.target))
    t.deepEqual(topics(ANSWER_UPDATED_TOPIC).map((l) => l.topics.slice(1)), [[AbiCoder.defaultAbiCoder().encode(['int256'], [median]), toBeHex(roundId, 32)]])
    t.deepEqual(topics(NEW_ROUND_TOPIC).map((l) => l.topics.slice(1)), [[toBeHex(roundId, 32), AbiCoder.defaultAbiCoder().encode(['address'], [net.deployer.address])]])

    t.is(await call('latestAnswer'), median)
    t.is(await call('latestTimestamp'), updatedAt)
    t.is(await call('latestRound'), packed(1n, roundId))
    await consumerReads(t, { answer: median, roundId: packed(1n, roundId), updatedAt })
  }
})

test.serial('round ids pack the phase: (phaseId << 64) | aggregator round, in V3 and V2 reads; unknown rounds as Chainlink', async (t) => {
  const [roundId, answer, startedAt, updatedAt, answeredInRound] = await roundData('latestRoundData')
  t.is(roundId, packed(1n, 3))
  t.is(answeredInRound, packed(1n, 3))
  t.is(answer, PRICE - 42n)
  t.is(startedAt, updatedAt)
  t.is(roundId! >> PHASE_OFFSET, 1n)
  // Every round, through its packed id, is the aggregator's round.
  for (const r of [1n, 2n, 3n]) {
    const direct = await feed.getRoundData(r)
    t.deepEqual(await roundData('getRoundData', packed(1n, r)), [packed(1n, r), direct[1], direct[2], direct[3], packed(1n, r)])
    t.is(await call('getAnswer', packed(1n, r)), direct[1])
    t.is(await call('getTimestamp', packed(1n, r)), direct[3])
  }
  // Unknown: the V2 getters read 0, the V3 getter reverts (the proxy for a phase that has not been, the
  // aggregator for a round it does not have).
  for (const unknown of [3n, packed(1n, 4), packed(2n, 1), packed(1n, 2n ** 32n + 1n), (1n << 80n) | packed(1n, 1)]) {
    t.is(await call('getAnswer', unknown), 0n, `getAnswer(${unknown})`)
    t.is(await call('getTimestamp', unknown), 0n, `getTimestamp(${unknown})`)
  }
  await revertsWith(t, chainlink.getFunction('getRoundData')(3n), 'NoDataPresent', [3n])
  await revertsWith(t, chainlink.getFunction('getRoundData')(packed(2n, 1)), 'NoDataPresent', [packed(2n, 1)])
  await revertsWith(t, chainlink.getFunction('getRoundData')(packed(1n, 4)), 'NoDataPresent', [4n])
})

test.serial('a proposed aggregator is read before it is confirmed, in its own round ids; consumers still read the current one', async (t) => {
  await revertsWith(t, chainlink.getFunction('proposedLatestRoundData')(), 'NoProposal', [])
  const proposal = await mined(proxy.connect(governance).proposeAggregator(next.target))
  const proposedAt = BigInt((await net.provider.getBlock(proposal.blockNumber))!.timestamp)
  const [event] = await proxy.queryFilter(proxy.filters.AggregatorProposed(), proposal.blockNumber, proposal.blockNumber)
  t.deepEqual([event!.args.current, event!.args.proposed, event!.args.confirmableAt], [String(feed.target), String(next.target), proposedAt + BigInt(UPGRADE_DELAY_SEC)])
  t.is(await call<string>('proposedAggregator'), String(next.target))
  await revertsWith(t, chainlink.getFunction('proposedLatestRoundData')(), 'NoDataPresent', [0n])

  const first = await transmitRound(next, PRICE + 1000n)
  const second = await transmitRound(next, PRICE + 1001n)
  t.deepEqual(await roundData('proposedLatestRoundData'), [2n, PRICE + 1001n, second.updatedAt, second.updatedAt, 2n])
  t.deepEqual(await roundData('proposedGetRoundData', 1n), [1n, PRICE + 1000n, first.updatedAt, first.updatedAt, 1n])

  // Nothing a consumer reads has moved.
  t.is(await call('latestAnswer'), PRICE - 42n)
  t.is(await call('latestRound'), packed(1n, 3))
  await consumerReads(t, { answer: PRICE - 42n, roundId: packed(1n, 3), updatedAt: expectedSeen.at(-1)!.updatedAt })
})

test.serial('only governance confirms, and not before upgradeDelaySec after the proposal', async (t) => {
  const confirmableAt = await proxy.proposalConfirmableAt()
  await revertsWithReason(t, proxy.connect(net.deployer).confirmAggregator(next.target), 'Ownable: caller is not the owner')
  await revertsWithReason(t, proxy.connect(net.deployer).proposeAggregator(next.target), 'Ownable: caller is not the owner')
  await revertsWith(t, proxy.connect(governance).confirmAggregator(next.target), 'UpgradeDelayNotElapsed', [confirmableAt])
  await revertsWith(t, proxy.connect(governance).confirmAggregator(feed.target), 'NotProposed', [String(feed.target), String(next.target)])
  t.is(await call('phaseId'), 1n)
})

test.serial('the phase switch: phase 2 ids, the consumer sees the new aggregator at the same address, phase 1 stays readable', async (t) => {
  const before = await call('latestRound')
  const now = BigInt((await net.provider.getBlock('latest'))!.timestamp)
  await increaseTime(net.provider, Number((await proxy.proposalConfirmableAt()) - now))
  const receipt = await mined(proxy.connect(governance).confirmAggregator(next.target))
  const [event] = await proxy.queryFilter(proxy.filters.AggregatorConfirmed(), receipt.blockNumber, receipt.blockNumber)
  t.deepEqual([event!.args.previous, event!.args.latest, event!.args.phaseId], [String(feed.target), String(next.target), 2n])

  t.is(await call('phaseId'), 2n)
  t.is(await call<string>('aggregator'), String(next.target))
  t.is(await call<string>('phaseAggregators', 2), String(next.target))
  t.is(await call<string>('phaseAggregators', 1), String(feed.target))
  t.is(await call<string>('proposedAggregator'), '0x0000000000000000000000000000000000000000')
  // The new aggregator restarts at round 1, but the proxy's ids keep growing.
  const latest = await call('latestRound')
  t.is(latest, packed(2n, 2))
  t.true(latest > before)
  const round2At = await next.getTimestamp(2)
  t.deepEqual(await roundData('latestRoundData'), [packed(2n, 2), PRICE + 1001n, round2At, round2At, packed(2n, 2)])
  await consumerReads(t, { answer: PRICE + 1001n, roundId: packed(2n, 2), updatedAt: round2At })

  // Rounds transmitted from now on reach the consumer through the same address.
  for (const median of [PRICE + 2000n, PRICE + 2500n]) {
    const { roundId, updatedAt } = await transmitRound(next, median)
    await consumerReads(t, { answer: median, roundId: packed(2n, roundId), updatedAt })
  }
  // The old aggregator no longer speaks for the proxy...
  await transmitRound(feed, PRICE - 1n)
  t.is(await call('latestAnswer'), PRICE + 2500n)
  // ...but its rounds stay readable through their phase 1 ids.
  const old = await feed.getRoundData(2)
  t.deepEqual(await roundData('getRoundData', packed(1n, 2)), [packed(1n, 2), PRICE + 150n, old[2], old[3], packed(1n, 2)])
  t.is(await call('getAnswer', packed(1n, 1)), PRICE)
  t.is(await call('getAnswer', packed(2n, 1)), PRICE + 1000n)
  t.is(await call('getTimestamp', packed(1n, 3)), (await feed.getRoundData(3))[3])
})
