/**
 * The aggregator's own finality against a real anvil: what it finalizes, what it leaves, what it pays, and a
 * running aggregator (startAggregator, real NATS) finalizing an answer nobody else finalizes.
 */
import test from 'ava'
import { Wallet, parseUnits } from 'ethers'
import { pino } from 'pino'
import { findEvent, requestResolution, signAndCommit } from '@sibyl/contracts/requests'
import { increaseTime, latestTimestamp, setBalance, startLocalNetwork, type LocalNetwork } from '@sibyl/devnet/local-network'
import { createTxSender } from '@sibyl/aggregator/commit/tx-sender'
import { createAggregatorMetrics } from '@sibyl/aggregator/metrics/aggregator-metrics'
import { createFinalityKeeper } from '@sibyl/aggregator/finality/finalize-due-requests'
import { startAggregator } from '@sibyl/aggregator/start-aggregator'
import { connect } from '@nats-io/transport-node'
import { ensureStreams } from '@sibyl/service-kit/nats/ensure-streams'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startNatsServer } from './helpers/nats-server.ts'
import { aggregatorConfig, aggregatorKey, silentLogger, waitFor } from './helpers/aggregator-fixture.ts'
import { temporaryDir } from '@sibyl/service-kit/fs/temporary-dir'

const WINDOW_SEC = 60
let net: LocalNetwork

test.before(async () => {
  net = await startLocalNetwork({ operators: 4, config: { disputeWindowSec: WINDOW_SEC, votingPeriodSec: 120, unbondingDelaySec: 600 } })
})
test.after.always(async () => {
  await net?.stop()
})

let asked = 0
/** A question asked by the deployer (it owns the token) and committed by the four operators. */
async function committedRequest(answer: bigint): Promise<{ requestId: string; signers: string[] }> {
  const { token, oracle } = net.contracts
  await (await token.mint(net.deployer.address, 10n ** 18n)).wait()
  const now = await latestTimestamp(net.provider)
  const spec = `{"question":"finality ${asked++}"}`
  const { requestId } = await requestResolution(token, oracle, net.deployer, { spec, outcomes: ['YES', 'NO'], resolveAfter: now + 1, feeWei: 10n ** 17n })
  await increaseTime(net.provider, 2)
  const { receipt } = await signAndCommit(oracle, net.operators, { requestId, round: 0, answer })
  return { requestId, signers: [...findEvent(oracle, receipt, 'ReportCommitted').args.signers] }
}

function keeper(delaySec: number, wallet: Wallet) {
  const logger = pino({ level: 'silent' })
  const metrics = createAggregatorMetrics({ aggregator: 'finality-test' })
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
  const k = createFinalityKeeper({ provider: net.provider, sender, deployment: net.deployment, metrics, logger, delaySec, maxPerPass: 16, maxBlockRange: 2000, gasLimitPercent: 125 })
  const count = async (name: string, labels: Record<string, string> = {}) =>
    (await metrics.registry.getSingleMetric(name)!.get()).values.find((v) => Object.entries(labels).every(([l, x]) => v.labels[l] === x))?.value ?? 0
  return { k, count, sender }
}

test.serial('finalizes an answer once its window has passed, pays the signers, leaves a disputed one, and accounts its gas', async (t) => {
  const wallet = Wallet.createRandom().connect(net.provider)
  await setBalance(net.provider, wallet.address, 10n ** 20n)
  const { k, count } = keeper(0, new Wallet(wallet.privateKey))
  const a = await committedRequest(1n)
  const b = await committedRequest(0n)
  // b is disputed: it is for the council now, not for finalize.
  const { token, governance, oracle } = net.contracts
  const bond = await governance.minBondWei()
  await (await token.mint(net.deployer.address, bond)).wait()
  await (await token.approve(await governance.getAddress(), bond)).wait()
  await (await governance.dispute(b.requestId, 1n, bond, b.signers)).wait()

  t.deepEqual(await k.pass(), [], 'nothing is due inside the window')
  t.is(k.pending(), 1, 'the disputed request is dropped at once')
  t.is(await net.provider.getTransactionCount(wallet.address), 0, 'nothing sent')
  await increaseTime(net.provider, WINDOW_SEC + 1)
  const feesBefore = await oracle.claimableWei(net.operators[0]!.operator.address)
  t.deepEqual(await k.pass(), [a.requestId])
  t.deepEqual((await oracle.getResolution(a.requestId)).map(String), ['true', '1'])
  t.true((await oracle.claimableWei(net.operators[0]!.operator.address)) > feesBefore, 'the signers are credited')
  t.deepEqual((await oracle.getResolution(b.requestId)).map(String), ['false', '0'], 'the disputed request is left to governance')
  t.is(k.pending(), 0)
  t.is(await count('sibyl_finalizations_total', { result: 'finalized' }), 1)
  t.true((await count('sibyl_finalize_gas_total')) > 21_000)
  t.deepEqual(await k.pass(), [])
  t.is(await net.provider.getTransactionCount(wallet.address), 1, 'one transaction in all')
})

test.serial('a request finalized by someone else first costs a read, not a transaction; delaySec staggers aggregators', async (t) => {
  const wallet = new Wallet(Wallet.createRandom().privateKey)
  await setBalance(net.provider, wallet.address, 10n ** 20n)
  const late = keeper(30, wallet)
  const c = await committedRequest(0n)
  const d = await committedRequest(1n)
  await increaseTime(net.provider, WINDOW_SEC + 1)
  await (await net.contracts.oracle.finalize(c.requestId, c.signers)).wait()
  t.deepEqual(await late.k.pass(), [], 'd is not due for this aggregator until 30 s after the window')
  t.is(late.k.pending(), 1, 'c, finalized by someone else, is dropped')
  await increaseTime(net.provider, 30)
  t.deepEqual(await late.k.pass(), [d.requestId])
  t.is(await net.provider.getTransactionCount(wallet.address), 1)
})

test.serial('a running aggregator finalizes a committed answer after its window, with nobody else calling finalize', async (t) => {
  const nats = await startNatsServer()
  const nc = await connect({ servers: nats.url })
  await ensureStreams(nc)
  const dir = temporaryDir('sibyl-finality-')
  const deploymentFile = join(dir, 'deployment.json')
  writeFileSync(deploymentFile, JSON.stringify(net.deployment))
  const started = await startAggregator({
    config: aggregatorConfig(net, nats.url, deploymentFile, { name: 'finality-agg' }),
    env: { AGGREGATOR_KEY: await aggregatorKey(net, 7) },
    logger: silentLogger,
  })
  try {
    const e = await committedRequest(1n)
    await increaseTime(net.provider, WINDOW_SEC + 1)
    await waitFor('the aggregator to finalize', async () => (await net.contracts.oracle.getResolution(e.requestId))[0], 30_000, 200)
    const finalized = (await started.metrics.registry.getSingleMetric('sibyl_finalizations_total')!.get()).values.find((v) => v.labels.result === 'finalized')
    t.is(finalized?.value, 1)
  } finally {
    await started.stop()
    await nc.close()
    await nats.stop()
  }
})
