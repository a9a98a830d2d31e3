/**
 * A deployment's NATS security material in one folder, written by `sibyl nats init` and by the devnet:
 *
 * ```
 * <dir>/deployment.json               public: servers, identities (name, role, signer, public key), revocations
 * <dir>/secrets/                      0700; operator.nk, system-account.nk, account.nk, ca-key.pem (keep offline)
 * <dir>/tls/ca.pem                    the CA every client and server trusts
 * <dir>/servers/<server>/nats.conf    a server's config (no secret in it) + server.pem, server-key.pem (0600)
 * <dir>/identities/<name>/<name>.creds + ca.pem: what one component gets (its creds file is 0600)
 * ```
 *
 * Every secret file is created with mode 0600 (folders 0700) and nothing here logs or returns a secret's
 * contents. Issuing a user needs only `secrets/account.nk`; revoking re-renders the server configs with the new
 * account JWT, which servers load on `nats-server --signal reload` (no restart).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import { BaseError } from '@sibyl/protocol/errors'
import {
  createNatsTrust,
  createNatsTrustKeys,
  describeCreds,
  issueNatsUser,
  trustKeysFromSeeds,
  trustKeysToSeeds,
  type NatsTrust,
  type NatsTrustKeys,
} from './nats-identities.ts'
import type { NatsIdentitySpec } from './nats-permissions.ts'
import { createCertificateAuthority, issueServerCertificate, type PemPair } from './nats-tls.ts'
import { renderNatsServerConfig } from './render-nats-server-config.ts'

export class NatsDeploymentError extends BaseError {
  override name = 'NatsDeploymentError' as const
}

const serverSpecSchema = z
  .object({
    name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/),
    /** Names and addresses clients and peers reach it by (certificate SANs); the first is used in route URLs. */
    hosts: z.array(z.string().min(1)).min(1),
    /** What it binds to. */
    listenHost: z.string().default('0.0.0.0'),
    clientPort: z.number().int().min(0).max(65_535).default(4222),
    clusterPort: z.number().int().min(0).max(65_535).default(6222),
    /** Monitoring (HTTP); omitted: none. */
    monitor: z.object({ host: z.string(), port: z.number().int().min(0).max(65_535) }).strict().optional(),
    /** Where the server keeps JetStream, as the server sees it. */
    storeDir: z.string().min(1),
    /** Where this server's folder (servers/<name>) is, as the server sees it (a container mount); default: where it is. */
    configDir: z.string().min(1).optional(),
    /** Where the CA file is, as the server sees it; default: `<configDir>/ca.pem`. */
    caFile: z.string().min(1).optional(),
  })
  .strict()

const identitySchema = z.discriminatedUnion('role', [
  z.object({ role: z.literal('node'), name: z.string(), signer: z.string().regex(/^0x[0-9a-fA-F]{40}$/), publicKey: z.string() }).strict(),
  z.object({ role: z.literal('aggregator'), name: z.string(), publicKey: z.string() }).strict(),
  z.object({ role: z.literal('reader'), name: z.string(), publicKey: z.string() }).strict(),
  z.object({ role: z.literal('admin'), name: z.string(), publicKey: z.string() }).strict(),
])

const manifestSchema = z
  .object({
    version: z.literal(1),
    chainIds: z.array(z.string().regex(/^[0-9]+$/)).min(1),
    durableName: z.string(),
    tls: z.boolean(),
    clusterName: z.string(),
    servers: z.array(serverSpecSchema).min(1),
    identities: z.array(identitySchema),
    /** Revoked users: public key → unix seconds. */
    revocations: z.record(z.string(), z.number().int()),
    accountPublicKey: z.string(),
    /** Public: kept so that re-rendered configs name the same operator (servers cannot reload a new one). */
    operatorJwt: z.string().optional(),
    systemAccountJwt: z.string().optional(),
  })
  .strict()

export type NatsServerSpec = z.input<typeof serverSpecSchema>
export type NatsDeploymentManifest = z.infer<typeof manifestSchema>

export type NatsDeploymentPaths = {
  dir: string
  manifest: string
  secretsDir: string
  caFile: string
  serverDir: (server: string) => string
  serverConfig: (server: string) => string
  identityDir: (name: string) => string
  credsFile: (name: string) => string
}

export function natsDeploymentPaths(dir: string): NatsDeploymentPaths {
  return {
    dir,
    manifest: join(dir, 'deployment.json'),
    secretsDir: join(dir, 'secrets'),
    caFile: join(dir, 'tls', 'ca.pem'),
    serverDir: (s) => join(dir, 'servers', s),
    serverConfig: (s) => join(dir, 'servers', s, 'nats.conf'),
    identityDir: (n) => join(dir, 'identities', n),
    credsFile: (n) => join(dir, 'identities', n, `${n}.creds`),
  }
}

function writeSecret(path: string, data: string | Uint8Array): void {
  writeFileSync(path, data, { mode: 0o600 })
  // A file that existed keeps its mode on write: make sure.
  chmodSync(path, 0o600)
}

function makeDir(path: string, mode = 0o755): void {
  mkdirSync(path, { recursive: true, mode })
  chmodSync(path, mode)
}

export type InitNatsDeploymentParameters = {
  dir: string
  chainIds: readonly (bigint | number)[]
  servers: readonly NatsServerSpec[]
  identities: readonly NatsIdentitySpec[]
  /** The aggregators' shared durable consumer (default sibyl-aggregator). */
  durableName?: string
  /** TLS on client and route connections (default true). */
  tls?: boolean
  clusterName?: string
}

export type NatsDeployment = {
  paths: NatsDeploymentPaths
  manifest: NatsDeploymentManifest
  trust: NatsTrust
}

/** Creates the operator, accounts, CA, server certificates and configs, and a user per identity. Refuses to overwrite. */
export async function initNatsDeployment(p: InitNatsDeploymentParameters): Promise<NatsDeployment> {
  const paths = natsDeploymentPaths(p.dir)
  if (existsSync(paths.manifest)) throw new NatsDeploymentError(`${paths.manifest} exists: a deployment is already there (issue or revoke users instead).`)
  const names = new Set<string>()
  for (const s of [...p.servers.map((s) => s.name), ...p.identities.map((i) => i.name)]) {
    if (names.has(s)) throw new NatsDeploymentError(`The name "${s}" is used twice.`)
    names.add(s)
  }
  makeDir(p.dir)
  makeDir(paths.secretsDir, 0o700)
  makeDir(join(p.dir, 'tls'))
  const keys = createNatsTrustKeys()
  const seeds = trustKeysToSeeds(keys)
  writeSecret(join(paths.secretsDir, 'operator.nk'), `${seeds.operator}\n`)
  writeSecret(join(paths.secretsDir, 'system-account.nk'), `${seeds.system}\n`)
  writeSecret(join(paths.secretsDir, 'account.nk'), `${seeds.account}\n`)
  const tls = p.tls ?? true
  let ca: PemPair | undefined
  if (tls) {
    ca = createCertificateAuthority()
    writeFileSync(paths.caFile, ca.certPem)
    writeSecret(join(paths.secretsDir, 'ca-key.pem'), ca.keyPem)
  }
  const manifest: NatsDeploymentManifest = manifestSchema.parse({
    version: 1,
    chainIds: p.chainIds.map(String),
    durableName: p.durableName ?? 'sibyl-aggregator',
    tls,
    clusterName: p.clusterName ?? 'sibyl',
    servers: p.servers,
    identities: [],
    revocations: {},
    accountPublicKey: keys.account.getPublicKey(),
  })
  for (const server of manifest.servers) {
    const dir = paths.serverDir(server.name)
    makeDir(dir)
    if (ca) {
      const cert = issueServerCertificate({ ca, commonName: server.name, hosts: server.hosts })
      writeFileSync(join(dir, 'server.pem'), cert.certPem)
      writeSecret(join(dir, 'server-key.pem'), cert.keyPem)
      writeFileSync(join(dir, 'ca.pem'), ca.certPem)
    }
  }
  const deployment = await renderServers(paths, manifest, keys)
  for (const spec of p.identities) await addNatsIdentity(p.dir, spec, keys)
  return { ...deployment, manifest: readManifest(paths) }
}

function readManifest(paths: NatsDeploymentPaths): NatsDeploymentManifest {
  try {
    return manifestSchema.parse(JSON.parse(readFileSync(paths.manifest, 'utf8')))
  } catch (cause) {
    throw new NatsDeploymentError(`${paths.manifest} is not a NATS deployment manifest.`, { cause })
  }
}

function writeManifest(paths: NatsDeploymentPaths, manifest: NatsDeploymentManifest): void {
  writeFileSync(paths.manifest, `${JSON.stringify(manifest, null, 2)}\n`)
}

/** The trust keys from `secrets/` (secret; used to issue and revoke). */
export function loadNatsTrustKeys(dir: string): NatsTrustKeys {
  const secrets = natsDeploymentPaths(dir).secretsDir
  const read = (f: string) => {
    try {
      return readFileSync(join(secrets, f), 'utf8')
    } catch (cause) {
      throw new NatsDeploymentError(`Cannot read ${join(secrets, f)}: issuing and revoking need the deployment's secrets.`, { cause })
    }
  }
  return trustKeysFromSeeds({ operator: read('operator.nk'), system: read('system-account.nk'), account: read('account.nk') })
}

export function loadNatsDeployment(dir: string): { paths: NatsDeploymentPaths; manifest: NatsDeploymentManifest } {
  const paths = natsDeploymentPaths(dir)
  return { paths, manifest: readManifest(paths) }
}

/** Re-renders every server's config from the manifest (after a revocation: the account JWT changed). */
async function renderServers(paths: NatsDeploymentPaths, manifest: NatsDeploymentManifest, keys: NatsTrustKeys): Promise<NatsDeployment> {
  const previous = manifest.operatorJwt && manifest.systemAccountJwt ? { operatorJwt: manifest.operatorJwt, systemAccountJwt: manifest.systemAccountJwt } : undefined
  const trust = await createNatsTrust({ keys, chainIds: manifest.chainIds.map(BigInt), revocations: manifest.revocations, ...(previous ? { previous } : {}) })
  manifest.operatorJwt = trust.operatorJwt
  manifest.systemAccountJwt = trust.systemAccountJwt
  const clustered = manifest.servers.length > 1
  for (const server of manifest.servers) {
    const configDir = server.configDir ?? paths.serverDir(server.name)
    const config = renderNatsServerConfig({
      serverName: server.name,
      trust,
      storeDir: server.storeDir,
      host: server.listenHost ?? '0.0.0.0',
      port: server.clientPort ?? 4222,
      ...(server.monitor ? { monitor: server.monitor } : {}),
      ...(manifest.tls ? { tls: { certFile: join(configDir, 'server.pem'), keyFile: join(configDir, 'server-key.pem'), caFile: server.caFile ?? join(configDir, 'ca.pem') } } : {}),
      ...(clustered
        ? {
            cluster: {
              name: manifest.clusterName,
              host: server.listenHost ?? '0.0.0.0',
              port: server.clusterPort ?? 6222,
              routes: manifest.servers.filter((s) => s.name !== server.name).map((s) => `nats-route://${s.hosts[0]}:${s.clusterPort ?? 6222}`),
            },
          }
        : {}),
    })
    writeFileSync(paths.serverConfig(server.name), config)
  }
  writeManifest(paths, manifest)
  return { paths, manifest, trust }
}

/** Issues (or re-issues, with a new key) one identity's user and writes its folder: `<name>.creds` (0600) and the CA. */
export async function addNatsIdentity(dir: string, spec: NatsIdentitySpec, keys: NatsTrustKeys = loadNatsTrustKeys(dir)): Promise<{ credsFile: string; publicKey: string }> {
  const paths = natsDeploymentPaths(dir)
  const manifest = readManifest(paths)
  const user = await issueNatsUser({ keys, spec, scope: { chainIds: manifest.chainIds.map(BigInt), durableName: manifest.durableName } })
  const identityDir = paths.identityDir(spec.name)
  makeDir(identityDir, 0o700)
  const credsFile = paths.credsFile(spec.name)
  writeSecret(credsFile, user.creds)
  if (manifest.tls) writeFileSync(join(identityDir, 'ca.pem'), readFileSync(paths.caFile))
  const entry = { ...spec, publicKey: user.publicKey } as NatsDeploymentManifest['identities'][number]
  manifest.identities = [...manifest.identities.filter((i) => i.name !== spec.name), entry]
  writeManifest(paths, manifest)
  return { credsFile, publicKey: user.publicKey }
}

/**
 * Revokes an identity's user (every JWT issued for its key until now) and re-renders the server configs.
 * Servers apply it on `nats-server --signal reload` (or SIGHUP): the revoked user's connections are closed and
 * it cannot connect again. Returns the config files to reload.
 */
export async function revokeNatsIdentity(dir: string, name: string, nowSec = Math.floor(Date.now() / 1000)): Promise<{ publicKey: string; serverConfigs: string[] }> {
  const paths = natsDeploymentPaths(dir)
  const manifest = readManifest(paths)
  const identity = manifest.identities.find((i) => i.name === name)
  if (!identity) throw new NatsDeploymentError(`No identity "${name}" in ${paths.manifest}.`)
  // One second past now: the JWT issued this second is revoked too.
  manifest.revocations = { ...manifest.revocations, [identity.publicKey]: nowSec + 1 }
  const keys = loadNatsTrustKeys(dir)
  await renderServers(paths, manifest, keys)
  return { publicKey: identity.publicKey, serverConfigs: manifest.servers.map((s) => paths.serverConfig(s.name)) }
}

/** The identity a creds file belongs to, from the manifest (for messages; reads no secret). */
export function identityOfCreds(dir: string, credsFile: string): NatsDeploymentManifest['identities'][number] | undefined {
  const { publicKey } = describeCreds(readFileSync(credsFile))
  return readManifest(natsDeploymentPaths(dir)).identities.find((i) => i.publicKey === publicKey)
}
