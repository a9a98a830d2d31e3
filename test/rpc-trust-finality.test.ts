/**
 * The finality keeper when its RPC fails for a while, against a real anvil behind a proxy that cuts off the
 * finalize simulation: an RPC failure says nothing about the request, so it stays followed and is finalized
 * once the RPC answers again (old blocks are never read again, so a request dropped then is lost for good).
 */
import test from 'ava'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { FetchRequest, JsonRpcProvider, Wallet, parseUnits } from 'ethers'
import { pino } from 'pino'
import { findEvent, requestResolution, signAndCommit } from '@sibyl/contracts/requests'
import { increaseTime, latestTimestamp, setBalance, startLocalNetwork, type LocalNetwork } from '@sibyl/devnet/local-network'
import { createTxSender } from '@sibyl/aggregator/commit/tx-sender'
import { createAggregatorMetrics } from '@sibyl/aggregator/metrics/aggregator-metrics'
import { createFinalityKeeper } from '@sibyl/aggregator/finality/finalize-due-requests'

type RpcRequest = { jsonrpc: '2.0'; id: unknown; method: string; params?: { data?: string }[] }

const WINDOW_SEC = 60
let net: LocalNetwork

test.before(async () => {
  net = await startLocalNetwork({ operators: 4, config: { disputeWindowSec: WINDOW_SEC, votingPeriodSec: 120, unbondingDelaySec: 600 } })
})
test.after.always(async () => {
  await net?.stop()
})

/** Forwards to anvil; while `cut` is set, an eth_call of `selector` has its connection cut off. */
async function cuttingProxy(target: string, selector: string) {
  const state = { cut: false, cuts: 0 }
  const server: Server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk) => (body += chunk))
    req.on('end', async () => {
      const parsed = JSON.parse(body) as RpcRequest | RpcRequest[]
      const all = Array.isArray(parsed) ? parsed : [parsed]
      if (state.cut && all.some((r) => r.method === 'eth_call' && r.params?.[0]?.data?.startsWith(selector))) {
        state.cuts++
        req.socket.destroy()
        return
      }
      const answer = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(await answer.text())
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const stop = () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve())))
  return { state, url, stop }
}

test.serial('a finalize simulation cut off by the RPC keeps the request, and the next pass finalizes it', async (t) => {
  const { token, oracle } = net.contracts
  const proxy = await cuttingProxy(net.anvil.rpcUrl, oracle.interface.getFunction('finalize').selector)
  const request = new FetchRequest(proxy.url)
  request.timeout = 2000
  const provider = new JsonRpcProvider(request, Number(net.deployment.chainId), { staticNetwork: true, cacheTimeout: -1 })
  t.teardown(async () => {
    provider.destroy()
    await proxy.stop()
  })
  const wallet = new Wallet(Wallet.createRandom().privateKey)
  await setBalance(net.provider, wallet.address, 10n ** 20n)
  const logger = pino({ level: 'silent' })
  const metrics = createAggregatorMetrics({ aggregator: 'rpc-trust-finality' })
  const sender = createTxSender({
    wallet, rpcUrls: [net.anvil.rpcUrl], chainId: BigInt(net.deployment.chainId), stuckAfterMs: 15_000,
    feeBumpPercent: 25, maxFeeBumps: 3, maxFeePerGasWei: parseUnits('500', 'gwei'), logger, pollMs: 50,
  })
  t.teardown(() => sender.destroy())
  const k = createFinalityKeeper({ provider, sender, deployment: net.deployment, metrics, logger, delaySec: 0, maxPerPass: 16, maxBlockRange: 2000, gasLimitPercent: 125 })

  await (await token.mint(net.deployer.address, 10n ** 18n)).wait()
  const now = await latestTimestamp(net.provider)
  const { requestId } = await requestResolution(token, oracle, net.deployer, { spec: '{"question":"rpc trust"}', outcomes: ['YES', 'NO'], resolveAfter: now + 1, feeWei: 10n ** 17n })
  await increaseTime(net.provider, 2)
  const { receipt } = await signAndCommit(oracle, net.operators, { requestId, round: 0, answer: 1n })
  t.truthy(findEvent(oracle, receipt, 'ReportCommitted'))
  await increaseTime(net.provider, WINDOW_SEC + 1)

  proxy.state.cut = true
  t.deepEqual(await k.pass(), [])
  t.true(proxy.state.cuts > 0, 'the simulation was cut off')
  t.is(k.pending(), 1, 'an RPC failure does not drop the request')
  proxy.state.cut = false
  t.deepEqual(await k.pass(), [requestId], 'finalized once the RPC answers again')
  t.true((await oracle.getResolution(requestId))[0])
})

test.serial('a request whose callback may burn more gas than the cap is left to others, not paid for', async (t) => {
  const { token, oracle } = net.contracts
  const wallet = new Wallet(Wallet.createRandom().privateKey)
  await setBalance(net.provider, wallet.address, 10n ** 20n)
  const logger = pino({ level: 'silent' })
  const metrics = createAggregatorMetrics({ aggregator: 'rpc-trust-gas' })
  const sender = createTxSender({
    wallet, rpcUrls: [net.anvil.rpcUrl], chainId: BigInt(net.deployment.chainId), stuckAfterMs: 15_000,
    feeBumpPercent: 25, maxFeeBumps: 3, maxFeePerGasWei: parseUnits('500', 'gwei'), logger, pollMs: 50,
  })
  t.teardown(() => sender.destroy())
  const k = createFinalityKeeper({
    provider: net.provider, sender, deployment: net.deployment, metrics, logger,
    delaySec: 0, maxPerPass: 16, maxBlockRange: 2000, gasLimitPercent: 125, maxCallbackGas: 300_000,
  })
  const asked: string[] = []
  for (const callbackGasLimit of [1_000_000, 200_000]) {
    await (await token.mint(net.deployer.address, 10n ** 18n)).wait()
    const now = await latestTimestamp(net.provider)
    const spec = `{"question":"callback gas ${callbackGasLimit}"}`
    const { requestId } = await requestResolution(token, oracle, net.deployer, { spec, outcomes: ['YES', 'NO'], resolveAfter: now + 1, feeWei: 10n ** 17n, callbackGasLimit })
    await increaseTime(net.provider, 2)
    await signAndCommit(oracle, net.operators, { requestId, round: 0, answer: 1n })
    asked.push(requestId)
  }
  await increaseTime(net.provider, WINDOW_SEC + 1)
  // Commits of the earlier test are followed too (from the deployment block): only the two asked here are looked at.
  const finalized = await k.pass()
  t.false(finalized.includes(asked[0]!), 'the 1M-gas callback is not finalized by this aggregator')
  t.true(finalized.includes(asked[1]!), 'a callback within the cap is')
  t.false((await oracle.getResolution(asked[0]!))[0])
})
