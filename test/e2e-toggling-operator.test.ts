/**
 * End to end on a real anvil, a real nats-server and a real aggregator: a 4-node network in which one operator
 * toggles its stake across the minimum every block (requestUnbond(1), stake(1), ...) while questions are asked
 * and answered. Staking epochs are short (4 s), so the toggler really is in the set for some epochs and out of
 * it for others while the requests are in flight. Every request must commit exactly once, on the first
 * attempt: a request is judged by the operator set of its epoch, the aggregator reads that set from the chain
 * before it commits, and a signer outside it is left out instead of failing the report.
 */
import test from 'ava'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { jetstream } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { MaxUint256 } from 'ethers'
import { REQUEST_STATUS } from '@sibyl/protocol/request-status'
import { latestTimestamp, startLocalNetwork, type LocalNetwork } from '@sibyl/devnet/local-network'
import { ensureStreams } from '@sibyl/service-kit/nats/ensure-streams'
import { startAggregator } from '@sibyl/aggregator/start-aggregator'
import { roundKey } from '@sibyl/aggregator/rounds/round-record'
import { startNatsServer } from './helpers/nats-server.ts'
import { aggregatorConfig, aggregatorKey, commitsOf, openRequest, publishAnswers, readRound, silentLogger, waitFor } from './helpers/aggregator-fixture.ts'
import { temporaryDir } from '@sibyl/service-kit/fs/temporary-dir'

const EPOCH_LENGTH_SEC = 4
const REQUESTS = 6

let net: LocalNetwork

test.before(async () => {
  net = await startLocalNetwork({ operators: 4, config: { epochLengthSec: EPOCH_LENGTH_SEC } })
})

test.after.always(async () => {
  await net?.stop()
})

test('a 4-node network with one operator toggling its stake every block still commits every request once', async (t) => {
  t.timeout(180_000)
  const dir = temporaryDir('sibyl-toggle-')
  const deploymentFile = join(dir, 'deployment.json')
  writeFileSync(deploymentFile, JSON.stringify(net.deployment))
  const nats = await startNatsServer()
  const nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 200 })
  await ensureStreams(nc)
  const js = jetstream(nc)
  const aggregator = await startAggregator({
    config: aggregatorConfig(net, nats.url, deploymentFile, { rounds: { deadlineMs: 20_000, commitLeaseMs: 5000, sweepIntervalMs: 100 } }),
    env: { AGGREGATOR_KEY: await aggregatorKey(net, 0) },
    logger: silentLogger,
  })

  // The toggler: operator 3, staked at exactly the minimum, so each call crosses it.
  const toggler = net.operators[3]!
  const staking = net.contracts.staking.connect(toggler.operator)
  await (await net.contracts.token.mint(toggler.operator.address, 10n ** 6n)).wait()
  await (await net.contracts.token.connect(toggler.operator).approve(net.contracts.staking.target, MaxUint256)).wait()
  const minStake = await net.contracts.staking.minStakeWei()
  let toggling = true
  let toggles = 0
  const seenIn = new Set<boolean>()
  // Each round it flips its stake across the minimum (unbond 1 wei, or stake it back). In the last second of an
  // epoch it makes sure even epochs end with it out and odd ones with it in, so the next epoch's set really
  // alternates. Its transactions may fail (an estimate made in one epoch and mined in the next): whatever it
  // does, the requests must commit.
  const toggle = (async () => {
    while (toggling) {
      const now = await latestTimestamp(net.provider)
      const epoch = await net.contracts.staking.currentEpoch()
      const endsAt = Number(await net.contracts.staking.epochStartsAt(epoch + 1n))
      const [, bonded] = await net.contracts.staking.getOperator(toggler.operator.address)
      const above = bonded >= minStake
      let unbond = above
      if (endsAt - now <= 1) {
        const wantOut = epoch % 2n === 0n
        if (wantOut !== above) {
          await new Promise((r) => setTimeout(r, 100))
          continue
        }
        unbond = wantOut
      }
      try {
        await (await (unbond ? staking.requestUnbond(1n, { gasLimit: 300_000 }) : staking.stake(minStake - bonded, { gasLimit: 300_000 }))).wait()
        toggles++
      } catch {
        // A failed toggle is still something the operator did.
      }
      seenIn.add(await net.contracts.staking.isActive(toggler.operator.address))
    }
  })()

  try {
    const requestIds: string[] = []
    for (let i = 0; i < REQUESTS; i++) {
      const requestId = await openRequest(net)
      requestIds.push(requestId)
      // Every node answers, the toggler too: its signature counts in the epochs it is a member of.
      await publishAnswers(js, net, requestId, [1n, 1n, 1n, 1n])
      // Spread the requests over several epochs.
      await new Promise((r) => setTimeout(r, 1500))
    }
    const chainId = net.deployment.chainId
    const oracle = net.deployment.contracts.resolutionOracle
    for (const requestId of requestIds) {
      await waitFor(`commit of ${requestId}`, async () => (await net.contracts.oracle.getRequest(requestId)).status === REQUEST_STATUS.Committed, 60_000)
      t.is((await net.contracts.oracle.getRequest(requestId)).answer, 1n)
      t.is(await commitsOf(net, requestId), 1, 'committed exactly once')
      const record = await readRound(nc, chainId, roundKey({ kind: 'resolution', contract: oracle, requestId, round: 0 }))
      t.is(record?.claim?.attempts, 1, 'on the first attempt: no report reverted because of the toggler')
    }
    toggling = false
    await toggle
    t.true(toggles >= 2 * REQUESTS, `the toggler toggled (${toggles} times)`)
    t.true(seenIn.has(true) && seenIn.has(false), 'the toggler was in the set in some epochs and out of it in others')
  } finally {
    toggling = false
    await toggle.catch(() => undefined)
    await aggregator.stop()
    await nc.close()
    await nats.stop()
  }
})
