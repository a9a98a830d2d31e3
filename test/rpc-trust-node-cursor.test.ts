/**
 * The node's scan cursor against a lying RPC: a proxy in front of a real anvil that reports a head far above
 * the chain. The cursor must never move past a block the chain has (requests in skipped blocks would be missed
 * for good), whether the liar is the only backend or one of two behind the fail-over provider.
 */
import test from 'ava'
import { JsonRpcProvider, type Provider } from 'ethers'
import { ResolutionOracle__factory } from '@sibyl/contracts/typechain'
import { requestResolution } from '@sibyl/contracts/requests'
import { latestTimestamp, startLocalNetwork, type LocalNetwork } from '@sibyl/devnet/local-network'
import { createProvider } from '@sibyl/service-kit/chain/create-provider'
import { fetchNewRequests } from '@sibyl/oracle-node/chain/fetch-requests'
import { startLyingRpc, type LyingRpc } from './helpers/start-lying-rpc.ts'

const HUGE = `0x${(2 ** 40).toString(16)}`
let net: LocalNetwork
let liar: LyingRpc

test.before(async () => {
  net = await startLocalNetwork({ operators: 4 })
  // Forwards to anvil, except the head, which it makes up.
  liar = await startLyingRpc(net.anvil.rpcUrl, (r) => (r.method === 'eth_blockNumber' ? { result: HUGE } : undefined))
})
test.after.always(async () => {
  await liar?.stop()
  await net?.stop()
})

/** Scans like the node does (several ranges a tick) and returns where the cursor ends up. */
async function scan(provider: Provider, fromBlock: number): Promise<{ nextBlock: number; found: string[] }> {
  const oracle = ResolutionOracle__factory.connect(net.deployment.contracts.resolutionOracle, provider)
  let next = fromBlock
  const found: string[] = []
  for (let i = 0; i < 10; i++) {
    // A failed range ends the tick, as in the node; the cursor stays where it got to.
    const result = await fetchNewRequests(provider, oracle, next, { confirmations: 0, maxBlockRange: 50 }).catch(() => undefined)
    if (!result) break
    const { requests, nextBlock } = result
    found.push(...requests.map((r) => r.requestId))
    if (nextBlock === next) break
    next = nextBlock
  }
  return { nextBlock: next, found }
}

for (const setup of ['the only backend', 'one of two backends'] as const) {
  test.serial(`a made-up head (${setup}) does not move the cursor past the chain`, async (t) => {
    const provider: Provider =
      setup === 'the only backend'
        ? new JsonRpcProvider(liar.url, Number(net.deployment.chainId), { staticNetwork: true, cacheTimeout: -1 })
        : createProvider({ rpcUrls: [net.anvil.rpcUrl, liar.url], pollIntervalMs: 50, requestTimeoutMs: 2000 }, Number(net.deployment.chainId))
    t.teardown(() => provider.destroy())
    const start = await net.provider.getBlockNumber()
    const first = await scan(provider, start)
    const head = await net.provider.getBlockNumber()
    t.true(first.nextBlock <= head + 1, `cursor ${first.nextBlock} stays at most one past the head ${head}`)

    // A request asked next is still found: its block was not skipped.
    const { token, oracle } = net.contracts
    await (await token.mint(net.deployer.address, 10n ** 18n)).wait()
    const now = await latestTimestamp(net.provider)
    const { requestId } = await requestResolution(token, oracle, net.deployer, { spec: `{"question":"cursor ${setup}"}`, outcomes: ['YES', 'NO'], resolveAfter: now + 60, feeWei: 10n ** 17n })
    await new Promise((r) => setTimeout(r, 100))
    const second = await scan(provider, first.nextBlock)
    t.true(second.found.includes(requestId), 'the new request is found')
  })
}
