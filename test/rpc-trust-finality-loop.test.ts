/**
 * A running aggregator whose finality pass is slow (its finalize simulation stalls at the RPC, as a finalize
 * send waiting out its confirmations would): round deadlines are still handled by the sweep meanwhile. Real
 * anvil and NATS; the stall is a proxy in front of anvil that holds the finalize eth_call.
 */
import test from 'ava'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { connect } from '@nats-io/transport-node'
import { jetstream } from '@nats-io/jetstream'
import { requestResolution, signAndCommit } from '@sibyl/contracts/requests'
import { increaseTime, latestTimestamp, startLocalNetwork, type LocalNetwork } from '@sibyl/devnet/local-network'
import { ensureStreams } from '@sibyl/service-kit/nats/ensure-streams'
import { startAggregator } from '@sibyl/aggregator/start-aggregator'
import { startNatsServer } from './helpers/nats-server.ts'
import { aggregatorConfig, aggregatorKey, openRequest, publishAnswers, silentLogger, waitFor } from './helpers/aggregator-fixture.ts'
import { temporaryDir } from '@sibyl/service-kit/fs/temporary-dir'

type RpcRequest = { jsonrpc: '2.0'; id: unknown; method: string; params?: { data?: string }[] }

const WINDOW_SEC = 60
const STALL_MS = 15_000
let net: LocalNetwork

test.before(async () => {
  net = await startLocalNetwork({ operators: 4, config: { disputeWindowSec: WINDOW_SEC, votingPeriodSec: 120, unbondingDelaySec: 600 } })
})
test.after.always(async () => {
  await net?.stop()
})

/** Forwards to anvil; an eth_call of `selector` is held STALL_MS first. */
async function stallingProxy(target: string, selector: string) {
  const state = { stalled: 0 }
  const server: Server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk) => (body += chunk))
    req.on('end', async () => {
      const parsed = JSON.parse(body) as RpcRequest | RpcRequest[]
      const all = Array.isArray(parsed) ? parsed : [parsed]
      if (all.some((r) => r.method === 'eth_call' && r.params?.[0]?.data?.startsWith(selector))) {
        state.stalled++
        await new Promise((r) => setTimeout(r, STALL_MS))
      }
      const answer = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).catch(() => undefined)
      if (!answer) return void req.socket.destroy()
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(await answer.text())
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const stop = () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve())))
  return { state, url, stop }
}

test('a slow finality pass does not hold up the sweep: a round past its deadline is closed meanwhile', async (t) => {
  const { token, oracle } = net.contracts
  const proxy = await stallingProxy(net.anvil.rpcUrl, oracle.interface.getFunction('finalize').selector)
  const nats = await startNatsServer()
  const nc = await connect({ servers: nats.url })
  await ensureStreams(nc)
  const dir = temporaryDir('sibyl-finality-loop-')
  const deploymentFile = join(dir, 'deployment.json')
  writeFileSync(deploymentFile, JSON.stringify(net.deployment))

  // An answer due for finality, committed by the operators themselves.
  await (await token.mint(net.deployer.address, 10n ** 18n)).wait()
  const now = await latestTimestamp(net.provider)
  const { requestId } = await requestResolution(token, oracle, net.deployer, { spec: '{"question":"finality loop"}', outcomes: ['YES', 'NO'], resolveAfter: now + 1, feeWei: 10n ** 17n })
  await increaseTime(net.provider, 2)
  await signAndCommit(oracle, net.operators, { requestId, round: 0, answer: 1n })
  await increaseTime(net.provider, WINDOW_SEC + 1)

  const started = await startAggregator({
    config: aggregatorConfig(net, nats.url, deploymentFile, {
      name: 'finality-loop-agg',
      chain: { rpcUrls: [proxy.url], deploymentFile, pollIntervalMs: 100, requestTimeoutMs: STALL_MS + 5000 },
      rounds: { deadlineMs: 1000, commitLeaseMs: 5000, sweepIntervalMs: 100 },
    }),
    env: { AGGREGATOR_KEY: await aggregatorKey(net, 9) },
    logger: silentLogger,
  })
  try {
    await waitFor('the finality pass to stall', async () => proxy.state.stalled > 0, 10_000, 50)
    const stalledAt = Date.now()
    // One answer of four: no quorum; the sweep closes the round once its deadline has passed.
    const open = await openRequest(net)
    await publishAnswers(jetstream(nc), net, open, [1n])
    const closed = async () =>
      (await started.metrics.registry.getSingleMetric('sibyl_rounds_closed_total')!.get()).values.find((v) => v.labels.outcome === 'no-quorum')?.value ?? 0
    await waitFor('the round closed without a quorum', async () => (await closed()) >= 1, STALL_MS - 3000, 100).catch(() => undefined)
    t.is(await closed(), 1, 'the round past its deadline was closed while the finalize simulation was stalled')
    t.true(Date.now() - stalledAt < STALL_MS, 'and before the stall ended')
  } finally {
    await started.stop()
    await nc.close()
    await nats.stop()
    await proxy.stop()
  }
})
