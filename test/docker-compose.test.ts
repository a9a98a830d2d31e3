/**
 * No Docker engine runs here, so the compose file is checked against what the code expects: every service
 * that runs the sibyl image names a real command, and every URL points at a service of the file.
 */
import test from 'ava'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { commands } from '@sibyl/cli/main'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Wallet, getAddress } from 'ethers'
import { loadNodeConfig } from '@sibyl/oracle-node/config/node-config'
import { loadAggregatorConfig } from '@sibyl/aggregator/config/aggregator-config'
import { feedSpecSchema } from '@sibyl/protocol/question-spec'
import { deployConfigSchema } from '@sibyl/contracts/deploy-config'

type Service = { build?: string; image?: string; command?: string[]; entrypoint?: string[]; environment?: Record<string, string>; depends_on?: string[] }
const compose = parse(readFileSync(new URL('../docker-compose.yml', import.meta.url), 'utf8')) as { services: Record<string, Service> }

test('every sibyl service runs a command the CLI has, with URLs that point at services of the file', (t) => {
  const names = new Set(Object.keys(compose.services))
  t.true(names.has('nats'))
  t.true(names.has('evm'))
  for (const [name, service] of Object.entries(compose.services)) {
    if (service.build && !service.entrypoint) {
      const [command] = service.command ?? []
      t.true(commands.some((c) => c.name === command), `${name} runs "${command}"`)
    }
    for (const arg of [...(service.command ?? []), ...Object.values(service.environment ?? {})]) {
      const url = /^(?:http|nats):\/\/([^:/]+)/.exec(String(arg))
      if (url) t.true(names.has(url[1]!), `${name} points at ${url[1]}, a service of the file`)
    }
    for (const dep of service.depends_on ?? []) t.true(names.has(dep), `${name} depends on ${dep}`)
  }
})

test('the nats service runs JetStream with a persistent store', (t) => {
  const nats = compose.services.nats!
  t.true(nats.command?.includes('-js'))
  t.true(nats.command?.includes('-sd'))
})

/** The file a container path under /config names, in the repository. */
function configFile(containerPath: string): string {
  if (!containerPath.startsWith('/config/')) throw new Error(`${containerPath} is not under /config`)
  return fileURLToPath(new URL(`../deploy/compose/${containerPath.slice('/config/'.length)}`, import.meta.url))
}

function argAfter(service: Service, flag: string): string | undefined {
  const args = service.command ?? []
  const i = args.indexOf(flag)
  return i >= 0 ? args[i + 1] : undefined
}

function mounts(service: Service & { volumes?: string[] }): Map<string, string> {
  return new Map((service.volumes ?? []).map((v) => [v.split(':')[1]!, v.split(':')[0]!]))
}

const services = compose.services as Record<string, Service & { volumes?: string[]; ports?: string[] }>
const names = new Set(Object.keys(services))
const hostOf = (url: string) => new URL(url).hostname

test('every node and aggregator config parses with its schema and points at services of the file', (t) => {
  const deployer = services.deployer!
  const deploymentOut = argAfter(deployer, '--out')!
  const deployedVolume = mounts(deployer).get(dirname(deploymentOut))
  let nodes = 0
  let aggregators = 0
  for (const [name, service] of Object.entries(services)) {
    const command = service.command?.[0]
    if (command !== 'node' && command !== 'aggregator') continue
    const path = configFile(argAfter(service, '--config')!)
    t.true(mounts(service).get('/config') === './deploy/compose', `${name} mounts the configs`)
    const config = command === 'node' ? loadNodeConfig(path) : loadAggregatorConfig(path)
    if (command === 'node') nodes++
    else aggregators++
    for (const url of config.chain.rpcUrls) t.true(names.has(hostOf(url)), `${name}: ${url}`)
    for (const url of config.nats.servers) t.true(names.has(hostOf(url)), `${name}: ${url}`)
    // The deployment file is the one the deployer writes, on the same volume.
    t.is(config.chain.deploymentFile, deploymentOut, `${name} reads the deployer's address file`)
    t.is(mounts(service).get(dirname(deploymentOut)), deployedVolume, `${name} mounts the deployer's volume`)
    // The signing key is in the service's environment, and looks like one.
    t.is(config.key.source, 'env')
    if (config.key.source === 'env') t.regex(service.environment?.[config.key.env] ?? '', /^0x[0-9a-f]{64}$/, `${name}: ${config.key.env}`)
    if (command === 'node') {
      const node = config as ReturnType<typeof loadNodeConfig>
      t.true(node.stateDir.startsWith('/state') && mounts(service).has('/state'), `${name} keeps its state on a volume`)
      // Relative in the file, so the loader resolved them next to it: inside ./deploy/compose, i.e. under /config.
      for (const feedPath of node.feeds) {
        const spec = feedSpecSchema.parse(JSON.parse(readFileSync(feedPath, "utf8")))
        for (const source of spec.sources) t.true(names.has(hostOf(source.url)), `${name}: feed source ${source.url}`)
        const deployConfig = deployConfigSchema.parse(JSON.parse(readFileSync(configFile(argAfter(deployer, '--config')!), 'utf8')))
        t.true(deployConfig.feeds.some((f) => f.description === spec.description && f.decimals === spec.decimals), `${name}: the deployer creates ${spec.description}`)
      }
    }
  }
  t.is(nodes, 4)
  t.is(aggregators, 1)
})

test('every node signing key is registered and staked by exactly one operator service', (t) => {
  const staked = new Map<string, string>()
  const operators = new Set<string>()
  for (const [name, service] of Object.entries(services)) {
    if (service.command?.[0] !== 'stake') continue
    const signer = getAddress(argAfter(service, '--signer')!)
    t.false(staked.has(signer), `${signer} staked twice`)
    staked.set(signer, name)
    const operator = new Wallet(service.environment!.SIBYL_OPERATOR_KEY!).address
    t.false(operators.has(operator), `${name}: operator ${operator} used twice`)
    operators.add(operator)
    t.true(service.depends_on?.includes('deployer'))
  }
  for (const [name, service] of Object.entries(services)) {
    if (service.command?.[0] !== 'node') continue
    const signer = new Wallet(service.environment!.NODE_KEY!).address
    const stakeService = staked.get(signer)
    t.truthy(stakeService, `${name}'s signer ${signer} is staked`)
    t.true(service.depends_on?.includes(stakeService!), `${name} starts after ${stakeService}`)
    t.false(operators.has(signer), `${name} signs with a key that holds no stake and pays no gas`)
  }
})

test('published host ports do not collide', (t) => {
  const seen = new Set<string>()
  for (const service of Object.values(services)) {
    for (const port of service.ports ?? []) {
      const host = port.split(':')[0]!
      t.false(seen.has(host), `host port ${host} published twice`)
      seen.add(host)
    }
  }
})
