/**
 * Gas of ResolutionOracle.commitReport and FeedAggregator.transmit at n = 4, 7, 16 and 31 active operators
 * (bench/sections/gas.ts; also a section of `npm run bench`).
 * Then one latestAnswer() read by a contract, straight from a FeedAggregator and through its FeedProxy.
 *
 *   npm run gas            # prints a table, writes bench/results/gas.json
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { GAS_TARGETS, gasFigures, measureGas } from './sections/gas.ts'
import { startLocalNetwork } from '@sibyl/devnet/local-network'
import { mined, signFeedValues } from '@sibyl/contracts/requests'
import { FeedAggregator__factory, FeedProxy__factory, LatestAnswerConsumer__factory } from '@sibyl/contracts/typechain'

/**
 * Gas of one latestAnswer() read by a consumer contract, straight from the FeedAggregator and through its
 * FeedProxy: measured with gasleft() around the call inside LatestAnswerConsumer, in an eth_call of its own
 * (cold accounts and slots, as on a consumer's first read in a transaction), after one transmitted round.
 */
async function measureFeedReadGas(): Promise<{ direct: number; proxy: number }> {
  const net = await startLocalNetwork({ operators: 4, config: { feeds: [{ description: 'ETH / USD', decimals: 8, minAnswer: '1', maxAnswer: '1000000000000000' }] } })
  try {
    const info = net.deployment.contracts.feeds[0]!
    const feed = FeedAggregator__factory.connect(info.address, net.deployer)
    const proxy = await (await new FeedProxy__factory(net.deployer).deploy(info.address, 86_400, net.deployer.address)).waitForDeployment()
    const consumer = await (await new LatestAnswerConsumer__factory(net.deployer).deploy(proxy.target)).waitForDeployment()
    const round = await signFeedValues(feed, net.operators.slice(0, 3), info.feedId, 1, [300_000_000_000n, 300_000_000_001n, 300_000_000_002n])
    await mined(feed.transmit(round.roundId, round.values))
    const [, direct] = await consumer.measureLatestAnswer(info.address)
    const [, throughProxy] = await consumer.measureLatestAnswer(proxy.target)
    return { direct: Number(direct), proxy: Number(throughProxy) }
  } finally {
    await net.stop()
  }
}

const rows = await measureGas()
const lines = [
  '| n | quorum | commitReport gas | per signature (excl. 21k base) | feed transmit gas | requestResolution gas | target |',
  '|---:|---:|---:|---:|---:|---:|---|',
  ...rows.map(
    (r) =>
      `| ${r.n} | ${r.quorum} | ${r.commitGas.toLocaleString('en')} | ${r.perSignature.toLocaleString('en')} | ${r.transmitGas.toLocaleString('en')} | ${r.requestGas.toLocaleString('en')} | ${
        GAS_TARGETS[r.n] ? `commit ≤ ${GAS_TARGETS[r.n]!.toLocaleString('en')}: ${r.commitGas <= GAS_TARGETS[r.n]! ? 'met' : 'MISSED'}` : ''
      } |`,
  ),
]
process.stdout.write(`${lines.join('\n')}\n`)
mkdirSync(new URL('./results/', import.meta.url), { recursive: true })
const read = await measureFeedReadGas()
process.stdout.write(
  `\n| latestAnswer() read by a contract | gas |\n|---|---:|\n| direct (FeedAggregator) | ${read.direct.toLocaleString('en')} |\n| through FeedProxy | ${read.proxy.toLocaleString('en')} (×${(read.proxy / read.direct).toFixed(2)}) |\n`,
)
const figures = { ...gasFigures(rows), 'gas.latestAnswer.direct': read.direct, 'gas.latestAnswer.proxy': read.proxy }
writeFileSync(new URL('./results/gas.json', import.meta.url), `${JSON.stringify(figures, null, 2)}\n`)
