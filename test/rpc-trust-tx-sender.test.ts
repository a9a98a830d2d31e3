/**
 * The aggregator's transaction sender with one honest RPC (a real anvil) and one that lies: a proxy in front of
 * the same anvil that reports a huge pending nonce and a huge head. A lying backend must not decide the nonce
 * (its nonce would park every send in the pool until its budget ran out) nor the head (a fake head would
 * satisfy the confirmations check at once, so a reorg could still take the commit away).
 */
import test from 'ava'
import { JsonRpcProvider, Wallet, parseEther, toBeHex } from 'ethers'
import { pino } from 'pino'
import { startAnvil, type Anvil } from '@sibyl/contracts/anvil'
import { createTxSender, type TxSenderParameters } from '@sibyl/aggregator/commit/tx-sender'
import { startLyingRpc, type LyingRpc } from './helpers/start-lying-rpc.ts'

const HUGE = `0x${(2 ** 40).toString(16)}`
const logger = pino({ level: 'silent' })
let anvil: Anvil
let provider: JsonRpcProvider
let liar: LyingRpc
/** The methods the liar makes up an answer for. */
const lies = new Set<string>()

test.before(async () => {
  anvil = await startAnvil()
  provider = new JsonRpcProvider(anvil.rpcUrl, anvil.chainId, { staticNetwork: true, cacheTimeout: -1 })
  // Forwards to anvil, except what `lies` names (the head, the nonce), which it makes up.
  liar = await startLyingRpc(anvil.rpcUrl, (r) => (lies.has(r.method) ? { result: HUGE } : undefined))
})

test.after.always(async () => {
  provider?.destroy()
  await liar?.stop()
  await anvil?.stop()
})

async function sender(overrides: Partial<TxSenderParameters>) {
  const wallet = Wallet.createRandom()
  await provider.send('anvil_setBalance', [wallet.address, toBeHex(parseEther('10'))])
  const s = createTxSender({
    wallet: new Wallet(wallet.privateKey),
    rpcUrls: [anvil.rpcUrl, liar.url],
    chainId: BigInt(anvil.chainId),
    stuckAfterMs: 400,
    feeBumpPercent: 25,
    maxFeeBumps: 0,
    maxFeePerGasWei: parseEther('0.001'),
    logger,
    pollMs: 50,
    ...overrides,
  })
  return { s, address: wallet.address }
}

test.serial('a huge pending nonce from one backend does not stop sends', async (t) => {
  lies.clear()
  lies.add('eth_getTransactionCount').add('eth_blockNumber')
  const { s, address } = await sender({})
  t.teardown(() => s.destroy())
  const first = await s.send({ to: address, data: '0x', gasLimit: 30_000n })
  const second = await s.send({ to: address, data: '0x', gasLimit: 30_000n })
  t.is(first.receipt.status, 1)
  t.is((await provider.getTransaction(first.receipt.hash))!.nonce, 0)
  t.is((await provider.getTransaction(second.receipt.hash))!.nonce, 1)
})

test.serial('a huge head from one backend does not count as confirmations', async (t) => {
  lies.clear()
  lies.add('eth_blockNumber')
  const { s, address } = await sender({ confirmations: 3, stuckAfterMs: 5000 })
  t.teardown(() => s.destroy())
  let done = false
  const sending = s.send({ to: address, data: '0x', gasLimit: 30_000n }).finally(() => (done = true))
  await new Promise((r) => setTimeout(r, 1500))
  t.false(done, 'not done while the transaction is only in the head block')
  await provider.send('anvil_mine', ['0x3'])
  const { receipt } = await sending
  t.true((await provider.getBlockNumber()) - receipt.blockNumber >= 3)
})
