/**
 * The aggregator's governance-event watcher against a real anvil with the deployed contracts: a key rotation,
 * an unbonding request and a silence accusation the council finds guilty (slash and expulsion) are each logged
 * once, from confirmed blocks only, with the operator, signer, amount, case and block, and counted in
 * sibyl_governance_events_total{event}. A failing RPC is warned about at most once a minute.
 */
import test from 'ava'
import { Writable } from 'node:stream'
import { pino, type Logger } from 'pino'
import { id, type Provider } from 'ethers'
import { localWallet, startLocalNetwork, type LocalNetwork } from '@sibyl/devnet/local-network'
import { registerSigner } from '@sibyl/contracts/requests'
import { createAggregatorMetrics, type AggregatorMetrics } from '@sibyl/aggregator/metrics/aggregator-metrics'
import { createGovernanceEventWatcher, POLL_WARNING_INTERVAL_MS } from '@sibyl/aggregator/registry/watch-governance-events'
import { startAggregator } from '@sibyl/aggregator/start-aggregator'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startNatsServer } from './helpers/nats-server.ts'
import { aggregatorConfig, aggregatorKey, waitFor } from './helpers/aggregator-fixture.ts'
import { temporaryDir } from '@sibyl/service-kit/fs/temporary-dir'

type Line = Record<string, unknown> & { msg: string; level: number; event?: string }

let net: LocalNetwork

test.before(async () => {
  net = await startLocalNetwork({ operators: 4 })
})

test.after.always(async () => {
  await net?.stop()
})

function capturingLogger(): { logger: Logger; lines: Line[] } {
  const lines: Line[] = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString().split('\n')) if (text.trim()) lines.push(JSON.parse(text) as Line)
      done()
    },
  })
  return { logger: pino({ level: 'info' }, stream), lines }
}

async function counter(metrics: AggregatorMetrics, name: string, label: string, value: string): Promise<number> {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name)
  return metric?.values.find((v) => v.labels[label] === value)?.value ?? 0
}

test.serial('a rotation, an unbond and a guilty silence accusation are logged once each, from confirmed blocks, and counted', async (t) => {
  const { logger, lines } = capturingLogger()
  const metrics = createAggregatorMetrics({ aggregator: 'test' })
  const watcher = createGovernanceEventWatcher({
    provider: net.provider,
    stakingAddress: net.deployment.contracts.staking,
    disputeGovernanceAddress: net.deployment.contracts.disputeGovernance,
    confirmations: 2,
    maxBlockRange: 3,
    metrics,
    logger,
    nowMs: () => Date.now(),
  })
  t.is(await watcher.poll(), 0, 'the first poll only sets the cursor at the confirmed head')
  const events = () => lines.filter((l) => l.event !== undefined)
  t.is(events().length, 0, 'the first registrations and stakes of the set-up are history, not logged')

  // A key rotation by operator 0.
  const [rotating, unbonding, silent] = net.operators
  const newSigner = localWallet('rotated signer', 0)
  const rotation = await registerSigner(net.contracts.staking, rotating!.operator, newSigner)
  // An unbonding request by operator 1.
  const unbondWei = 10n ** 18n
  const unbond = await (await net.contracts.staking.connect(unbonding!.operator).requestUnbond(unbondWei)).wait()
  // A silence accusation against operator 2, found guilty by the council (the deployer alone) and executed.
  const { governance, token } = net.contracts
  const bondWei = await governance.minBondWei()
  await (await token.mint(net.deployer.address, bondWei)).wait()
  await (await token.approve(net.deployment.contracts.disputeGovernance, bondWei)).wait()
  const accusation = await (await governance.accuseSilence(silent!.operator.address, id('missed rounds 1-10'), bondWei)).wait()
  const accused = accusation!.logs.map((l) => governance.interface.parseLog(l)).find((p) => p?.name === 'Accused')!
  const caseId = accused.args.getValue('caseId') as string
  const stakeBefore = await net.contracts.staking.slashableOf(silent!.operator.address)
  await (await governance.voteAccusation(caseId, true)).wait()
  const execution = await (await governance.executeAccusation(caseId, [silent!.operator.address])).wait()
  const slashedWei = stakeBefore - (await net.contracts.staking.slashableOf(silent!.operator.address))
  t.true(slashedWei > 0n, 'the guilty operator lost stake')

  // The execution's block is the head: not confirmed yet, so its events wait.
  await watcher.poll()
  t.false(events().some((l) => l.event === 'AccusationExecuted' || l.event === 'Slashed'), 'nothing from an unconfirmed block')
  t.true(events().some((l) => l.event === 'SignerRegistered'), 'the rotation, two confirmations deep, is logged')
  for (let i = 0; i < 2; i++) await net.provider.send('evm_mine', [])
  // Several polls, more blocks between: each event still appears once.
  await watcher.poll()
  await net.provider.send('evm_mine', [])
  await watcher.poll()
  await watcher.poll()

  const once = (event: string) => {
    const found = events().filter((l) => l.event === event)
    t.is(found.length, 1, `${event} logged once`)
    return found[0] ?? ({} as Line)
  }
  const rotated = once('SignerRegistered')
  t.like(rotated, { msg: 'operator rotated its signing key', operator: rotating!.operator.address, signer: newSigner.address, previousSigner: rotating!.signer.address, block: rotation.blockNumber })
  t.like(once('UnbondRequested'), { operator: unbonding!.operator.address, amountWei: unbondWei.toString(), block: unbond!.blockNumber })
  t.like(once('Accused'), { caseId, kind: 'silence', operators: [silent!.operator.address], bondWei: bondWei.toString(), block: accusation!.blockNumber })
  t.like(once('SilenceAccused'), { caseId, operator: silent!.operator.address, block: accusation!.blockNumber })
  const slashed = once('Slashed')
  t.like(slashed, { msg: 'operator slashed', operator: silent!.operator.address, amountWei: slashedWei.toString(), block: execution!.blockNumber, txHash: execution!.hash })
  t.is(slashed.level, 40, 'a slash is a warning')
  t.like(once('OperatorExpelled'), { operator: silent!.operator.address, block: execution!.blockNumber })
  t.like(once('AccusationExecuted'), { caseId, outcome: 'overturned', amountWei: slashedWei.toString(), block: execution!.blockNumber })
  t.is(events().length, 7, 'nothing else: first registrations, stakes and memberships are not governance events')

  for (const event of ['SignerRegistered', 'UnbondRequested', 'Accused', 'SilenceAccused', 'Slashed', 'OperatorExpelled', 'AccusationExecuted']) {
    t.is(await counter(metrics, 'sibyl_governance_events_total', 'event', event), 1, `sibyl_governance_events_total{event="${event}"}`)
  }
  t.is(watcher.nextBlock(), (await net.provider.getBlockNumber()) - 2 + 1, 'read up to the confirmed head')
})

test.serial('a failing RPC is counted every poll and warned about at most once a minute', async (t) => {
  const { logger, lines } = capturingLogger()
  const metrics = createAggregatorMetrics({ aggregator: 'test' })
  let nowMs = 1_000_000
  // Only the first call of poll fails here; the watcher's parsing is the same as above.
  const down = { getBlockNumber: () => Promise.reject(new Error('connect ECONNREFUSED')) } as unknown as Provider
  const watcher = createGovernanceEventWatcher({
    provider: down,
    stakingAddress: net.deployment.contracts.staking,
    disputeGovernanceAddress: net.deployment.contracts.disputeGovernance,
    confirmations: 2,
    maxBlockRange: 100,
    metrics,
    logger,
    nowMs: () => nowMs,
  })
  for (const step of [0, 1000, 1000, POLL_WARNING_INTERVAL_MS - 2000, 1000]) {
    nowMs += step
    t.is(await watcher.poll(), 0, 'a failure is a value, not a throw')
  }
  const warnings = lines.filter((l) => l.msg.startsWith('reading governance events failed'))
  t.is(warnings.length, 2, 'the first failure, then the first one a minute later')
  t.is(warnings[1]?.repeatedSinceLastWarning, 2)
  t.is(await counter(metrics, 'sibyl_chain_errors_total', 'operation', 'governance-events'), 5)
})

test.serial('a reorg deeper than the confirmations is said once and logs nothing twice', async (t) => {
  const { logger, lines } = capturingLogger()
  const metrics = createAggregatorMetrics({ aggregator: 'test' })
  const watcher = createGovernanceEventWatcher({
    provider: net.provider,
    stakingAddress: net.deployment.contracts.staking,
    disputeGovernanceAddress: net.deployment.contracts.disputeGovernance,
    confirmations: 0,
    maxBlockRange: 100,
    metrics,
    logger,
    nowMs: () => Date.now(),
  })
  await watcher.poll()
  const operator = net.operators[3]!
  const snapshot = (await net.provider.send('evm_snapshot', [])) as string
  await registerSigner(net.contracts.staking, operator.operator, localWallet('reorged signer', 3))
  t.is(await watcher.poll(), 1, 'the rotation is logged')
  const headWithRotation = await net.provider.getBlockNumber()
  await net.provider.send('evm_revert', [snapshot])
  // The replacing branch: longer, with the same operator rotating to another key.
  while ((await net.provider.getBlockNumber()) < headWithRotation) await net.provider.send('evm_mine', [])
  const second = localWallet('second signer', 3)
  await registerSigner(net.contracts.staking, operator.operator, second)
  t.is(await watcher.poll(), 1, 'the rotation on the new branch, past the cursor, is logged')
  await watcher.poll()
  t.is(lines.filter((l) => l.msg.startsWith('a reorg deeper than the confirmations')).length, 1, 'the reorg is said once')
  const rotations = lines.filter((l) => l.event === 'SignerRegistered')
  t.is(rotations.length, 2, 'each branch rotation once, none twice')
  t.is(rotations[1]?.signer, second.address)
  t.is(await counter(metrics, 'sibyl_governance_events_total', 'event', 'SignerRegistered'), 2)
})

test.serial('a running aggregator (startAggregator) logs and counts a rotation from its sweep loop', async (t) => {
  const { logger, lines } = capturingLogger()
  const nats = await startNatsServer()
  const dir = temporaryDir('sibyl-governance-events-')
  const deploymentFile = join(dir, 'deployment.json')
  writeFileSync(deploymentFile, JSON.stringify(net.deployment))
  const started = await startAggregator({
    config: aggregatorConfig(net, nats.url, deploymentFile, { name: 'governance-agg' }),
    env: { AGGREGATOR_KEY: await aggregatorKey(net, 8) },
    logger,
  })
  try {
    const operator = net.operators[0]!
    const signer = localWallet('running aggregator signer', 0)
    const rotation = await registerSigner(net.contracts.staking, operator.operator, signer)
    // Past any confirmations the config asks for.
    for (let i = 0; i < 4; i++) await net.provider.send('evm_mine', [])
    const line = await waitFor('the rotation in the log', async () => lines.find((l) => l.event === 'SignerRegistered' && l.signer === signer.address), 20_000, 100)
    t.like(line, { operator: operator.operator.address, block: rotation.blockNumber, component: 'governance-events' })
    t.is(await counter(started.metrics, 'sibyl_governance_events_total', 'event', 'SignerRegistered'), 1)
  } finally {
    await started.stop()
    await nats.stop()
  }
})
