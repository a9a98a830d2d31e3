/**
 * FeedAggregator against a real anvil: it reads like a Chainlink feed (AggregatorV3Interface, and the
 * AnswerUpdated event of Chainlink's AggregatorInterface), it records the upper median of a quorum of
 * signed values, and it refuses every bad transmit with the exact custom error, leaving the feed as it was.
 */
import test, { type ExecutionContext } from 'ava'
import { AbiCoder, Contract, Interface, toBeHex } from 'ethers'
import type { Observation } from '@sibyl/protocol/eip712'
import { buildObservation } from '@sibyl/protocol/testing/build-observation'
import { feedIdOf, type FeedTransmit, type FeedValue } from '@sibyl/protocol/report'
import { latestTimestamp, startLocalNetwork, startNextEpoch, type LocalNetwork } from '@sibyl/devnet/local-network'
import { domainOf, findEvent, mined, signFeedValues } from '@sibyl/contracts/requests'
import { FeedAggregator__factory, type FeedAggregator } from '@sibyl/contracts/typechain'
import { revertsWithArgs } from './helpers/reverts-with-args.ts'
import { orderAsContract, recoverAsContract } from './helpers/signatures.ts'

const DESCRIPTION = 'ETH / USD'
const DECIMALS = 8
const MIN_ANSWER = 1n
const MAX_ANSWER = 100_000_000_000_000n // 1,000,000.00000000 USD
/** 3000 USD at 8 decimals. */
const PRICE = 3000n * 10n ** 8n
const WILD = 10n ** 20n

/** keccak256("AnswerUpdated(int256,uint256,uint256)"), the topic Chainlink feed indexers watch. */
const CHAINLINK_ANSWER_UPDATED_TOPIC = '0x0559884fd3a460db3073b7fc896cc77986f16e378210ded43186175bf646fc5f'

/** What an existing Chainlink consumer compiles against: AggregatorV3Interface, and AnswerUpdated. */
const aggregatorV3Abi = [
  'function decimals() view returns (uint8)',
  'function description() view returns (string)',
  'function version() view returns (uint256)',
  'function getRoundData(uint80 _roundId) view returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)',
  'function latestRoundData() view returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)',
]
const answerUpdatedEvent = new Interface(['event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt)'])

let net: LocalNetwork
let feed: FeedAggregator
/** The same feed seen through Chainlink's interface only (a hand-written ABI on purpose: no Sibyl binding). */
let chainlinkView: Contract
let feedId: string
/** Round 1 as transmitted, kept to be replayed byte for byte. */
let firstRound: FeedTransmit

test.before(async () => {
  net = await startLocalNetwork({
    operators: 4,
    config: { feeds: [{ description: DESCRIPTION, decimals: DECIMALS, minAnswer: MIN_ANSWER.toString(), maxAnswer: MAX_ANSWER.toString() }] },
  })
  const deployed = net.deployment.contracts.feeds[0]!
  feed = FeedAggregator__factory.connect(deployed.address, net.deployer)
  chainlinkView = new Contract(deployed.address, aggregatorV3Abi, net.provider)
  feedId = deployed.feedId
})

test.after.always(async () => {
  await net?.stop()
})

// ================================================================
// |                          Builders                            |
// ================================================================

/** Operators 0..k-1 each sign their own value for `roundId`; sorted by signer, ready to transmit. */
function sign(roundId: number, values: readonly bigint[]): Promise<FeedTransmit> {
  return signFeedValues(feed, net.operators.slice(0, values.length), feedId, roundId, values)
}

function transmit(report: Pick<FeedTransmit, 'roundId' | 'values'>) {
  return feed.transmit(report.roundId, report.values)
}

async function roundData(roundId: number | bigint): Promise<bigint[]> {
  return [...(await chainlinkView.getFunction('getRoundData')(roundId))]
}

async function latestRoundData(): Promise<bigint[]> {
  return [...(await chainlinkView.getFunction('latestRoundData')())]
}

/** The observation the contract rebuilds from one transmitted value. */
const observationOf = (roundId: number) => (v: FeedValue): Observation =>
  buildObservation({
    requestId: feedId,
    round: roundId,
    answer: v.answer,
    observedAt: Number(v.observedAt),
    confidenceBps: v.confidenceBps,
    evidenceHash: v.evidenceHash,
    modelHash: v.modelHash,
  })

/** Transmits a round and checks what a Chainlink consumer and indexer see afterwards. */
async function transmitAndCheck(t: ExecutionContext, roundId: number, values: readonly bigint[], expectedMedian: bigint) {
  const report = await sign(roundId, values)
  const receipt = await mined(transmit(report))
  const block = await net.provider.getBlock(receipt.blockNumber)
  const updatedAt = BigInt(block!.timestamp)

  // AnswerUpdated, decoded with nothing but Chainlink's event declaration.
  const logs = receipt.logs.filter((l) => l.topics[0] === CHAINLINK_ANSWER_UPDATED_TOPIC)
  t.is(logs.length, 1)
  const log = logs[0]!
  t.is(log.address, String(feed.target))
  t.deepEqual(log.topics, [
    CHAINLINK_ANSWER_UPDATED_TOPIC,
    AbiCoder.defaultAbiCoder().encode(['int256'], [expectedMedian]),
    toBeHex(roundId, 32),
  ])
  const parsed = answerUpdatedEvent.parseLog(log)!
  t.deepEqual([parsed.args.getValue('current'), parsed.args.getValue('roundId'), parsed.args.getValue('updatedAt')], [expectedMedian, BigInt(roundId), updatedAt])

  const transmission = findEvent(feed, receipt, 'NewTransmission')
  t.is(transmission.args.answer, expectedMedian)
  t.is(transmission.args.transmitter, net.deployer.address)
  // The members' signing keys, in report order (Staking.operatorsOf names their operators).
  t.deepEqual([...transmission.args.signers], report.signers)

  const expected = [BigInt(roundId), expectedMedian, updatedAt, updatedAt, BigInt(roundId)]
  t.deepEqual(await latestRoundData(), expected)
  t.deepEqual(await roundData(roundId), expected)
  return report
}

// ================================================================
// |                           Tests                              |
// ================================================================

test.serial('before its first round the feed reads like an empty Chainlink feed: metadata, and NoDataPresent', async (t) => {
  t.is(await chainlinkView.getFunction('decimals')(), BigInt(DECIMALS))
  t.is(await chainlinkView.getFunction('description')(), DESCRIPTION)
  t.is(await chainlinkView.getFunction('version')(), 1n)
  t.is(await feed.feedId(), feedIdOf(DESCRIPTION))
  t.is(feedId, feedIdOf(DESCRIPTION))
  t.like(net.deployment.contracts.feeds[0], { description: DESCRIPTION, decimals: DECIMALS })
  t.is(await feed.minAnswer(), MIN_ANSWER)
  t.is(await feed.maxAnswer(), MAX_ANSWER)
  t.is(await feed.latestRoundId(), 0n)

  await revertsWithArgs(t, chainlinkView.getFunction('latestRoundData')(), 'NoDataPresent', [0n])
  for (const roundId of [0n, 1n, 2n ** 80n - 1n]) {
    await revertsWithArgs(t, chainlinkView.getFunction('getRoundData')(roundId), 'NoDataPresent', [roundId])
  }
})

test.serial('a round records the upper median; one wild value among four cannot move it; AnswerUpdated is Chainlink\'s', async (t) => {
  // Sorted: P-50, P+12, P+100, WILD (above maxAnswer itself). Upper median: index 2 = P+100.
  firstRound = await transmitAndCheck(t, 1, [PRICE + 12n, PRICE - 50n, WILD, PRICE + 100n], PRICE + 100n)
  // A wild low value: -WILD, P+200, P+250, P+300 -> P+250.
  await transmitAndCheck(t, 2, [PRICE + 200n, -WILD, PRICE + 300n, PRICE + 250n], PRICE + 250n)
  // Three values (a quorum at n = 4), odd count: the middle one.
  await transmitAndCheck(t, 3, [PRICE + 1n, WILD, PRICE + 4n], PRICE + 4n)

  // Earlier rounds stay readable; a round not yet transmitted is NoDataPresent, however its id is written.
  t.is((await roundData(1))[1], PRICE + 100n)
  t.is((await roundData(2))[1], PRICE + 250n)
  await revertsWithArgs(t, chainlinkView.getFunction('getRoundData')(4n), 'NoDataPresent', [4n])
  // 2^32 + 1 would read round 1 if the id were truncated to uint32 before the check.
  await revertsWithArgs(t, chainlinkView.getFunction('getRoundData')(2n ** 32n + 1n), 'NoDataPresent', [2n ** 32n + 1n])
})

test.serial('a replayed round and a skipped round are refused (StaleRound), and the feed is unchanged', async (t) => {
  const latest = await latestRoundData()
  t.is(latest[0], 3n)
  await revertsWithArgs(t, transmit(firstRound), 'StaleRound', [1n, 4n])
  // Freshly signed values for a round already recorded are no better.
  await revertsWithArgs(t, transmit(await sign(3, [PRICE, PRICE, PRICE])), 'StaleRound', [3n, 4n])
  await revertsWithArgs(t, transmit(await sign(0, [PRICE, PRICE, PRICE])), 'StaleRound', [0n, 4n])
  await revertsWithArgs(t, transmit(await sign(5, [PRICE, PRICE, PRICE])), 'StaleRound', [5n, 4n])
  t.is(await feed.latestRoundId(), 3n)
  t.deepEqual(await latestRoundData(), latest)
})

test.serial('a median outside [minAnswer, maxAnswer] is refused (AnswerOutOfBounds); the bounds themselves are allowed', async (t) => {
  const latest = await latestRoundData()
  const bounds = [MIN_ANSWER, MAX_ANSWER]
  // Sorted 5, M+1, M+1, M+1: the upper median is M+1.
  await revertsWithArgs(t, transmit(await sign(4, [MAX_ANSWER + 1n, 5n, MAX_ANSWER + 1n, MAX_ANSWER + 1n])), 'AnswerOutOfBounds', [MAX_ANSWER + 1n, ...bounds])
  // Sorted 0, 0, 0, P: the upper median is 0, below the minimum of 1.
  await revertsWithArgs(t, transmit(await sign(4, [0n, PRICE, 0n, 0n])), 'AnswerOutOfBounds', [0n, ...bounds])
  await revertsWithArgs(t, transmit(await sign(4, [-PRICE, -PRICE, -PRICE])), 'AnswerOutOfBounds', [-PRICE, ...bounds])
  t.deepEqual(await latestRoundData(), latest)

  await transmitAndCheck(t, 4, [MAX_ANSWER, MAX_ANSWER, MAX_ANSWER], MAX_ANSWER)
  await transmitAndCheck(t, 5, [MIN_ANSWER, MIN_ANSWER, MIN_ANSWER, MAX_ANSWER], MIN_ANSWER)
})

test.serial('a transmit short of the quorum by one is refused (QuorumNotReached)', async (t) => {
  const latest = await latestRoundData()
  t.is(await feed.quorumFor(4n), 3n)
  await revertsWithArgs(t, transmit(await sign(6, [PRICE, PRICE])), 'QuorumNotReached', [2n, 3n])
  t.deepEqual(await latestRoundData(), latest)
})

test.serial('a transmitter can neither alter a signed value nor repeat one', async (t) => {
  const latest = await latestRoundData()
  const domain = await domainOf(feed)
  const report = await sign(6, [PRICE, PRICE + 1n, PRICE + 2n])
  const [a, b, c] = report.values as [FeedValue, FeedValue, FeedValue]

  // Raising one value (or its time) changes what was signed: its signature now recovers to an address nobody
  // staked, which does not count.
  for (const altered of [{ ...b, answer: MAX_ANSWER }, { ...b, observedAt: b.observedAt - 1n }]) {
    const alteredSigner = await recoverAsContract(net.provider, domain, observationOf(6)(altered), altered)
    t.truthy(alteredSigner)
    t.false(report.signers.includes(alteredSigner!))
    const ordered = await orderAsContract(net.provider, domain, [a, altered, c], observationOf(6))
    await revertsWithArgs(t, transmit({ roundId: 6, values: ordered.entries }), 'QuorumNotReached', [2n, 3n])
  }
  // One node's value twice, to push the median its way.
  await revertsWithArgs(t, transmit({ roundId: 6, values: [a, b, c, c] }), 'SignersNotAscending', [3n, report.signers[2]])
  await revertsWithArgs(t, transmit({ roundId: 6, values: [c, b, a] }), 'SignersNotAscending', [1n, report.signers[1]])
  t.deepEqual(await latestRoundData(), latest)

  await transmitAndCheck(t, 6, [PRICE, PRICE + 1n, PRICE + 2n], PRICE + 1n)
})

test.serial('values observed longer ago than maxObservationAgeSec, or in the future, do not count', async (t) => {
  const latest = await latestRoundData()
  const now = await latestTimestamp(net.provider)
  const maxAge = Number(await feed.maxObservationAgeSec())
  const stale = await signFeedValues(feed, net.operators.slice(0, 3), feedId, 7, [PRICE, PRICE, PRICE], now - maxAge - 10)
  await revertsWithArgs(t, transmit(stale), 'QuorumNotReached', [0n, 3n])
  const future = await signFeedValues(feed, net.operators.slice(0, 3), feedId, 7, [PRICE, PRICE, PRICE], now + 3600)
  await revertsWithArgs(t, transmit(future), 'QuorumNotReached', [0n, 3n])
  t.deepEqual(await latestRoundData(), latest)
})

test.serial('with no active operator left nothing can be transmitted (NoActiveOperators)', async (t) => {
  const { staking } = net.contracts
  const minStake = await staking.minStakeWei()
  for (const o of net.operators) {
    await (await staking.connect(o.operator).requestUnbond(minStake)).wait()
  }
  // They leave at the next epoch; a round is judged by its epoch, never older than the previous one.
  await startNextEpoch(net.provider, net.deployment)
  await startNextEpoch(net.provider, net.deployment)
  t.is(await staking.activeOperatorCount(), 0n)
  const latest = await latestRoundData()
  await revertsWithArgs(t, transmit(await sign(7, [PRICE, PRICE, PRICE, PRICE])), 'NoActiveOperators', [])
  t.deepEqual(await latestRoundData(), latest)
})
