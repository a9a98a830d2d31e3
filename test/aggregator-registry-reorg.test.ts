/**
 * The aggregator's operator registry against a real anvil: membership it applied from Staking's events is
 * undone when a reorg takes those events away (finding 7 of the hardening issue). The reorg is anvil's
 * evm_snapshot / evm_revert, then new blocks: the chain the registry read is replaced by a longer one
 * without the join.
 */
import test from 'ava'
import { addOperators, startLocalNetwork, type LocalNetwork } from '@sibyl/devnet/local-network'
import { createOperatorRegistry } from '@sibyl/aggregator/registry/operator-registry'

let net: LocalNetwork

test.before(async () => {
  net = await startLocalNetwork({ operators: 4 })
})

test.after.always(async () => {
  await net?.stop()
})

test('finding 7: a join that a reorg removes is undone in the registry', async (t) => {
  const registry = createOperatorRegistry({
    provider: net.provider,
    stakingAddress: net.deployment.contracts.staking,
    fromBlock: net.deployment.deployedAtBlock,
    confirmations: 0,
    maxBlockRange: 2000,
  })
  await registry.sync()
  t.is(registry.activeCount(), 4)
  const snapshot = (await net.provider.send('evm_snapshot', [])) as string
  const [joined] = await addOperators({ provider: net.provider, deployer: net.deployer, deployment: net.deployment, count: 1, firstIndex: 4 })
  await registry.sync()
  t.true(registry.isActive(joined!.signer.address), 'the join is seen')
  const headWithJoin = await net.provider.getBlockNumber()

  await net.provider.send('evm_revert', [snapshot])
  // The replacing chain grows past the one the registry read, as a reorg's winning branch does.
  while ((await net.provider.getBlockNumber()) <= headWithJoin + 2) await net.provider.send('evm_mine', [])
  t.true((await net.provider.getBlockNumber()) > headWithJoin)
  await registry.sync()
  t.false(registry.isActive(joined!.signer.address), 'the join is gone from the chain, and from the registry')
  t.is(registry.operatorOf(joined!.signer.address), undefined)
  for (const op of net.operators) t.true(registry.isActive(op.signer.address), `${op.signer.address} is still a member`)
})
