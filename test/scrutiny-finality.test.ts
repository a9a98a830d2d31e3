/**
 * The aggregator's finality keeper against a real anvil (n = 7) reads each request's own window
 * (ResolutionOracle.disputeEndsAt): a contested answer is not finalized after the plain window, only after
 * its longer one, and an answer contested during its window (contest) is waited for too, not dropped.
 */
import test from 'ava'
import { Wallet, parseUnits } from 'ethers'
import { pino } from 'pino'
import { buildCommitDissent, buildCommitReport } from '@sibyl/protocol/report'
import { domainOf, mined, requestResolution, signByOperators } from '@sibyl/contracts/requests'
import { increaseTime, latestTimestamp, setBalance, startLocalNetwork, type LocalNetwork } from '@sibyl/devnet/local-network'
import { createTxSender } from '@sibyl/aggregator/commit/tx-sender'
import { createAggregatorMetrics } from '@sibyl/aggregator/metrics/aggregator-metrics'
import { createFinalityKeeper } from '@sibyl/aggregator/finality/finalize-due-requests'

const WINDOW_SEC = 60
let net: LocalNetwork

test.before(async () => {
  net = await startLocalNetwork({ operators: 7, config: { disputeWindowSec: WINDOW_SEC, votingPeriodSec: 120, unbondingDelaySec: 600 } })
})
test.after.always(async () => {
  await net?.stop()
})

let asked = 0
/** Operators 0-4 sign answer 1; operators 5 and 6 sign answer 0 of the same round (the dissent). */
async function signedRound(): Promise<{ requestId: string; report: ReturnType<typeof buildCommitReport>; dissent: ReturnType<typeof buildCommitDissent>['dissent'] }> {
  const { token, oracle } = net.contracts
  await (await token.mint(net.deployer.address, 10n ** 18n)).wait()
  const now = await latestTimestamp(net.provider)
  const { requestId } = await requestResolution(token, oracle, net.deployer, { spec: `{"question":"scrutiny ${asked++}"}`, outcomes: ['YES', 'NO'], resolveAfter: now, feeWei: 10n ** 17n })
  const domain = await domainOf(oracle)
  const report = buildCommitReport(domain, await signByOperators(net.operators.slice(0, 5), domain, { requestId, round: 0, answer: 1n }))
  const { dissent } = buildCommitDissent(domain, report, await signByOperators(net.operators.slice(5, 7), domain, { requestId, round: 0, answer: 0n }))
  return { requestId, report, dissent }
}

function keeper(wallet: Wallet) {
  const logger = pino({ level: 'silent' })
  const sender = createTxSender({
    wallet,
    rpcUrls: [net.anvil.rpcUrl],
    chainId: BigInt(net.deployment.chainId),
    stuckAfterMs: 15_000,
    feeBumpPercent: 25,
    maxFeeBumps: 3,
    maxFeePerGasWei: parseUnits('500', 'gwei'),
    logger,
    pollMs: 50,
  })
  const metrics = createAggregatorMetrics({ aggregator: 'scrutiny-finality-test' })
  return createFinalityKeeper({ provider: net.provider, sender, deployment: net.deployment, metrics, logger, delaySec: 0, maxPerPass: 16, maxBlockRange: 2000, gasLimitPercent: 125 })
}

test.serial('a contested answer is finalized after its own, longer window; one contested later is waited for, not dropped', async (t) => {
  const wallet = new Wallet(Wallet.createRandom().privateKey)
  await setBalance(net.provider, wallet.address, 10n ** 20n)
  const k = keeper(wallet)
  const { oracle } = net.contracts

  // a: committed with its dissent (contested at commit). b: committed plainly, contested by anyone later.
  const a = await signedRound()
  await mined(oracle.commitReportWithDissent(a.requestId, 0, 1n, a.report.observations, a.dissent))
  const b = await signedRound()
  await mined(oracle.commitReport(b.requestId, 0, 1n, b.report.observations))
  t.true((await oracle.getScrutiny(a.requestId)).contested)
  t.false((await oracle.getScrutiny(b.requestId)).contested)

  t.deepEqual(await k.pass(), [], 'nothing is due inside the window')
  await increaseTime(net.provider, WINDOW_SEC - 10)
  // Inside b's plain window, the dissent is posted: b's window becomes three windows too.
  await mined(oracle.contest(b.requestId, b.report.signers, b.dissent))
  t.true((await oracle.getScrutiny(b.requestId)).contested)
  await increaseTime(net.provider, 11)
  t.deepEqual(await k.pass(), [], 'past the plain window: neither is due')
  t.is(k.pending(), 2, 'both still followed')
  await increaseTime(net.provider, 2 * WINDOW_SEC)
  t.deepEqual([...(await k.pass())].sort(), [a.requestId, b.requestId].sort(), 'both final after their own window')
  t.deepEqual((await oracle.getResolution(a.requestId)).map(String), ['true', '1'])
  t.deepEqual((await oracle.getResolution(b.requestId)).map(String), ['true', '1'])
})
