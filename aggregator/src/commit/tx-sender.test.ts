/**
 * The transaction sender against a real anvil: a transaction stuck in the pool (mining paused) is replaced
 * at the same nonce with higher fees and the replacement is the one mined; a dead RPC URL first in the
 * list is failed over; concurrent sends get consecutive nonces.
 */
import test from 'ava'
import { JsonRpcProvider, Wallet, parseEther, toBeHex } from 'ethers'
import { pino } from 'pino'
import { freePort, startAnvil, type Anvil } from '@sibyl/contracts/anvil'
import { createTxSender } from './tx-sender.ts'

let anvil: Anvil
let provider: JsonRpcProvider
const logger = pino({ level: 'silent' })

test.before(async () => {
  anvil = await startAnvil()
  provider = new JsonRpcProvider(anvil.rpcUrl, anvil.chainId, { staticNetwork: true, cacheTimeout: -1 })
})

test.after.always(async () => {
  provider?.destroy()
  await anvil?.stop()
})

async function fundedWallet(): Promise<Wallet> {
  const wallet = Wallet.createRandom()
  await provider.send('anvil_setBalance', [wallet.address, toBeHex(parseEther('10'))])
  return new Wallet(wallet.privateKey)
}

test.serial('a stuck transaction is replaced with higher fees at the same nonce, and the replacement is mined', async (t) => {
  const wallet = await fundedWallet()
  const sender = createTxSender({
    wallet,
    rpcUrls: [anvil.rpcUrl],
    chainId: BigInt(anvil.chainId),
    stuckAfterMs: 300,
    feeBumpPercent: 25,
    maxFeeBumps: 3,
    maxFeePerGasWei: parseEther('0.001'),
    logger,
    pollMs: 50,
  })
  t.teardown(() => sender.destroy())
  const base = (await provider.getFeeData()).maxPriorityFeePerGas!
  await provider.send('evm_setAutomine', [false])
  try {
    const sending = sender.send({ to: wallet.address, data: '0x', gasLimit: 30_000n })
    // Let it sit unmined through at least one bump, then mine.
    await new Promise((r) => setTimeout(r, 900))
    await provider.send('evm_mine', [])
    const { receipt, bumps } = await sending
    t.true(bumps >= 1)
    t.is(receipt.status, 1)
    const mined = await provider.getTransaction(receipt.hash)
    const pending = await provider.getTransactionCount(wallet.address, 'latest')
    t.is(pending, 1, 'one nonce used: the replacement, not a second transaction')
    t.is(mined?.nonce, 0)
    t.true(mined!.maxPriorityFeePerGas! > base, `the mined transaction pays the bumped tip: ${mined!.maxPriorityFeePerGas} vs ${base}, maxFee ${mined!.maxFeePerGas}`)
  } finally {
    await provider.send('evm_setAutomine', [true])
  }
})

test.serial('a dead RPC URL is failed over, and concurrent sends take consecutive nonces', async (t) => {
  const wallet = await fundedWallet()
  const dead = `http://127.0.0.1:${await freePort()}`
  const sender = createTxSender({
    wallet,
    rpcUrls: [dead, anvil.rpcUrl],
    chainId: BigInt(anvil.chainId),
    stuckAfterMs: 5000,
    feeBumpPercent: 25,
    maxFeeBumps: 1,
    maxFeePerGasWei: parseEther('0.001'),
    logger,
    pollMs: 50,
  })
  t.teardown(() => sender.destroy())
  const results = await Promise.all([1, 2, 3].map(() => sender.send({ to: wallet.address, data: '0x', gasLimit: 30_000n })))
  const nonces = await Promise.all(results.map(async (r) => (await provider.getTransaction(r.receipt.hash))!.nonce))
  t.deepEqual([...nonces].sort(), [0, 1, 2])
  t.true(results.every((r) => r.receipt.status === 1))
})

test.serial('fees never exceed the configured cap', async (t) => {
  const wallet = await fundedWallet()
  const cap = 2_000_000_000n
  const sender = createTxSender({
    wallet,
    rpcUrls: [anvil.rpcUrl],
    chainId: BigInt(anvil.chainId),
    stuckAfterMs: 200,
    feeBumpPercent: 100,
    maxFeeBumps: 5,
    maxFeePerGasWei: cap,
    logger,
    pollMs: 50,
  })
  t.teardown(() => sender.destroy())
  await provider.send('evm_setAutomine', [false])
  try {
    const sending = sender.send({ to: wallet.address, data: '0x', gasLimit: 30_000n })
    await new Promise((r) => setTimeout(r, 1200))
    await provider.send('evm_mine', [])
    const { receipt } = await sending
    const mined = await provider.getTransaction(receipt.hash)
    t.true(mined!.maxFeePerGas! <= cap)
  } finally {
    await provider.send('evm_setAutomine', [true])
  }
})
