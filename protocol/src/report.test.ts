import test from 'ava'
import { Wallet, keccak256, toUtf8Bytes } from 'ethers'
import { signObservation } from './eip712.ts'
import { buildObservation } from './testing/build-observation.ts'
import { ReportError, buildCommitDissent, buildCommitReport, buildFeedTransmit, feedIdOf } from './report.ts'

const domain = { chainId: 31337n, verifyingContract: '0x5FbDB2315678afecb367f032d93F642f64180aa3' }
const base = buildObservation({ round: 2, answer: 1n })
const wallets = Array.from({ length: 5 }, (_, i) => new Wallet(keccak256(toUtf8Bytes(`report test ${i}`))))

test('a commit report orders observations by recovered signer, ascending, as the contract requires', async (t) => {
  const signed = await Promise.all(wallets.map((w) => signObservation({ signer: w, domain, observation: base })))
  const report = buildCommitReport(domain, signed)
  const expected = wallets.map((w) => w.address).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1))
  t.deepEqual(report.signers, expected)
  t.is(report.observations.length, 5)
  t.is(report.answer, 1n)
  t.is(report.round, 2)
  for (const o of report.observations) {
    t.regex(o.r, /^0x[0-9a-f]{64}$/)
    t.regex(o.yParityAndS, /^0x[0-9a-f]{64}$/)
  }
})

test('a report refuses disagreeing observations, a duplicate signer, and a signature that is not the claimed signer', async (t) => {
  const [a, b] = wallets
  const sa = await signObservation({ signer: a!, domain, observation: base })
  const sb = await signObservation({ signer: b!, domain, observation: { ...base, answer: 0n } })
  t.throws(() => buildCommitReport(domain, [sa, sb]), { instanceOf: ReportError, message: /agree/ })
  t.throws(() => buildCommitReport(domain, [sa, sa]), { instanceOf: ReportError, message: /one signer/ })
  t.throws(() => buildCommitReport(domain, [{ ...sa, signer: b!.address }]), { instanceOf: ReportError, message: /claimed signer/ })
  t.throws(() => buildCommitReport(domain, []), { instanceOf: ReportError })
})

test('a feed transmit keeps each node its own value and time and checks feed and round', async (t) => {
  const feedId = feedIdOf('ETH / USD')
  t.is(feedId, keccak256(toUtf8Bytes('ETH / USD')))
  const values = [300n, 301n, 299n, 10_000n]
  const signed = await Promise.all(
    wallets.slice(0, 4).map((w, i) =>
      signObservation({ signer: w, domain, observation: { ...base, requestId: feedId, round: 7, answer: values[i]!, observedAt: 1_700_000_000 + i } }),
    ),
  )
  const transmit = buildFeedTransmit(domain, feedId, signed)
  t.is(transmit.roundId, 7)
  t.deepEqual([...transmit.values.map((v) => v.answer)].sort((x, y) => Number(x - y)), [299n, 300n, 301n, 10_000n])
  for (const [i, signer] of transmit.signers.entries()) {
    const w = wallets.findIndex((x) => x.address === signer)
    t.is(transmit.values[i]!.answer, values[w]!)
    t.is(transmit.values[i]!.observedAt, BigInt(1_700_000_000 + w))
  }
  const other = await signObservation({ signer: wallets[4]!, domain, observation: { ...base, requestId: feedId, round: 8, observedAt: 1 } })
  t.throws(() => buildFeedTransmit(domain, feedId, [...signed, other]), { instanceOf: ReportError, message: /this feed and round/ })
  const untimed = await signObservation({ signer: wallets[4]!, domain, observation: { ...base, requestId: feedId, round: 7 } })
  t.throws(() => buildFeedTransmit(domain, feedId, [...signed, untimed]), { instanceOf: ReportError, message: /observedAt/ })
})

test('the dissent of a report: other answers of the same round, ascending, without the committed signers', async (t) => {
  const sign = (i: number, answer: bigint, round = 2) => signObservation({ signer: wallets[i]!, domain, observation: { ...base, answer, round } })
  const report = buildCommitReport(domain, await Promise.all([0, 1, 2].map((i) => sign(i, 1n))))
  const dissent = [await sign(4, 0n), await sign(3, -2n), await sign(2, 0n), await sign(1, 1n), await sign(0, 7n)]
  const built = buildCommitDissent(domain, report, dissent, (answer) => answer < 5n)
  // 2 also signed the committed answer, 1 signed the committed answer itself, 0's answer is refused by acceptsAnswer.
  const expected = [wallets[3]!.address, wallets[4]!.address].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1))
  t.deepEqual(built.dissenters, expected)
  t.deepEqual(
    built.dissent.map((d) => d.answer),
    expected.map((a) => (a === wallets[3]!.address ? -2n : 0n)),
  )
  t.throws(() => buildCommitDissent(domain, report, [dissent[0]!, { ...dissent[0]!, observation: { ...dissent[0]!.observation, round: 3 } }]), { instanceOf: ReportError, message: /request and round/ })
  t.deepEqual(buildCommitDissent(domain, report, []), { dissent: [], dissenters: [] })
})
