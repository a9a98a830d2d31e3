/**
 * A requester who pays the fee may emit any bytes as the spec and outcome labels: ResolutionRequested's strings
 * are not checked to be UTF-8 on-chain. A request whose spec is invalid UTF-8 must not stop a node's scan (its
 * cursor would stay put and every later request would go unseen) nor the explorer's indexer; the node reads it
 * as a spec that does not match its hash (and so answers "unresolvable"), and later requests are still found;
 * the explorer lists both.
 */
import test from 'ava'
import { AbiCoder, concat, getBytes, keccak256, type BytesLike } from 'ethers'
import { requestResolution, mined } from '@sibyl/contracts/requests'
import { ResolutionOracle__factory } from '@sibyl/contracts/typechain'
import { latestTimestamp, startLocalNetwork, type LocalNetwork } from '@sibyl/devnet/local-network'
import { fetchNewRequests } from '@sibyl/oracle-node/chain/fetch-requests'
import { parseRequestSpec } from '@sibyl/oracle-node/node/parse-request-spec'
import { indexChain } from '@sibyl/explorer/index/index-chain'
import { createExplorerStore } from '@sibyl/explorer/store/explorer-store'
import pino from 'pino'

let net: LocalNetwork
test.before(async () => {
  net = await startLocalNetwork({ operators: 4 })
})
test.after.always(async () => {
  await net?.stop()
})

/** requestResolution with raw bytes where the ABI says string (same encoding), so invalid UTF-8 goes through. */
async function requestWithRawBytes(spec: BytesLike, outcomes: BytesLike[]): Promise<void> {
  const { token, oracle } = net.contracts
  const fee = 10n ** 17n
  await mined(token.mint(net.deployer.address, fee))
  await mined(token.connect(net.deployer).approve(oracle.target, fee))
  const resolveAfter = BigInt((await latestTimestamp(net.provider)) + 60)
  const params = AbiCoder.defaultAbiCoder().encode(
    ['tuple(bytes32,bytes,bytes[],uint64,uint96,uint32)'],
    [[keccak256(spec), spec, outcomes, resolveAfter, fee, 0]],
  )
  const selector = oracle.interface.getFunction('requestResolution')!.selector
  await (await net.deployer.sendTransaction({ to: oracle.target, data: concat([selector, params]) })).wait()
}

test.serial('a spec and a label of invalid UTF-8 do not stop the node scan; later requests are still found', async (t) => {
  const oracle = ResolutionOracle__factory.connect(net.deployment.contracts.resolutionOracle, net.provider)
  const from = await net.provider.getBlockNumber()
  await requestWithRawBytes(getBytes('0x7bff22717565737469bf6e227d'), [getBytes('0x594553'), getBytes('0xc3')])
  await mined(net.contracts.token.mint(net.deployer.address, 10n ** 17n))
  const now = await latestTimestamp(net.provider)
  const { requestId } = await requestResolution(net.contracts.token, net.contracts.oracle, net.deployer, {
    spec: '{"question":"after the hostile one"}',
    outcomes: ['YES', 'NO'],
    resolveAfter: now + 60,
    feeWei: 10n ** 17n,
  })
  const result = await fetchNewRequests(net.provider, oracle, from, { confirmations: 0, maxBlockRange: 1000 })
  t.true(result.requests.some((r) => r.requestId === requestId), 'the request after the hostile one is found')
  const hostile = result.requests.find((r) => r.requestId !== requestId)
  t.truthy(hostile, 'the hostile request is read too, not skipped silently')
  t.deepEqual(hostile!.outcomes, ['YES', '\uFFFD'])
  // Its spec does not match its hash once the bad bytes are replaced: the node answers "unresolvable".
  t.like(parseRequestSpec(hostile!), { ok: false })
})

test.serial('the explorer indexes past a request of invalid UTF-8 and shows the next one', async (t) => {
  const store = createExplorerStore()
  const controller = new AbortController()
  const indexer = indexChain({
    provider: net.provider,
    deployment: net.deployment,
    store,
    confirmations: 0,
    pollIntervalMs: 100,
    maxBlockRange: 1000,
    logger: pino({ level: 'silent' }),
    signal: controller.signal,
  })
  t.teardown(() => controller.abort())
  const head = await net.provider.getBlockNumber()
  const deadline = Date.now() + 30_000
  while (indexer.nextBlock() <= head && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
  t.true(indexer.nextBlock() > head, `the indexer reached the head (next ${indexer.nextBlock()}, head ${head})`)
  const listed = store.listRequests({ limit: 100 })
  if ('error' in listed) return t.fail(listed.error)
  t.true(listed.requests.some((r) => r.question.includes('after the hostile one')))
  t.true(listed.requests.some((r) => r.outcomes.includes('\uFFFD')), 'the hostile request is listed, its bad bytes replaced')
  controller.abort()
  await indexer.done
})
