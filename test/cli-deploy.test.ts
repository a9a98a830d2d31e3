/** `sibyl deploy` as an operator runs it: a real process against a real anvil. */
import test from 'ava'
import { execFile } from 'node:child_process'
import { writeFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { JsonRpcProvider } from 'ethers'
import { startAnvil, type Anvil } from '@sibyl/contracts/anvil'
import { ANVIL_DEPLOYER_KEY } from '@sibyl/devnet/local-network'
import { readDeployment } from '@sibyl/protocol/deployment'
import { FeedAggregator__factory, Staking__factory } from '@sibyl/contracts/typechain'
import { temporaryDir } from '@sibyl/service-kit/fs/temporary-dir'

const exec = promisify(execFile)
const bin = new URL('../cli/bin/sibyl.js', import.meta.url).pathname
let anvil: Anvil
const dir = temporaryDir('sibyl-deploy-')

test.before(async () => {
  anvil = await startAnvil()
})
test.after.always(async () => {
  await anvil?.stop()
})

async function sibyl(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await exec(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, timeout: 60_000 })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

test.serial('sibyl --help lists the commands', async (t) => {
  const { code, stdout } = await sibyl(['--help'])
  t.is(code, 0)
  t.regex(stdout, /deploy\s+deploy the contracts/)
})

test.serial('sibyl deploy deploys every contract and writes an address file the other components can read', async (t) => {
  const out = join(dir, 'deployment.json')
  const config = join(dir, 'deploy.json')
  writeFileSync(
    config,
    JSON.stringify({
      minStakeWei: '5000000000000000000',
      disputeWindowSec: 60,
      votingPeriodSec: 120,
      unbondingDelaySec: 600,
      feeds: [{ description: 'BTC / USD', decimals: 8, minAnswer: '1', maxAnswer: '100000000000000000' }],
    }),
  )
  const { code, stdout, stderr } = await sibyl(['deploy', '--rpc', anvil.rpcUrl, '--config', config, '--out', out], {
    SIBYL_DEPLOYER_KEY: ANVIL_DEPLOYER_KEY,
  })
  t.is(code, 0, stderr)
  t.regex(stdout, /"event":"deployed"/)
  t.false(stdout.includes(ANVIL_DEPLOYER_KEY.slice(2)), 'the key is never printed')
  const deployment = readDeployment(out)
  t.is(deployment.chainId, '31337')
  const provider = new JsonRpcProvider(anvil.rpcUrl, 31337, { staticNetwork: true })
  const c = deployment.contracts
  for (const address of [c.token, c.staking, c.resolutionOracle, c.disputeGovernance, c.feeds[0]!.address]) {
    t.not(await provider.getCode(address), '0x', `code at ${address}`)
  }
  const staking = Staking__factory.connect(c.staking, provider)
  t.is(await staking.minStakeWei(), 5n * 10n ** 18n)
  t.is(await staking.slasher(), c.disputeGovernance)
  const feed = FeedAggregator__factory.connect(c.feeds[0]!.address, provider)
  t.is(await feed.description(), 'BTC / USD')
  t.is(await feed.feedId(), c.feeds[0]!.feedId)
  provider.destroy()
})

test.serial('a broken config exits 2 naming the field, and deploys nothing', async (t) => {
  const config = join(dir, 'bad.json')
  const out = join(dir, 'never.json')
  writeFileSync(config, JSON.stringify({ disputeWindowSec: 3600, votingPeriodSec: 3600, unbondingDelaySec: 60, slashBps: 20_000 }))
  const { code, stderr } = await sibyl(['deploy', '--rpc', anvil.rpcUrl, '--config', config, '--out', out], {
    SIBYL_DEPLOYER_KEY: ANVIL_DEPLOYER_KEY,
  })
  t.is(code, 2)
  t.regex(stderr, /config slashBps:/)
  t.false(existsSync(out))

  writeFileSync(config, JSON.stringify({ disputeWindowSec: 3600, votingPeriodSec: 3600, unbondingDelaySec: 60 }))
  const second = await sibyl(['deploy', '--rpc', anvil.rpcUrl, '--config', config, '--out', out], { SIBYL_DEPLOYER_KEY: ANVIL_DEPLOYER_KEY })
  t.is(second.code, 2)
  t.regex(second.stderr, /config unbondingDelaySec: must be at least disputeWindowSec x contestedWindowMultiplier \+ votingPeriodSec/)

  writeFileSync(config, JSON.stringify({ surprise: 1 }))
  const third = await sibyl(['deploy', '--rpc', anvil.rpcUrl, '--config', config, '--out', out], { SIBYL_DEPLOYER_KEY: ANVIL_DEPLOYER_KEY })
  t.is(third.code, 2)
  t.regex(third.stderr, /surprise/)
})

test.serial('a missing key or rpc is a usage error', async (t) => {
  const noKey = await sibyl(['deploy', '--rpc', anvil.rpcUrl], { SIBYL_DEPLOYER_KEY: '' })
  t.is(noKey.code, 2)
  t.regex(noKey.stderr, /SIBYL_DEPLOYER_KEY must hold/)
  const noRpc = await sibyl(['deploy'])
  t.is(noRpc.code, 2)
  t.regex(noRpc.stderr, /--rpc is required/)
  const { freePort } = await import('@sibyl/contracts/anvil')
  const nobody = await sibyl(['deploy', '--rpc', `http://127.0.0.1:${await freePort()}`], { SIBYL_DEPLOYER_KEY: ANVIL_DEPLOYER_KEY })
  t.is(nobody.code, 1)
  t.regex(nobody.stderr, /no answer from|ECONNREFUSED/)
  const unknown = await sibyl(['frobnicate'])
  t.is(unknown.code, 2)
})

test.serial('sibyl node refuses a broken config with exit 2, naming the field', async (t) => {
  const config = join(dir, 'node.yaml')
  writeFileSync(config, ['name: bad name!', 'chain:', '  rpcUrls: [ftp://x]', '  deploymentFile: d.json', 'nats: { servers: [nats://127.0.0.1:4222] }', 'key: { source: env, env: NODE_KEY }', 'stateDir: state', 'surprise: true', ''].join('\n'))
  const { code, stderr } = await sibyl(['node', '--config', config])
  t.is(code, 2)
  t.regex(stderr, /name: letters, digits/)
  t.regex(stderr, /chain\.rpcUrls\.0: expected a http: or https: or ws: or wss: URL/)
  t.regex(stderr, /surprise/)
  const help = await sibyl(['node', '--help'])
  t.is(help.code, 0)
  t.regex(help.stdout, /--config FILE/)
})

test.serial('sibyl aggregator refuses a broken config with exit 2, naming the field', async (t) => {
  const config = join(dir, 'aggregator.yaml')
  writeFileSync(
    config,
    ['name: agg-1', 'chain:', '  rpcUrls: [http://127.0.0.1:8545]', '  deploymentFile: d.json', 'nats: { servers: [nats://127.0.0.1:4222], maxInFlight: 0 }', 'key: { source: env, env: AGG_KEY }', 'outliers: { madMultiplierMilli: 10 }', ''].join('\n'),
  )
  const { code, stderr } = await sibyl(['aggregator', '--config', config])
  t.is(code, 2)
  t.regex(stderr, /nats\.maxInFlight/)
  t.regex(stderr, /outliers\.madMultiplierMilli/)
  // A valid config whose key is missing from the environment: also a config error, before any connection.
  writeFileSync(config, ['name: agg-1', 'chain:', '  rpcUrls: [http://127.0.0.1:8545]', '  deploymentFile: d.json', 'nats: { servers: [nats://127.0.0.1:4222] }', 'key: { source: env, env: AGG_KEY }', ''].join('\n'))
  const missingKey = await sibyl(['aggregator', '--config', config])
  t.is(missingKey.code, 2)
  t.regex(missingKey.stderr, /AGG_KEY/)
  const help = await sibyl(['aggregator', '--help'])
  t.is(help.code, 0)
  t.regex(help.stdout, /--config FILE/)
})
