/**
 * The operator registry behind an RPC that does not have a block yet (a backend behind the others, asked after
 * a fail-over), against a real anvil and a proxy that answers "no such block": that says nothing about a
 * reorg, so the registry must not throw away what it read and rebuild from the deployment block.
 */
import test from 'ava'
import { JsonRpcProvider } from 'ethers'
import { addOperators, startLocalNetwork, type LocalNetwork } from '@sibyl/devnet/local-network'
import { createOperatorRegistry } from '@sibyl/aggregator/registry/operator-registry'
import { startLyingRpc } from './helpers/start-lying-rpc.ts'

let net: LocalNetwork

test.before(async () => {
  net = await startLocalNetwork({ operators: 4 })
})
test.after.always(async () => {
  await net?.stop()
})

/** Forwards to anvil; while `missing` is set, every block asked for by number is unknown (null). */
async function missingBlocksProxy(target: string) {
  const state = { missing: false }
  const rpc = await startLyingRpc(target, (r) => (state.missing && r.method === 'eth_getBlockByNumber' ? { result: null } : undefined))
  return { state, ...rpc }
}

test('a block the backend does not have yet is not a reorg: nothing is rebuilt, and the next sync goes on', async (t) => {
  const proxy = await missingBlocksProxy(net.anvil.rpcUrl)
  const provider = new JsonRpcProvider(proxy.url, Number(net.deployment.chainId), { staticNetwork: true, cacheTimeout: -1 })
  t.teardown(async () => {
    provider.destroy()
    await proxy.stop()
  })
  const registry = createOperatorRegistry({ provider, stakingAddress: net.deployment.contracts.staking, fromBlock: net.deployment.deployedAtBlock, confirmations: 0, maxBlockRange: 2000 })
  await registry.sync()
  t.is(registry.activeCount(), 4)
  const read = registry.nextBlock()
  t.true(read > net.deployment.deployedAtBlock)

  const [joined] = await addOperators({ provider: net.provider, deployer: net.deployer, deployment: net.deployment, count: 1, firstIndex: 4 })
  proxy.state.missing = true
  await registry.sync().catch(() => undefined)
  t.is(registry.reorgs(), 0, 'an unknown block is not a reorg')
  t.true(registry.nextBlock() >= read, 'the cursor is not sent back to the deployment block')
  t.is(registry.activeCount(), 4, 'what was read still answers')

  proxy.state.missing = false
  await registry.sync()
  t.is(registry.reorgs(), 0)
  t.true(registry.isActive(joined!.signer.address), 'the join is read once the backend has the blocks')
})
