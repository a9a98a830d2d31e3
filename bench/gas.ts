/**
 * Gas of ResolutionOracle.commitReport and FeedAggregator.transmit at n = 4, 7, 16 and 31 active operators,
 * and of the contested path (commitReportWithDissent, contest) where n - q >= 2 (bench/sections/gas.ts; also a
 * section of `npm run bench`).
 * Then one latestAnswer() read by a contract, straight from a FeedAggregator and through its FeedProxy.
 *
 *   npm run gas            # prints a table, writes bench/results/gas.json
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { GAS_TARGETS, gasFigures, measureGas } from './sections/gas.ts'
import { startLocalNetwork } from '@sibyl/devnet/local-network'
import { mined, signFeedValues } from '@sibyl/contracts/requests'
import { FeedAggregator__factory, FeedProxy__factory, LatestAnswerConsumer__factory } from '@sibyl/contracts/typechain'
// The CTF resolution (measureCtfResolutionGas).
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { ContractFactory, parseEther, type InterfaceAbi } from 'ethers'
import { increaseTime, latestTimestamp } from '@sibyl/devnet/local-network'
import { findEvent, requestResolution, signAndCommit } from '@sibyl/contracts/requests'
import { SibylCTFAdapter__factory } from '@sibyl/contracts/typechain'
import { quorumFor } from '@sibyl/protocol/quorum'

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

/**
 * Gas of a Gnosis ConditionalTokens resolution through SibylCTFAdapter (two outcomes, a quorum of 4 operators):
 * the finalize whose callback reports payouts to the real ConditionalTokens (bytecode from its npm package),
 * and the finalize of the same question asked without a callback; the difference is the callback's cost.
 */
async function measureCtfResolutionGas(): Promise<{ withCallback: number; plain: number }> {
  const net = await startLocalNetwork({ operators: 4 })
  try {
    const { token, oracle } = net.contracts
    const fromContracts = createRequire(new URL('../contracts/package.json', import.meta.url))
    const ctfFile = fromContracts.resolve('@gnosis.pm/conditional-tokens-contracts/build/contracts/ConditionalTokens.json')
    const artifact = JSON.parse(readFileSync(ctfFile, 'utf8')) as { abi: InterfaceAbi; bytecode: string }
    const ctf = await (await new ContractFactory(artifact.abi, artifact.bytecode, net.deployer).deploy()).waitForDeployment()
    const adapter = await (await new SibylCTFAdapter__factory(net.deployer).deploy(oracle.target, ctf.target, net.deployer.address)).waitForDeployment()
    const now = await latestTimestamp(net.provider)
    const feeWei = parseEther('1')
    await mined(token.mint(net.deployer.address, 2n * feeWei))
    await mined(token.approve(adapter.target, feeWei))
    const prepared = await mined(adapter.prepareQuestion('bench ctf question', ['YES', 'NO'], now, feeWei))
    const viaAdapter = findEvent(adapter, prepared, 'QuestionPrepared').args.questionId
    // A warm-up request finalized first, so both measured finalizes credit fees to already-credited operators.
    await mined(token.mint(net.deployer.address, feeWei))
    const ask = async () => (await requestResolution(token, oracle, net.deployer, { spec: 'bench ctf question', outcomes: ['YES', 'NO'], resolveAfter: now, feeWei })).requestId
    const warmUp = await ask()
    const plain = await ask()
    const signers = new Map<string, string[]>()
    for (const id of [warmUp, plain, viaAdapter]) {
      const { receipt } = await signAndCommit(oracle, net.operators.slice(0, quorumFor(4)), { requestId: id, round: 0, answer: 0n })
      signers.set(id, [...findEvent(oracle, receipt, 'ReportCommitted').args.signers])
    }
    const endsAt = Math.max(...(await Promise.all([plain, viaAdapter].map(async (id) => Number(await oracle.disputeEndsAt(id))))))
    await increaseTime(net.provider, endsAt - (await latestTimestamp(net.provider)) + 1)
    await mined(oracle.finalize(warmUp, signers.get(warmUp)!))
    const plainReceipt = await mined(oracle.finalize(plain, signers.get(plain)!))
    const adapterReceipt = await mined(oracle.finalize(viaAdapter, signers.get(viaAdapter)!))
    if (!findEvent(oracle, adapterReceipt, 'CallbackResult').args.success) throw new Error('the CTF callback failed')
    return { withCallback: Number(adapterReceipt.gasUsed), plain: Number(plainReceipt.gasUsed) }
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
const contested = rows.filter((r) => r.contestedCommitGas !== undefined && r.contestGas !== undefined)
lines.push(
  '',
  '| n | quorum | commitReport gas | commitReportWithDissent gas (2 dissenting) | over a plain commit | contest gas (2 dissenting) |',
  '|---:|---:|---:|---:|---:|---:|',
  ...contested.map(
    (r) =>
      `| ${r.n} | ${r.quorum} | ${r.commitGas.toLocaleString('en')} | ${r.contestedCommitGas!.toLocaleString('en')} | +${(r.contestedCommitGas! - r.commitGas).toLocaleString('en')} | ${r.contestGas!.toLocaleString('en')} |`,
  ),
)
process.stdout.write(`${lines.join('\n')}\n`)
mkdirSync(new URL('./results/', import.meta.url), { recursive: true })
const read = await measureFeedReadGas()
process.stdout.write(
  `\n| latestAnswer() read by a contract | gas |\n|---|---:|\n| direct (FeedAggregator) | ${read.direct.toLocaleString('en')} |\n| through FeedProxy | ${read.proxy.toLocaleString('en')} (×${(read.proxy / read.direct).toFixed(2)}) |\n`,
)
const figures = { ...gasFigures(rows), 'gas.latestAnswer.direct': read.direct, 'gas.latestAnswer.proxy': read.proxy }
const ctfGas = await measureCtfResolutionGas()
process.stdout.write(
  `\n| CTF resolution (2 outcomes) | gas |\n|---|---:|\n| finalize, callback to SibylCTFAdapter → reportPayouts | ${ctfGas.withCallback.toLocaleString('en')} |\n| finalize, no callback | ${ctfGas.plain.toLocaleString('en')} |\n| the callback's share | ${(ctfGas.withCallback - ctfGas.plain).toLocaleString('en')} |\n`,
)
Object.assign(figures, { 'gas.ctf.finalizeWithCallback': ctfGas.withCallback, 'gas.ctf.callback': ctfGas.withCallback - ctfGas.plain })
writeFileSync(new URL('./results/gas.json', import.meta.url), `${JSON.stringify(figures, null, 2)}\n`)
