/**
 * sibyl nats init | add | revoke | provision
 * The message bus's security for a deployment: an operator, accounts and one identity per component (NATS
 * decentralized auth: user JWTs signed by the account key, each with its own permissions and limits), a TLS CA
 * and server certificates, the nats-server configs of one server or a cluster, and the streams and buckets with
 * their limits. Secrets go to files with mode 0600 (folders 0700) and are never printed: the output names files
 * and public keys only.
 */
import { existsSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { pino } from 'pino'
import { connectNats } from '@sibyl/service-kit/nats/connect-nats'
import { provisionJetStream } from '@sibyl/service-kit/nats/ensure-streams'
import { addNatsIdentity, initNatsDeployment, loadNatsDeployment, natsDeploymentPaths, revokeNatsIdentity, type NatsServerSpec } from '@sibyl/service-kit/nats/nats-deployment'
import type { NatsIdentitySpec } from '@sibyl/service-kit/nats/nats-permissions'
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, type Command, type CommandIo } from './io.ts'
import { drainWithin } from '@sibyl/service-kit/nats/drain-within'

const usage = `Usage: sibyl nats <init|add|revoke|provision> [options]

  init --out DIR --chain-id ID [--server NAME=HOST[,HOST...]]... [--node NAME=0xSIGNER]... [--aggregator NAME]...
       [--reader NAME]... [--admin NAME] [--durable NAME] [--no-tls] [--store-dir PATH] [--config-dir PATH]
       [--monitor HOST:PORT] [--if-absent]
      Creates the operator, the accounts, one identity per component, a TLS CA and server certificates, and each
      server's nats-server config (a cluster when there are several servers; routes between them over mutual
      TLS). --server: the server's name and the names clients reach it by (default: nats-1=127.0.0.1,localhost).
      --store-dir / --config-dir: where each server finds its JetStream store and its folder (a container's
      mounts; defaults: DIR/servers/NAME/data and DIR/servers/NAME). --admin (default admin) provisions streams.
      --if-absent: do nothing when DIR already holds a deployment.
  add --dir DIR (--node NAME=0xSIGNER | --aggregator NAME | --reader NAME)
      Issues a new identity (no server change needed). Issuing an existing name again gives it a new key; revoke
      the old one.
  revoke --dir DIR --name NAME
      Revokes an identity: writes the servers' configs with the new account JWT. Apply with
      \`nats-server --signal reload\` (or SIGHUP) on every server: the identity is cut off and cannot come back.
  provision --servers URL[,URL...] --credentials FILE [--ca FILE] --chain-id ID [--replicas N] [--dir DIR]
      As the admin identity, creates or updates the streams and the rounds bucket with their limits, and
      (with --dir, the deployment folder) every node's evidence archive: nodes cannot create streams.

Files (DIR): deployment.json (public), secrets/ (0700: operator, account and CA keys; keep offline),
tls/ca.pem, servers/NAME/nats.conf (+ server.pem, server-key.pem), identities/NAME/NAME.creds (0600) + ca.pem.
`

const silent = pino({ level: 'silent' })

function fail(io: CommandIo, message: string, code = EXIT_USAGE): number {
  io.stderr.write(`sibyl nats: ${message}\n`)
  return code
}

function parse(args: string[], io: CommandIo) {
  try {
    return parseArgs({
      args,
      strict: true,
      options: {
        out: { type: 'string' },
        dir: { type: 'string' },
        'chain-id': { type: 'string', multiple: true },
        server: { type: 'string', multiple: true },
        node: { type: 'string', multiple: true },
        aggregator: { type: 'string', multiple: true },
        reader: { type: 'string', multiple: true },
        admin: { type: 'string' },
        durable: { type: 'string' },
        'no-tls': { type: 'boolean' },
        'store-dir': { type: 'string' },
        'config-dir': { type: 'string' },
        monitor: { type: 'string' },
        'if-absent': { type: 'boolean' },
        name: { type: 'string' },
        servers: { type: 'string' },
        credentials: { type: 'string' },
        ca: { type: 'string' },
        replicas: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values
  } catch (error) {
    io.stderr.write(`${(error as Error).message}\n\n${usage}`)
    return undefined
  }
}

function identities(values: NonNullable<ReturnType<typeof parse>>): NatsIdentitySpec[] | string {
  const out: NatsIdentitySpec[] = []
  for (const n of values.node ?? []) {
    const [name, signer] = n.split('=')
    if (!name || !signer || !/^0x[0-9a-fA-F]{40}$/.test(signer)) return `--node takes NAME=0xSIGNER (the node's signing address), got "${n}"`
    out.push({ role: 'node', name, signer })
  }
  for (const name of values.aggregator ?? []) out.push({ role: 'aggregator', name })
  for (const name of values.reader ?? []) out.push({ role: 'reader', name })
  return out
}

function chainIds(values: NonNullable<ReturnType<typeof parse>>): bigint[] | string {
  const ids = values['chain-id'] ?? []
  if (ids.length === 0) return '--chain-id is required'
  for (const id of ids) if (!/^[0-9]+$/.test(id)) return `--chain-id takes a decimal chain id, got "${id}"`
  return ids.map(BigInt)
}

async function run(args: string[], io: CommandIo): Promise<number> {
  const [subcommand, ...rest] = args
  if (subcommand === undefined || subcommand === '--help' || subcommand === '-h') {
    ;(subcommand === undefined ? io.stderr : io.stdout).write(usage)
    return subcommand === undefined ? EXIT_USAGE : EXIT_OK
  }
  const values = parse(rest, io)
  if (!values) return EXIT_USAGE
  if (values.help) {
    io.stdout.write(usage)
    return EXIT_OK
  }
  const print = (o: unknown) => io.stdout.write(`${JSON.stringify(o)}\n`)
  try {
    if (subcommand === 'init') {
      if (!values.out) return fail(io, '--out DIR is required')
      const chains = chainIds(values)
      if (typeof chains === 'string') return fail(io, chains)
      const ids = identities(values)
      if (typeof ids === 'string') return fail(io, ids)
      if (values['if-absent'] && existsSync(natsDeploymentPaths(values.out).manifest)) {
        print({ event: 'nats-deployment-present', dir: values.out })
        return EXIT_OK
      }
      let monitor: NatsServerSpec['monitor']
      if (values.monitor) {
        const m = /^([^:]+):([0-9]+)$/.exec(values.monitor)
        if (!m) return fail(io, `--monitor takes HOST:PORT, got "${values.monitor}"`)
        monitor = { host: m[1]!, port: Number(m[2]) }
      }
      const serverArgs = values.server?.length ? values.server : ['nats-1=127.0.0.1,localhost']
      const servers: NatsServerSpec[] = []
      for (const s of serverArgs) {
        const [name, hostList] = s.split('=')
        const hosts = (hostList ?? '').split(',').filter(Boolean)
        if (!name || hosts.length === 0) return fail(io, `--server takes NAME=HOST[,HOST...], got "${s}"`)
        const paths = natsDeploymentPaths(values.out)
        servers.push({
          name,
          hosts,
          storeDir: values['store-dir'] ?? `${paths.serverDir(name)}/data`,
          ...(values['config-dir'] ? { configDir: values['config-dir'] } : {}),
          ...(monitor ? { monitor } : {}),
        })
      }
      const admin: NatsIdentitySpec = { role: 'admin', name: values.admin ?? 'admin' }
      const deployment = await initNatsDeployment({
        dir: values.out,
        chainIds: chains,
        servers,
        identities: [admin, ...ids],
        tls: !values['no-tls'],
        ...(values.durable ? { durableName: values.durable } : {}),
      })
      print({
        event: 'nats-deployment-created',
        dir: values.out,
        tls: deployment.manifest.tls,
        servers: deployment.manifest.servers.map((s) => ({ name: s.name, config: deployment.paths.serverConfig(s.name) })),
        identities: deployment.manifest.identities.map((i) => ({ name: i.name, role: i.role, publicKey: i.publicKey, creds: deployment.paths.credsFile(i.name) })),
        secrets: deployment.paths.secretsDir,
      })
      return EXIT_OK
    }
    if (subcommand === 'add') {
      if (!values.dir) return fail(io, '--dir DIR is required')
      const ids = identities(values)
      if (typeof ids === 'string') return fail(io, ids)
      if (ids.length !== 1) return fail(io, 'add takes exactly one of --node, --aggregator, --reader')
      const added = await addNatsIdentity(values.dir, ids[0]!)
      print({ event: 'nats-identity-issued', name: ids[0]!.name, role: ids[0]!.role, publicKey: added.publicKey, creds: added.credsFile })
      return EXIT_OK
    }
    if (subcommand === 'revoke') {
      if (!values.dir || !values.name) return fail(io, '--dir DIR and --name NAME are required')
      const revoked = await revokeNatsIdentity(values.dir, values.name)
      print({ event: 'nats-identity-revoked', name: values.name, publicKey: revoked.publicKey, reload: revoked.serverConfigs })
      io.stderr.write('Reload every server to apply it: nats-server --signal reload (or send it SIGHUP).\n')
      return EXIT_OK
    }
    if (subcommand === 'provision') {
      if (!values.servers || !values.credentials) return fail(io, '--servers and --credentials are required')
      const chains = chainIds(values)
      if (typeof chains === 'string') return fail(io, chains)
      const replicas = Number(values.replicas ?? '1')
      if (![1, 3, 5].includes(replicas)) return fail(io, `--replicas is 1, 3 or 5, got "${values.replicas}"`)
      const nc = await connectNats({
        servers: values.servers.split(','),
        name: 'sibyl-nats-provision',
        logger: silent,
        credentialsFile: values.credentials,
        ...(values.ca ? { tls: { caFile: values.ca } } : {}),
      })
      try {
        // Every node of the deployment gets its evidence archive, made here by the admin (nodes cannot create streams).
        const nodeSigners = values.dir ? loadNatsDeployment(values.dir).manifest.identities.flatMap((i) => (i.role === 'node' && i.signer ? [i.signer] : [])) : []
        const done = await provisionJetStream(nc, { chainIds: chains, replicas, nodeSigners })
        for (const d of done) print({ event: 'nats-stream', ...d })
      } finally {
        await drainWithin(nc)
      }
      return EXIT_OK
    }
  } catch (error) {
    return fail(io, (error as Error).message, EXIT_FAILED)
  }
  return fail(io, `unknown subcommand "${subcommand}"\n\n${usage}`)
}

export const natsCommand: Command = { name: 'nats', summary: "the message bus's identities, TLS, server configs and streams", usage, run }
