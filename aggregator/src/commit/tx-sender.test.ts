/**
 * The transaction sender against a real anvil: a transaction stuck in the pool (mining paused) is replaced
 * at the same nonce with higher fees and the replacement is the one mined; a dead RPC URL first in the
 * list is failed over; concurrent sends get consecutive nonces.
 *
 * Time is the sender's injected clock: its waits between polls move a manual clock instead of sleeping, and
 * a block is mined "during" the wait at which the test wants it, so no test waits for real time to pass.
 */
import test, { type ExecutionContext } from 'ava'
import { JsonRpcProvider, Wallet, parseEther, toBeHex } from 'ethers'
import { pino } from 'pino'
import { freePort, startAnvil, type Anvil } from '@sibyl/contracts/anvil'
import { createTxSender, type TxSenderParameters } from './tx-sender.ts'

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

/**
 * A manual clock for the sender: each of its waits moves the clock by the wait, then runs `during` (the
 * test's view of what happens on the chain meanwhile).
 */
function manualTime(during: (nowMs: number) => Promise<void>) {
  let now = 0
  return {
    nowMs: () => now,
    sleep: async (ms: number) => {
      now += ms
      await during(now)
    },
  }
}

/** A sender on this file's anvil with its usual settings; each test names the ones it is about. */
function localSender(t: ExecutionContext, wallet: Wallet, settings: Partial<TxSenderParameters> & Pick<TxSenderParameters, 'stuckAfterMs' | 'maxFeeBumps'>) {
  const sender = createTxSender({ wallet, rpcUrls: [anvil.rpcUrl], chainId: BigInt(anvil.chainId), feeBumpPercent: 25, maxFeePerGasWei: parseEther('0.001'), logger, pollMs: 50, ...settings })
  t.teardown(() => sender.destroy())
  return sender
}

async function fundedWallet(): Promise<Wallet> {
  const wallet = Wallet.createRandom()
  await provider.send('anvil_setBalance', [wallet.address, toBeHex(parseEther('10'))])
  return new Wallet(wallet.privateKey)
}

test.serial('a stuck transaction is replaced with higher fees at the same nonce, and the replacement is mined', async (t) => {
  const wallet = await fundedWallet()
  let replaced = 0
  let mined = false
  // Mine once the sender has replaced the transaction: it sat unmined through at least one bump.
  const time = manualTime(async () => {
    if (replaced >= 1 && !mined) {
      mined = true
      await provider.send('evm_mine', [])
    }
  })
  const logger = pino({ level: 'warn' }, { write: (line: string) => void (JSON.parse(line).msg === 'transaction stuck: replaced with higher fees' && replaced++) })
  const sender = localSender(t, wallet, { stuckAfterMs: 300, maxFeeBumps: 3, logger, ...time })
  const base = (await provider.getFeeData()).maxPriorityFeePerGas!
  await provider.send('evm_setAutomine', [false])
  try {
    const { receipt, bumps } = await sender.send({ to: wallet.address, data: '0x', gasLimit: 30_000n })
    t.true(mined)
    t.true(bumps >= 1)
    t.is(receipt.status, 1)
    t.true(time.nowMs() >= 300, 'the bump waited stuckAfterMs on the injected clock')
    const minedTx = await provider.getTransaction(receipt.hash)
    const pending = await provider.getTransactionCount(wallet.address, 'latest')
    t.is(pending, 1, 'one nonce used: the replacement, not a second transaction')
    t.is(minedTx?.nonce, 0)
    t.true(minedTx!.maxPriorityFeePerGas! > base, `the mined transaction pays the bumped tip: ${minedTx!.maxPriorityFeePerGas} vs ${base}, maxFee ${minedTx!.maxFeePerGas}`)
  } finally {
    await provider.send('evm_setAutomine', [true])
  }
})

test.serial('a dead RPC URL is failed over, and concurrent sends take consecutive nonces', async (t) => {
  const wallet = await fundedWallet()
  const dead = `http://127.0.0.1:${await freePort()}`
  const sender = localSender(t, wallet, { rpcUrls: [dead, anvil.rpcUrl], stuckAfterMs: 5000, maxFeeBumps: 1 })
  const results = await Promise.all([1, 2, 3].map(() => sender.send({ to: wallet.address, data: '0x', gasLimit: 30_000n })))
  const nonces = await Promise.all(results.map(async (r) => (await provider.getTransaction(r.receipt.hash))!.nonce))
  t.deepEqual([...nonces].sort(), [0, 1, 2])
  t.true(results.every((r) => r.receipt.status === 1))
})

test.serial('fees never exceed the configured cap', async (t) => {
  const wallet = await fundedWallet()
  const cap = 2_000_000_000n
  let mined = false
  // Five bumps of 100% would pass any cap; mine only after 1.2 s on the sender's clock (several bumps).
  const time = manualTime(async (nowMs) => {
    if (nowMs >= 1200 && !mined) {
      mined = true
      await provider.send('evm_mine', [])
    }
  })
  const sender = localSender(t, wallet, { stuckAfterMs: 200, feeBumpPercent: 100, maxFeeBumps: 5, maxFeePerGasWei: cap, ...time })
  await provider.send('evm_setAutomine', [false])
  try {
    const { receipt } = await sender.send({ to: wallet.address, data: '0x', gasLimit: 30_000n })
    t.true(mined)
    const minedTx = await provider.getTransaction(receipt.hash)
    t.true(minedTx!.maxFeePerGas! <= cap)
  } finally {
    await provider.send('evm_setAutomine', [true])
  }
})

test.serial('a transaction never mined is given up after the bumps, on the injected clock', async (t) => {
  const wallet = await fundedWallet()
  const time = manualTime(async () => undefined)
  const sender = localSender(t, wallet, { stuckAfterMs: 100, maxFeeBumps: 2, ...time })
  await provider.send('evm_setAutomine', [false])
  try {
    const error = await t.throwsAsync(sender.send({ to: wallet.address, data: '0x', gasLimit: 30_000n }), { name: 'TxSendError' })
    t.regex(error?.message ?? '', /not mined after 2 fee bumps/)
    t.is(time.nowMs(), 100 * (2 + 2), 'gave up at stuckAfterMs x (maxFeeBumps + 2)')
  } finally {
    // Clear what it left in the pool so later tests start clean.
    await provider.send('evm_mine', [])
    await provider.send('evm_setAutomine', [true])
  }
})

test.serial('finding 7: a receipt counts only confirmations deep; a transaction a reorg takes away is broadcast again', async (t) => {
  const wallet = await fundedWallet()
  const confirmations = 2
  let firstBlock: number | undefined
  let reorged = false
  // On the sender's clock: once its transaction is mined (automine), a reorg replaces that block with an empty
  // one before it is confirmed; from then on a block is mined at each wait, as a live chain does.
  const time = manualTime(async () => {
    const head = await provider.getBlockNumber()
    if (!reorged && firstBlock === undefined) {
      const count = await provider.getTransactionCount(wallet.address, 'latest')
      if (count === 1) firstBlock = head
      return
    }
    if (!reorged) {
      reorged = true
      await provider.send('anvil_reorg', [1, []])
      return
    }
    await provider.send('evm_mine', [])
  })
  const sender = localSender(t, wallet, { stuckAfterMs: 5000, maxFeeBumps: 1, confirmations, ...time })
  const { receipt, reorgs } = await sender.send({ to: wallet.address, data: '0x', gasLimit: 30_000n })
  t.true(reorged, 'the first inclusion was reorged away before it was confirmed')
  t.is(reorgs, 1)
  const canonical = await provider.getTransactionReceipt(receipt.hash)
  t.is(canonical?.blockHash, receipt.blockHash, 'the receipt returned is on the chain as it is now')
  t.true((await provider.getBlockNumber()) - receipt.blockNumber >= confirmations)
  t.is(await provider.getTransactionCount(wallet.address, 'latest'), 1, 'one transaction, sent again at its nonce')
})

test.serial('a send waiting for its receipt gives up when the sender is destroyed (a stopping aggregator)', async (t) => {
  const wallet = await fundedWallet()
  let destroyAt: number | undefined
  let destroy: () => void = () => undefined
  // Destroyed at the second wait: the transaction is in the pool, unmined, far from its budget.
  const time = manualTime(async (now) => {
    destroyAt ??= now
    if (now > destroyAt) destroy()
  })
  const sender = localSender(t, wallet, { stuckAfterMs: 60_000, maxFeeBumps: 3, ...time })
  destroy = () => sender.destroy()
  await provider.send('evm_setAutomine', [false])
  try {
    // Red before: it polled the destroyed providers until the budget (minutes on this clock) ran out.
    const error = await t.throwsAsync(sender.send({ to: wallet.address, data: '0x', gasLimit: 30_000n }), { name: 'TxSendError' })
    t.regex(error?.message ?? '', /stopped with the transaction at nonce \d+ in flight/)
    t.true(time.nowMs() <= 200, `gave up at ${time.nowMs()} ms on the sender's clock`)
  } finally {
    await provider.send('evm_mine', [])
    await provider.send('evm_setAutomine', [true])
  }
})
