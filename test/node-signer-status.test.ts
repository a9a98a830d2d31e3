/**
 * A node whose signer does not count on-chain says so and signs nothing: against a real anvil with the real
 * Staking contract, a staked operator's signer counts, a key nobody registered does not (gauge 0, one warning,
 * repeated only after the rate limit); a failed read keeps the last answer.
 */
import test from 'ava'
import { Wallet } from 'ethers'
import { Registry, Gauge } from 'prom-client'
import { Staking__factory } from '@sibyl/contracts/typechain'
import { startLocalNetwork, type LocalNetwork } from '@sibyl/devnet/local-network'
import { watchSignerStatus } from '@sibyl/oracle-node/chain/watch-signer-status'

let network: LocalNetwork

test.before(async () => {
  network = await startLocalNetwork({ operators: 2 })
})

test.after.always(async () => {
  await network?.stop()
})

function recordingLogger() {
  const warnings: string[] = []
  const infos: string[] = []
  return { warnings, infos, logger: { warn: (_: unknown, m?: string) => void warnings.push(m ?? ''), info: (_: unknown, m?: string) => void infos.push(m ?? '') } }
}

test('a staked operator signer counts; an unregistered key does not, and is warned about at a limited rate', async (t) => {
  const staking = Staking__factory.connect(network.deployment.contracts.staking, network.provider)
  let nowMs = 0
  const member = recordingLogger()
  const honest = watchSignerStatus({ staking, signer: network.operators[0]!.signer.address, logger: member.logger, nowMs: () => nowMs })
  t.true(await honest.counts())
  t.deepEqual(member.warnings, [])

  const registry = new Registry()
  const gauge = new Gauge({ name: 'sibyl_signer_member', help: 'test', registers: [registry] })
  const outsider = recordingLogger()
  const stranger = watchSignerStatus({ staking, signer: Wallet.createRandom().address, logger: outsider.logger, gauge, nowMs: () => nowMs, recheckMs: 1000, warnEveryMs: 60_000 })
  t.false(await stranger.counts())
  t.is((await gauge.get()).values[0]!.value, 0)
  t.is(outsider.warnings.length, 1)
  // Re-read every second, warned again only after a minute.
  for (let i = 0; i < 10; i++) {
    nowMs += 1500
    t.false(await stranger.counts())
  }
  t.is(outsider.warnings.length, 1, 'the warning is rate-limited')
  nowMs += 60_000
  t.false(await stranger.counts())
  t.is(outsider.warnings.length, 2)
})

test('a failed read keeps the last answer instead of silencing the node', async (t) => {
  let failing = false
  const real = Staking__factory.connect(network.deployment.contracts.staking, network.provider)
  const staking = {
    currentEpoch: () => (failing ? Promise.reject(new Error('connection refused')) : real.currentEpoch()),
    isMemberAt: (s: string, e: bigint) => real.isMemberAt(s, e),
  }
  let nowMs = 0
  const { logger, warnings } = recordingLogger()
  const status = watchSignerStatus({ staking, signer: network.operators[1]!.signer.address, logger, nowMs: () => nowMs, recheckMs: 1000 })
  t.true(await status.counts())
  failing = true
  nowMs += 2000
  t.true(await status.counts())
  t.is(warnings.length, 1)
  t.regex(warnings[0]!, /could not read/)
})

test('callers that ask while the first read is in flight get its answer, not "not known yet"', async (t) => {
  const staking = Staking__factory.connect(network.deployment.contracts.staking, network.provider)
  const { logger } = recordingLogger()
  const stranger = watchSignerStatus({ staking, signer: Wallet.createRandom().address, logger, nowMs: Date.now })
  t.deepEqual(await Promise.all([stranger.counts(), stranger.counts(), stranger.counts()]), [false, false, false])
})
