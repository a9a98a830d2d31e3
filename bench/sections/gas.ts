/**
 * Gas of ResolutionOracle.commitReport and FeedAggregator.transmit with the signatures a quorum needs,
 * at n = 4, 7, 16 and 31 active operators, measured on a real anvil from transaction receipts (the figure
 * a transmitter pays: 21,000 base + calldata + execution). Gas is deterministic for the same bytecode and
 * inputs, so quick and full runs measure the same thing.
 *
 * The contested path (ResolutionOracle scrutiny), where n - q >= 2: the same quorum's commit carrying the
 * signed dissent of two other members (commitReportWithDissent: the request becomes contested at commit), and
 * the same dissent posted after a plain commit (contest).
 */
import { keccak256, parseEther, toUtf8Bytes } from 'ethers'
import { quorumFor } from '@sibyl/protocol/quorum'
import { addOperators, latestTimestamp, localWallet, setBalance, startLocalNetwork } from '@sibyl/devnet/local-network'
import { domainOf, findEvent, mined, requestResolution, signAndCommit, signByOperators, signFeedValues, type OperatorKeys } from '@sibyl/contracts/requests'
import { buildCommitDissent, buildCommitReport } from '@sibyl/protocol/report'
import { FeedAggregator__factory, type ResolutionOracle } from '@sibyl/contracts/typechain'
import type { BenchSection } from '../section.ts'

const SIZES = [4, 7, 16, 31] as const
/**
 * Ceilings from the security issue (13): the fixes (epoch operator sets, signed observation times, checked
 * confidence) had to fit in them. OCR2 spends about 6-8k gas per signature for scale.
 */
const TARGETS: Record<number, number> = { 7: 100_000, 31: 250_000 }
const FEED_TARGETS: Record<number, number> = { 7: 130_000, 31: 330_000 }

export type GasRow = {
  n: number
  quorum: number
  commitGas: number
  perSignature: number
  transmitGas: number
  requestGas: number
  /** commitReportWithDissent with two dissenting members (contested at commit); n - q >= 2 only. */
  contestedCommitGas?: number
  /** contest with two dissenting members after a plain commit; n - q >= 2 only. */
  contestGas?: number
}

export async function measureGas(log: (message: string) => void = () => {}): Promise<GasRow[]> {
  const net = await startLocalNetwork({
    operators: SIZES[0],
    config: { feeds: [{ description: 'ETH / USD', decimals: 8, minAnswer: '1', maxAnswer: '1000000000000000' }] },
  })
  const rows: GasRow[] = []
  try {
    const { token, oracle } = net.contracts
    const feedInfo = net.deployment.contracts.feeds[0]!
    const feed = FeedAggregator__factory.connect(feedInfo.address, net.deployer)
    const requester = localWallet('bench requester', 0, net.provider)
    await setBalance(net.provider, requester.address, parseEther('100'))
    await (await token.mint(requester.address, parseEther('1000'))).wait()
    let operators = net.operators
    let feedRound = 0
    for (const n of SIZES) {
      log(`gas: n = ${n}`)
      if (operators.length < n) {
        const more = await addOperators({ provider: net.provider, deployer: net.deployer, deployment: net.deployment, count: n - operators.length, firstIndex: operators.length })
        operators = [...operators, ...more]
      }
      const active = Number(await net.contracts.staking.activeOperatorCount())
      if (active !== n) throw new Error(`expected ${n} active operators, found ${active}`)
      const q = quorumFor(n)

      // Warm-up request so the measured one does not pay first-use storage of unrelated slots.
      const now = await latestTimestamp(net.provider)
      const ask = (i: number) =>
        requestResolution(token, oracle, requester, {
          spec: `bench question ${n}-${i}`,
          outcomes: ['YES', 'NO'],
          resolveAfter: now,
          feeWei: parseEther('1'),
        })
      await signAndCommit(oracle, operators.slice(0, q), { requestId: (await ask(0)).requestId, round: 0, answer: 0n })
      const { requestId, receipt: requestReceipt } = await ask(1)
      const { receipt } = await signAndCommit(oracle, operators.slice(0, q), {
        requestId,
        round: 0,
        answer: 1n,
        evidenceHash: keccak256(toUtf8Bytes('evidence')),
      })
      findEvent(oracle, receipt, 'ReportCommitted')
      const contested = n - q >= 2 ? await measureContested(oracle, operators.slice(0, q), operators.slice(q, q + 2), async () => (await ask(2)).requestId, async () => (await ask(3)).requestId) : {}

      feedRound += 1
      const values = operators.slice(0, q).map((_, i) => 300_000_000_000n + BigInt(i) * 1_000_000n)
      const transmit = await signFeedValues(feed, operators.slice(0, q), feedInfo.feedId, feedRound, values)
      // First transmit of this size warms the round storage pattern; measure the second.
      await (await feed.transmit(transmit.roundId, transmit.values)).wait()
      feedRound += 1
      const measured = await signFeedValues(feed, operators.slice(0, q), feedInfo.feedId, feedRound, values)
      const transmitReceipt = await mined(feed.transmit(measured.roundId, measured.values))

      const commitGas = Number(receipt.gasUsed)
      rows.push({
        n,
        quorum: q,
        commitGas,
        perSignature: Math.round((commitGas - 21_000) / q),
        transmitGas: Number(transmitReceipt.gasUsed),
        requestGas: Number(requestReceipt.gasUsed),
        ...contested,
      })
    }
  } finally {
    await net.stop()
  }
  return rows
}

/**
 * The contested path: `agreeing` commit answer 1 while `dissenting` signed answer 0 of the same round, first in
 * the report itself (commitReportWithDissent), then posted after a plain commit (contest). Both make the request
 * contested (two dissenting members: contestDissentMin).
 */
async function measureContested(
  oracle: ResolutionOracle,
  agreeing: readonly OperatorKeys[],
  dissenting: readonly OperatorKeys[],
  askFirst: () => Promise<string>,
  askSecond: () => Promise<string>,
): Promise<{ contestedCommitGas: number; contestGas: number }> {
  const domain = await domainOf(oracle)
  const evidenceHash = keccak256(toUtf8Bytes('evidence'))
  const signedReport = async (requestId: string) => {
    const report = buildCommitReport(domain, await signByOperators(agreeing, domain, { requestId, round: 0, answer: 1n, evidenceHash }))
    const { dissent } = buildCommitDissent(domain, report, await signByOperators(dissenting, domain, { requestId, round: 0, answer: 0n, evidenceHash }))
    return { report, dissent }
  }
  const first = await signedReport(await askFirst())
  const withDissent = await mined(oracle.commitReportWithDissent(first.report.requestId, 0, 1n, first.report.observations, first.dissent))
  findEvent(oracle, withDissent, 'ResolutionContested')
  const second = await signedReport(await askSecond())
  await mined(oracle.commitReport(second.report.requestId, 0, 1n, second.report.observations))
  const contest = await mined(oracle.contest(second.report.requestId, second.report.signers, second.dissent))
  findEvent(oracle, contest, 'ResolutionContested')
  return { contestedCommitGas: Number(withDissent.gasUsed), contestGas: Number(contest.gasUsed) }
}

/** The bench keys: commitReport at every size, feed transmit at every size (the issue asks n7 and n31 at least). */
export function gasFigures(rows: readonly GasRow[]): Record<string, number> {
  const figures: Record<string, number> = {}
  for (const r of rows) {
    figures[`gas.commitReport.n${r.n}`] = r.commitGas
    figures[`gas.feedTransmit.n${r.n}`] = r.transmitGas
    if (r.contestedCommitGas !== undefined) figures[`gas.commitReportWithDissent.n${r.n}`] = r.contestedCommitGas
    if (r.contestGas !== undefined) figures[`gas.contest.n${r.n}`] = r.contestGas
  }
  return figures
}

export const gasSection: BenchSection = {
  name: 'gas',
  title: 'Gas: committing a report and transmitting a feed round',
  run: async ({ log }) => {
    const rows = await measureGas(log)
    return {
      figures: gasFigures(rows),
      tables: [
        {
          title: 'Gas from receipts on anvil (quorum signatures, q = n - floor((n-1)/3))',
          table: {
            columns: ['n', 'quorum', 'commitReport gas', 'per signature (excl. 21k base)', 'feed transmit gas', 'requestResolution gas'],
            rows: rows.map((r) => [r.n, r.quorum, r.commitGas.toLocaleString('en'), r.perSignature.toLocaleString('en'), r.transmitGas.toLocaleString('en'), r.requestGas.toLocaleString('en')]),
          },
        },
        {
          title: 'Gas of the contested path: two dissenting members in the commit, or posted after it (contest)',
          table: {
            columns: ['n', 'quorum', 'commitReport gas', 'commitReportWithDissent gas', 'over a plain commit', 'contest gas'],
            rows: rows
              .filter((r) => r.contestedCommitGas !== undefined)
              .map((r) => [r.n, r.quorum, r.commitGas.toLocaleString('en'), r.contestedCommitGas!.toLocaleString('en'), `+${(r.contestedCommitGas! - r.commitGas).toLocaleString('en')}`, r.contestGas!.toLocaleString('en')]),
          },
        },
      ],
      aims: [
        ...rows
          .filter((r) => TARGETS[r.n] !== undefined)
          .map((r) => ({ label: `gas: commitReport n = ${r.n}`, value: r.commitGas.toLocaleString('en'), aim: `≤ ${TARGETS[r.n]!.toLocaleString('en')}`, met: r.commitGas <= TARGETS[r.n]! })),
        ...rows
          .filter((r) => FEED_TARGETS[r.n] !== undefined)
          .map((r) => ({ label: `gas: feed transmit n = ${r.n}`, value: r.transmitGas.toLocaleString('en'), aim: `≤ ${FEED_TARGETS[r.n]!.toLocaleString('en')}`, met: r.transmitGas <= FEED_TARGETS[r.n]! })),
      ],
    }
  },
}

export { TARGETS as GAS_TARGETS, FEED_TARGETS as FEED_GAS_TARGETS }
