/**
 * The aggregator's transaction sender with one honest RPC (a real anvil) and one that lies: a proxy in front of
 * the same anvil that reports a huge pending nonce and a huge head. A lying backend must not decide the nonce
 * (its nonce would park every send in the pool until its budget ran out) nor the head (a fake head would
 * satisfy the confirmations check at once, so a reorg could still take the commit away).
 */
import test from 'ava'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { JsonRpcProvider, Wallet, parseEther, toBeHex } from 'ethers'
import { pino } from 'pino'
import { startAnvil, type Anvil } from '@sibyl/contracts/anvil'
import { createTxSender, type TxSenderParameters } from '@sibyl/aggregator/commit/tx-sender'

type RpcRequest = { jsonrpc: '2.0'; id: unknown; method: string; params?: unknown[] }

const HUGE = `0x${(2 ** 40).toString(16)}`
const logger = pino({ level: 'silent' })
let anvil: Anvil
let provider: JsonRpcProvider
let liar: { url: string; server: Server }
/** The methods the liar makes up an answer for. */
const lies = new Set<string>()

/** Forwards to anvil, except the head and the nonce, which it makes up. */
async function startLiar(target: string): Promise<{ url: string; server: Server }> {
  const lie = async (r: RpcRequest) => {
    if (lies.has(r.method)) return { jsonrpc: '2.0', id: r.id, result: HUGE }
    const res = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(r) })
    return (await res.json()) as unknown
  }
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk) => (body += chunk))
    req.on('end', async () => {
      const parsed = JSON.parse(body) as RpcRequest | RpcRequest[]
      const answer = Array.isArray(parsed) ? await Promise.all(parsed.map(lie)) : await lie(parsed)
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify(answer))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }
}

test.before(async () => {
  anvil = await startAnvil()
  provider = new JsonRpcProvider(anvil.rpcUrl, anvil.chainId, { staticNetwork: true, cacheTimeout: -1 })
  liar = await startLiar(anvil.rpcUrl)
})

test.after.always(async () => {
  provider?.destroy()
  liar?.server.closeAllConnections()
  liar?.server.close()
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
