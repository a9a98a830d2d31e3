/**
 * No Docker engine runs here, so the compose file is checked against what the code expects: every service
 * that runs the sibyl image names a real command, and every URL points at a service of the file.
 */
import test from 'ava'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { parse } from 'yaml'
import { commands } from '@sibyl/cli/main'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Wallet, getAddress } from 'ethers'
import { loadNodeConfig } from '@sibyl/oracle-node/config/node-config'
import { loadAggregatorConfig } from '@sibyl/aggregator/config/aggregator-config'
import { feedSpecSchema } from '@sibyl/protocol/question-spec'
import { deployConfigSchema } from '@sibyl/contracts/deploy-config'

type Service = { build?: string; image?: string; command?: string[]; entrypoint?: string[]; environment?: Record<string, string>; depends_on?: string[] | Record<string, { condition: string }> }
/** A service's dependencies, in either of compose's forms (a list, or a map with conditions). */
const dependsOn = (service: Service): string[] => (Array.isArray(service.depends_on) ? service.depends_on : Object.keys(service.depends_on ?? {}))
const compose = parse(readFileSync(new URL('../docker-compose.yml', import.meta.url), 'utf8')) as { services: Record<string, Service> }

test('every sibyl service runs a command the CLI has, with URLs that point at services of the file', (t) => {
  const names = new Set(Object.keys(compose.services))
  t.true(names.has('nats-1'))
  t.true(names.has('evm'))
  for (const [name, service] of Object.entries(compose.services)) {
    if (service.build && !service.entrypoint) {
      const [command] = service.command ?? []
      t.true(commands.some((c) => c.name === command), `${name} runs "${command}"`)
    }
    for (const arg of [...(service.command ?? []), ...Object.values(service.environment ?? {})]) {
      for (const part of String(arg).split(',')) {
        const url = /^(?:http|nats|tls):\/\/([^:/]+)/.exec(part)
        if (url) t.true(names.has(url[1]!), `${name} points at ${url[1]}, a service of the file`)
      }
    }
    for (const dep of dependsOn(service)) t.true(names.has(dep), `${name} depends on ${dep}`)
  }
})

const natsServers = ['nats-1', 'nats-2', 'nats-3']

test('the message bus is a three-server cluster, each with its own config and store, monitoring not published', (t) => {
  for (const name of natsServers) {
    const nats = compose.services[name] as Service & { volumes?: string[]; ports?: string[] }
    t.truthy(nats, name)
    t.deepEqual(nats.command, ['-c', '/etc/nats/nats.conf'])
    t.regex(nats.image ?? '', /^nats:2\.9/, 'the version the tests run against')
    t.true(nats.volumes?.includes(`./deployments/nats/servers/${name}:/etc/nats:ro`), `${name} mounts only its own folder`)
    t.true(nats.volumes?.some((v) => v.endsWith(':/data')), `${name} keeps JetStream on a volume`)
    for (const port of nats.ports ?? []) {
      t.false(port.endsWith(':8222'), `${name} does not publish monitoring`)
      t.true(port.startsWith('127.0.0.1:'), `${name} publishes on the host's loopback only`)
    }
  }
})

/** The nats-init service's command, run in-process into a temporary folder in place of ./deployments/nats. */
async function runNatsInit(): Promise<{ dir: string; output: string }> {
  const init = compose.services['nats-init']!
  const dir = mkdtempSync(join(tmpdir(), 'sibyl-compose-nats-'))
  const args = (init.command ?? []).map((a) => (a === '/deployments/nats' ? dir : a))
  {
    const [command, ...rest] = args
    const found = commands.find((c) => c.name === command)
    if (!found) throw new Error(`nats-init runs "${command}"`)
    let output = ''
    const code = await found.run(rest, { stdout: { write: (s: string) => (output += s) }, stderr: { write: () => undefined }, env: {} })
    if (code !== 0) throw new Error(`nats-init exited ${code}`)
    return { dir, output }
  }
}

test('nats-init makes every server a secured cluster member and an identity for every component that uses the bus', async (t) => {
  const { dir, output } = await runNatsInit()
  try {
    // An nkey seed is a 58-character base32 word starting SU/SA/SO; a public key (56) may contain "SA" by chance.
    t.notRegex(output, /(?<![A-Z2-7])S[UAO][A-Z2-7]{56}(?![A-Z2-7])|PRIVATE KEY|BEGIN NATS/, 'it prints no seed and no key')
    const manifest = JSON.parse(readFileSync(join(dir, 'deployment.json'), 'utf8')) as { identities: { name: string; role: string; signer?: string }[] }
    for (const name of natsServers) {
      const config = readFileSync(join(dir, 'servers', name, 'nats.conf'), 'utf8')
      t.regex(config, /^operator: /m, `${name}: operator mode, no anonymous client`)
      t.notRegex(config, /no_auth_user|authorization\s*\{/, `${name}: no anonymous or password user`)
      t.regex(config, /store_dir: "\/data"/)
      t.regex(config, /http: "127\.0\.0\.1:8222"/)
      t.regex(config, /cert_file: "\/etc\/nats\/server\.pem"/)
      t.regex(config, /verify: true/, `${name}: routes are mutual TLS`)
      for (const other of natsServers.filter((n) => n !== name)) t.true(config.includes(`nats-route://${other}:6222`), `${name} routes to ${other}`)
      t.true(existsSync(join(dir, 'servers', name, 'server-key.pem')))
    }
    // Each node and the aggregator: its own identity folder, mounted where its config looks for it.
    for (const [name, service] of Object.entries(services)) {
      const command = service.command?.[0]
      if (command !== 'node' && command !== 'aggregator') continue
      const config = command === 'node' ? loadNodeConfig(configFile(argAfter(service, '--config')!)) : loadAggregatorConfig(configFile(argAfter(service, '--config')!))
      t.deepEqual(config.nats.servers.map(hostOf).sort(), natsServers, `${name} lists every server`)
      const identity = config.nats.credentialsFile!
      t.is(dirname(identity), '/nats')
      const mounted = mounts(service).get('/nats')
      t.is(mounted, `./deployments/nats/identities/${basename(identity, '.creds')}`, `${name} mounts its own identity only`)
      const entry = manifest.identities.find((i) => i.name === basename(identity, '.creds'))
      t.is(entry?.role, command, `${name}'s identity has its role`)
      if (command === 'node') t.is(entry?.signer?.toLowerCase(), new Wallet(service.environment!.NODE_KEY!).address.toLowerCase(), `${name}'s identity pins its own signer`)
      t.is(config.nats.tls?.caFile, '/nats/ca.pem')
      t.true(existsSync(join(dir, 'identities', basename(identity, '.creds'), basename(identity))))
      t.true(dependsOn(service).includes('nats-provision'), `${name} starts after the streams are provisioned`)
    }
    const provision = services['nats-provision']!
    t.is(mounts(provision).get('/nats'), `./deployments/nats/identities/${argAfter(provision, '--credentials')!.split('/').pop()!.replace('.creds', '')}`)
    t.is(argAfter(provision, '--replicas'), '3')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
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
  const deployer = services['deployer']!
  const admitted = new Set(deployConfigSchema.parse(JSON.parse(readFileSync(configFile(argAfter(deployer, '--config')!), 'utf8'))).admittedOperators.map((a) => getAddress(a)))
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
    // Staking takes a signer only with its proof of possession, signed here by the node's own key.
    const signerKeyEnv = argAfter(service, '--signer-key-env')
    t.truthy(signerKeyEnv, `${name} proves possession of the signing key`)
    t.is(new Wallet(service.environment![signerKeyEnv!]!).address, signer, `${name}: the proving key is the signer's`)
    // Membership is by governance admission: the deploy config admits every staking operator.
    t.true(admitted.has(operator), `${name}: operator ${operator} is admitted at deploy`)
    t.true(dependsOn(service).includes('deployer'))
  }
  for (const [name, service] of Object.entries(services)) {
    if (service.command?.[0] !== 'node') continue
    const signer = new Wallet(service.environment!.NODE_KEY!).address
    const stakeService = staked.get(signer)
    t.truthy(stakeService, `${name}'s signer ${signer} is staked`)
    t.true(dependsOn(service).includes(stakeService!), `${name} starts after ${stakeService}`)
    t.false(operators.has(signer), `${name} signs with a key that holds no stake and pays no gas`)
  }
})

test('published host ports do not collide', (t) => {
  const seen = new Set<string>()
  for (const service of Object.values(services)) {
    for (const port of service.ports ?? []) {
      // HOST:CONTAINER or IP:HOST:CONTAINER
      const parts = port.split(':')
      const host = parts.length === 3 ? `${parts[0]}:${parts[1]}` : parts[0]!
      t.false(seen.has(host), `host port ${host} published twice`)
      seen.add(host)
    }
  }
})
