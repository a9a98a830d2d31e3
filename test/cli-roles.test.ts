/**
 * Every role's commands against a real anvil with the contracts deployed (devnet local-network): keys, spec,
 * ask, watch, finalize, dispute, vote, execute, claim, unbond, withdraw, status, and stake's order of checks.
 * Commands run in-process through main() with an injected CommandIo, as the binary runs them.
 */
import test from 'ava'
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Wallet, ZeroAddress } from 'ethers'
import { main } from '../cli/src/main.ts'
import { ANVIL_DEPLOYER_KEY, increaseTime, localWallet, setBalance, startLocalNetwork, type LocalNetwork } from '@sibyl/devnet/local-network'
import { signAndCommit } from '@sibyl/contracts/requests'
import { connect } from '@nats-io/transport-node'
import { observationSubject } from '@sibyl/protocol/subjects'
import { startNatsServer } from './helpers/nats-server.ts'
import { temporaryDir } from '@sibyl/service-kit/fs/temporary-dir'

const dir = temporaryDir('sibyl-cli-roles-')
const MIN_STAKE_WEI = 1000n * 10n ** 18n
let net: LocalNetwork
let env: Record<string, string>
const requester = localWallet('requester', 0)
const disputer = localWallet('disputer', 0)

const spec = {
  version: 1,
  type: 'text',
  question: 'Did the harbour authority raise ferry fares on 1 March 2025?',
  sources: [{ url: 'https://news.example/ferry-fares' }],
  outcomes: ['YES', 'NO'],
}
const specFile = join(dir, 'spec.json')
writeFileSync(specFile, JSON.stringify(spec, null, 2))

async function sibyl(args: string[], extraEnv: Record<string, string> = {}) {
  let stdout = ''
  let stderr = ''
  const code = await main(args, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, env: { ...env, ...extraEnv } })
  return { code, stdout, stderr, all: stdout + stderr }
}

function json(stdout: string): Record<string, unknown> {
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>
}

test.before(async () => {
  net = await startLocalNetwork({
    operators: 4,
    config: { minStakeWei: MIN_STAKE_WEI.toString(), disputeWindowSec: 60, votingPeriodSec: 120, unbondingDelaySec: 600, slashBps: 5000 },
  })
  const deploymentFile = join(dir, 'deployment.json')
  writeFileSync(deploymentFile, JSON.stringify(net.deployment))
  for (const w of [requester, disputer]) {
    await setBalance(net.provider, w.address, 10n ** 20n)
    await (await net.contracts.token.mint(w.address, 1000n * 10n ** 18n)).wait()
  }
  env = { SIBYL_RPC: net.anvil.rpcUrl, SIBYL_DEPLOYMENT: deploymentFile, SIBYL_KEY: requester.privateKey, PATH: process.env.PATH ?? '' }
})
test.after.always(async () => {
  await net?.stop()
})

/** Asks through the CLI, then stands in for the aggregator: the four operators sign `answer` and it is committed. */
async function askAndCommit(t: { is: (a: unknown, b: unknown, m?: string) => void }, answer: bigint): Promise<string> {
  const asked = await sibyl(['ask', '--spec', specFile, '--resolve-after', '+1', '--json'])
  t.is(asked.code, 0, asked.stderr)
  const requestId = String(json(asked.stdout).requestId)
  await increaseTime(net.provider, 2)
  await signAndCommit(net.contracts.oracle, net.operators, { requestId, round: 0, answer })
  return requestId
}

test.serial('sibyl --help lists every role command', async (t) => {
  const { code, stdout } = await sibyl(['--help'])
  t.is(code, 0)
  for (const c of ['keys', 'spec', 'ask', 'watch', 'finalize', 'dispute', 'vote', 'execute', 'claim', 'unbond', 'withdraw', 'status']) t.regex(stdout, new RegExp(`\\n  ${c} `))
  for (const c of ['keys', 'spec', 'ask', 'watch', 'finalize', 'dispute', 'vote', 'execute', 'claim', 'unbond', 'withdraw', 'status']) {
    const help = await sibyl([c, '--help'])
    t.is(help.code, 0, c)
    t.regex(help.stdout, new RegExp(`^Usage: sibyl ${c}`), c)
  }
})

test.serial('keys new writes an encrypted keystore or a 0600 key file, prints only the address, never overwrites', async (t) => {
  const keystore = join(dir, 'op.keystore.json')
  const made = await sibyl(['keys', 'new', '--keystore', keystore, '--json'], { SIBYL_KEYSTORE_PASSWORD: 'correct horse battery' })
  t.is(made.code, 0, made.stderr)
  const { address } = json(made.stdout) as { address: string }
  const wallet = await Wallet.fromEncryptedJson(readFileSync(keystore, 'utf8'), 'correct horse battery')
  t.is(wallet.address, address)
  t.false(made.all.includes(wallet.privateKey.slice(2)), 'the key is never printed')
  t.is(statSync(keystore).mode & 0o777, 0o600)
  const again = await sibyl(['keys', 'new', '--keystore', keystore], { SIBYL_KEYSTORE_PASSWORD: 'correct horse battery' })
  t.is(again.code, 2)
  t.regex(again.stderr, /exists/)
  t.is((await Wallet.fromEncryptedJson(readFileSync(keystore, 'utf8'), 'correct horse battery')).address, address, 'unchanged')
  const noPassword = await sibyl(['keys', 'new', '--keystore', join(dir, 'x.json')])
  t.is(noPassword.code, 2)
  t.regex(noPassword.stderr, /SIBYL_KEYSTORE_PASSWORD/)
  const keyFile = join(dir, 'op.key')
  const plain = await sibyl(['keys', 'new', '--key-file', keyFile])
  t.is(plain.code, 0)
  const key = readFileSync(keyFile, 'utf8').trim()
  t.false(plain.all.includes(key.slice(2)))
  t.true(plain.stdout.startsWith(new Wallet(key).address))
  t.is(statSync(keyFile).mode & 0o777, 0o600)
  // The keystore is what every command's --keystore reads.
  const status = await sibyl(['status', '--keystore', keystore, '--json'], { SIBYL_KEYSTORE_PASSWORD: 'correct horse battery' })
  t.is(status.code, 0, status.stderr)
  t.is((json(status.stdout).operator as { address: string }).address, address)
})

test.serial('spec check accepts a valid spec and names the path of what is wrong', async (t) => {
  const ok = await sibyl(['spec', 'check', specFile, '--json'])
  t.is(ok.code, 0, ok.stderr)
  t.deepEqual(json(ok.stdout).outcomes, ['YES', 'NO'])
  const bad = join(dir, 'bad-spec.json')
  writeFileSync(bad, JSON.stringify({ ...spec, outcomes: ['ONLY'] }))
  const no = await sibyl(['spec', 'check', bad])
  t.is(no.code, 1)
  t.regex(no.stderr, /outcomes/)
})

test.serial('ask checks the fee, balance and spec before sending, approves the fee, and prints the request id', async (t) => {
  const low = await sibyl(['ask', '--spec', specFile, '--resolve-after', '+60', '--fee', '1'])
  t.is(low.code, 2)
  t.regex(low.stderr, /below the oracle's minimum fee/)
  const poor = localWallet('poor', 0)
  await setBalance(net.provider, poor.address, 10n ** 20n)
  const noTokens = await sibyl(['ask', '--spec', specFile, '--resolve-after', '+60'], { SIBYL_KEY: poor.privateKey })
  t.is(noTokens.code, 1)
  t.regex(noTokens.stderr, /holds 0 wei/)
  t.is(await net.provider.getTransactionCount(poor.address), 0, 'nothing was sent')
  const wrongOutcomes = await sibyl(['ask', '--spec', specFile, '--resolve-after', '+60', '--outcomes', 'NO,YES'])
  t.is(wrongOutcomes.code, 2)
  const asked = await sibyl(['ask', '--spec', specFile, '--resolve-after', '+60', '--json'])
  t.is(asked.code, 0, asked.stderr)
  const result = json(asked.stdout)
  t.deepEqual(result.steps, ['approved', 'requested'])
  const request = await net.contracts.oracle.getRequest(String(result.requestId))
  t.is(request.requester, requester.address)
  t.is(request.status, 1n)
  t.false(asked.all.includes(requester.privateKey.slice(2)))
})

test.serial('watch shows the timeline; finalize waits for the window, then pays; claim withdraws the fee share', async (t) => {
  const requestId = await askAndCommit(t, 1n)
  const watched = await sibyl(['watch', requestId, '--until', 'committed', '--timeout-sec', '20', '--poll-ms', '200'])
  t.is(watched.code, 0, watched.stderr)
  t.regex(watched.stdout, /requested/)
  t.regex(watched.stdout, /committed .*answer=1/)
  t.regex(watched.stdout, /window .*disputableUntil=/)
  const early = await sibyl(['finalize', requestId])
  t.is(early.code, 1)
  t.regex(early.stderr, /dispute window is open until/)
  await increaseTime(net.provider, 61)
  const done = await sibyl(['finalize', requestId, '--json'])
  t.is(done.code, 0, done.stderr)
  t.deepEqual((await net.contracts.oracle.getResolution(requestId)).map(String), ['true', '1'])
  const final = await sibyl(['watch', requestId, '--timeout-sec', '20', '--poll-ms', '200', '--json'])
  t.is(final.code, 0, final.stderr)
  t.true(final.stdout.split('\n').some((l) => l.includes('"event":"final"')))
  const op = net.operators[0]!.operator
  const before = await net.contracts.token.balanceOf(op.address)
  const owed = await net.contracts.oracle.claimableWei(op.address)
  t.true(owed > 0n)
  const status = await sibyl(['status', '--operator', op.address, '--json'])
  t.is(((json(status.stdout).operator as { claimable: { feesWei: string } }).claimable.feesWei), owed.toString())
  const claimed = await sibyl(['claim', '--json'], { SIBYL_OPERATOR_KEY: op.privateKey })
  t.is(claimed.code, 0, claimed.stderr)
  t.is(await net.contracts.token.balanceOf(op.address), before + owed)
  t.is(await net.contracts.oracle.claimableWei(op.address), 0n)
})

test.serial('watch --nats shows the observations of its request as they are published, then the commit', async (t) => {
  const nats = await startNatsServer()
  const nc = await connect({ servers: nats.url })
  try {
    const asked = await sibyl(['ask', '--spec', specFile, '--resolve-after', '+1', '--json'])
    const requestId = String(json(asked.stdout).requestId)
    let live = ''
    const watching = main(['watch', requestId, '--nats', nats.url, '--until', 'committed', '--timeout-sec', '90', '--poll-ms', '200'], {
      stdout: { write: (s: string) => (live += s) },
      stderr: { write: (s: string) => (live += s) },
      env,
    })
    const signer = net.operators[2]!.signer.address
    const message = (id: string) => ({
      version: 1,
      kind: 'resolution',
      domain: { chainId: net.deployment.chainId, verifyingContract: net.deployment.contracts.resolutionOracle },
      observation: { requestId: id, round: 0, answer: '1', confidenceBps: 8765, evidenceHash: `0x${'11'.repeat(32)}`, modelHash: `0x${'22'.repeat(32)}` },
      signer,
      signature: `0x${'33'.repeat(65)}`,
      modelId: 'test-model',
      observedAtMs: Date.now(),
    })
    const subject = observationSubject({ chainId: BigInt(net.deployment.chainId), signer })
    // Published until the watcher shows one (it subscribes after reading the request); another request's is not shown.
    for (let i = 0; i < 100 && !live.includes('observation'); i++) {
      nc.publish(subject, JSON.stringify(message(`0x${'44'.repeat(32)}`)))
      nc.publish(subject, JSON.stringify(message(requestId)))
      await nc.flush()
      await new Promise((r) => setTimeout(r, 300))
    }
    await increaseTime(net.provider, 2)
    await signAndCommit(net.contracts.oracle, net.operators, { requestId, round: 0, answer: 1n })
    t.is(await watching, 0, live)
    t.regex(live, new RegExp(`observation +signer=${signer} round=0 answer=1 confidenceBps=8765`))
    t.false(live.includes('0x' + '44'.repeat(32)), "another request's observation is not shown")
    t.regex(live, /committed .*answer=1/)
  } finally {
    await nc.close()
    await nats.stop()
  }
})

test.serial('a dispute that slashes every signer below the minimum is flagged before execution and reported after it', async (t) => {
  const requestId = await askAndCommit(t, 0n)
  const disputed = await sibyl(['dispute', requestId, '--answer', '1'], { SIBYL_KEY: disputer.privateKey })
  t.is(disputed.code, 0, disputed.stderr)
  t.regex(disputed.stdout, /NO ACTIVE OPERATOR REMAINS/, 'flagged when the dispute opens')
  const voted = await sibyl(['vote', requestId, '--answer', '1', '--json'], { SIBYL_KEY: ANVIL_DEPLOYER_KEY })
  t.is(voted.code, 0, voted.stderr)
  const vote = json(voted.stdout) as { decided: boolean; impact: { halts: boolean; activeAfter: number } }
  t.true(vote.decided)
  t.true(vote.impact.halts, 'the council sees it before it votes')
  const refused = await sibyl(['execute', requestId], { SIBYL_KEY: disputer.privateKey })
  t.is(refused.code, 1)
  t.regex(refused.stderr, /NO ACTIVE OPERATOR REMAINS/)
  t.regex(refused.stderr, /--accept-halt/)
  t.is((await net.contracts.governance.getDispute(requestId)).state, 1n, 'nothing was sent')
  const executed = await sibyl(['execute', requestId, '--accept-halt', '--json'], { SIBYL_KEY: disputer.privateKey })
  t.is(executed.code, 0, executed.stderr)
  const result = json(executed.stdout) as { outcome: string; activeOperatorsNextEpoch: number; settled: string[] }
  t.is(result.outcome, 'overturned')
  t.is(result.activeOperatorsNextEpoch, 0, 'reported after it')
  t.deepEqual(result.settled, [disputer.address])
  const status = await sibyl(['status'])
  t.regex(status.stdout, /halted/)
  const before = await net.contracts.token.balanceOf(disputer.address)
  const claimed = await sibyl(['claim', '--json'], { SIBYL_OPERATOR_KEY: disputer.privateKey })
  t.is(claimed.code, 0, claimed.stderr)
  const payout = BigInt(String(json(claimed.stdout).payoutsWei))
  t.true(payout > 100n * 10n ** 18n, 'bond back plus a reward')
  t.is(await net.contracts.token.balanceOf(disputer.address), before + payout)
})

test.serial('unbond then withdraw: refused before the ready time, paid after', async (t) => {
  const op = net.operators[1]!.operator
  const key = { SIBYL_OPERATOR_KEY: op.privateKey }
  const unbonded = await sibyl(['unbond', '--amount', 'all', '--json'], key)
  t.is(unbonded.code, 0, unbonded.stderr)
  const { unbondingWei, unbondReadyAt } = json(unbonded.stdout) as { unbondingWei: string; unbondReadyAt: string }
  t.true(BigInt(unbondingWei) > 0n)
  const early = await sibyl(['withdraw'], key)
  t.is(early.code, 1)
  t.regex(early.stderr, /withdrawable from/)
  const now = (await net.provider.getBlock('latest'))!.timestamp
  await increaseTime(net.provider, Number(unbondReadyAt) - now + 1)
  const before = await net.contracts.token.balanceOf(op.address)
  const withdrawn = await sibyl(['withdraw'], key)
  t.is(withdrawn.code, 0, withdrawn.stderr)
  t.is(await net.contracts.token.balanceOf(op.address), before + BigInt(unbondingWei))
})

test.serial('stake checks the balance before registering the signer: a failed run leaves nothing half done', async (t) => {
  const operator = localWallet('operator', 40)
  const signer = localWallet('signer', 40)
  await setBalance(net.provider, operator.address, 10n ** 20n)
  const keys = { SIBYL_OPERATOR_KEY: operator.privateKey, SIGNER_KEY: signer.privateKey, MINT_KEY: ANVIL_DEPLOYER_KEY }
  const args = ['stake', '--rpc', net.anvil.rpcUrl, '--deployment', env.SIBYL_DEPLOYMENT!, '--signer', signer.address, '--signer-key-env', 'SIGNER_KEY']
  const failed = await sibyl(args, keys)
  t.is(failed.code, 1)
  t.regex(failed.stderr, /--mint-key-env/)
  t.is((await net.contracts.staking.getOperator(operator.address)).signer, ZeroAddress, 'the signer is not registered by a run that cannot stake')
  t.is(await net.provider.getTransactionCount(operator.address), 0)
  const staked = await sibyl([...args, '--mint-key-env', 'MINT_KEY'], keys)
  t.is(staked.code, 0, staked.stderr)
  const op = await net.contracts.staking.getOperator(operator.address)
  t.is(op.signer, signer.address)
  t.is(op.stakeWei, MIN_STAKE_WEI)
  t.false(staked.all.includes(operator.privateKey.slice(2)) || staked.all.includes(signer.privateKey.slice(2)))
})
