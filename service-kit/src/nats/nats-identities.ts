/**
 * NATS decentralized auth for a Sibyl deployment: one operator, a system account, one account `SIBYL` that holds
 * the JetStream streams, and one user per component (node, aggregator, reader, admin), each a JWT signed by the
 * account key plus the user's own nkey seed (a `.creds` file). The server holds only public material (the
 * operator JWT and the account JWTs); a client proves its identity by signing the server's nonce with its seed.
 *
 * Why JWTs and not nkey users in the server config: a user JWT carries its own permissions and its own
 * connection limits (largest payload, most subscriptions), which nats-server 2.9 enforces per connection and
 * config-file users cannot have; a user is added by signing a JWT, with no server change at all; and a user is
 * revoked by a new account JWT (its revocation list), which servers load on a config reload, no restart.
 *
 * Seeds are secrets: this module returns them as bytes and never logs; `write-nats-deployment.ts` writes them
 * with mode 0600.
 */
import { createAccount, createOperator, createUser, decode, encodeAccount, encodeOperator, encodeUser, fmtCreds, fromSeed, type KeyPair } from '@nats-io/jwt'
import type { Account, User } from '@nats-io/jwt'
import { BaseError } from '@sibyl/protocol/errors'
import { evidenceBucket, roundsBucket, streams, SIZED_FOR_SIGNERS } from '@sibyl/protocol/subjects'
import { natsPermissions, type NatsIdentitySpec, type NatsPermissionsScope, type NatsRole } from './nats-permissions.ts'

export class NatsIdentityError extends BaseError {
  override name = 'NatsIdentityError' as const
}

/** The signing keys of a deployment's trust chain. Secret: whoever holds `account` can mint users. */
export type NatsTrustKeys = { operator: KeyPair; system: KeyPair; account: KeyPair }

/** What servers need (public): the operator JWT and the account JWTs. */
export type NatsTrust = {
  operatorJwt: string
  systemAccountPublicKey: string
  systemAccountJwt: string
  accountPublicKey: string
  accountJwt: string
}

export type NatsUser = {
  spec: NatsIdentitySpec
  publicKey: string
  jwt: string
  /** JWT + seed in the `.creds` format clients read. Secret. */
  creds: Uint8Array
}

const KIB = 1024
const GIB = 1024 * 1024 * 1024

/**
 * Per-connection limits by role, enforced by the server from the user JWT (a publish over the payload limit
 * closes the connection; a subscription over the limit is refused). A node's 160 KiB is an evidence object
 * chunk (128 KiB) with headers; an aggregator's 512 KiB a round record or an outlier report (256 KiB each).
 */
export const USER_LIMITS: Record<NatsRole, { payloadBytes: number; subscriptions: number }> = {
  node: { payloadBytes: 160 * KIB, subscriptions: 256 },
  aggregator: { payloadBytes: 512 * KIB, subscriptions: 1024 },
  reader: { payloadBytes: 8 * KIB, subscriptions: 1024 },
  admin: { payloadBytes: -1, subscriptions: -1 },
}

/**
 * The SIBYL account's limits: JetStream storage for every stream and bucket at their maximum (observations,
 * outliers, a rounds bucket per chain, an evidence archive per signer the deployment is sized for), every
 * stream must declare its size (`max_bytes_required`), no stream over 1 GiB, no leaf nodes, no imports or
 * exports. Replicas count against the servers' disks, not the account's limit, in nats-server 2.9.
 */
export function accountLimits(chainCount: number) {
  const diskBytes = streams.observations.maxBytes + streams.outliers.maxBytes + chainCount * roundsBucket.maxBytes + SIZED_FOR_SIGNERS * evidenceBucket.maxBytes
  return {
    subs: -1,
    conn: 10_000,
    leaf: 0,
    imports: 0,
    exports: 0,
    wildcards: true,
    data: -1,
    payload: 1024 * KIB,
    disk_storage: diskBytes,
    mem_storage: 0,
    streams: 16 + SIZED_FOR_SIGNERS,
    consumer: 4096,
    max_ack_pending: -1,
    max_bytes_required: true,
    disk_max_stream_bytes: GIB,
    mem_max_stream_bytes: 0,
  }
}

export function createNatsTrustKeys(): NatsTrustKeys {
  return { operator: createOperator(), system: createAccount(), account: createAccount() }
}

/** Seeds as text (the `.nk` files), and back. */
export function trustKeysToSeeds(keys: NatsTrustKeys): { operator: string; system: string; account: string } {
  const text = (k: KeyPair) => new TextDecoder().decode(k.getSeed())
  return { operator: text(keys.operator), system: text(keys.system), account: text(keys.account) }
}

export function trustKeysFromSeeds(seeds: { operator: string; system: string; account: string }): NatsTrustKeys {
  const key = (s: string, prefix: string, what: string) => {
    const trimmed = s.trim()
    if (!trimmed.startsWith(prefix)) throw new NatsIdentityError(`The ${what} seed is not an nkey seed of that kind.`)
    return fromSeed(new TextEncoder().encode(trimmed))
  }
  return { operator: key(seeds.operator, 'SO', 'operator'), system: key(seeds.system, 'SA', 'system account'), account: key(seeds.account, 'SA', 'account') }
}

export type CreateNatsTrustParameters = {
  keys: NatsTrustKeys
  /**
   * The operator and system account JWTs made before: servers cannot reload a changed operator, so after the
   * first time only the SIBYL account's JWT is made again (a revocation).
   */
  previous?: Pick<NatsTrust, 'operatorJwt' | 'systemAccountJwt'>
  chainIds: readonly (bigint | number)[]
  /** Users revoked: public key → unix seconds; any JWT of that user issued before is refused. */
  revocations?: Record<string, number>
}

export async function createNatsTrust({ keys, chainIds, revocations, previous }: CreateNatsTrustParameters): Promise<NatsTrust> {
  const operatorJwt = previous?.operatorJwt ?? (await encodeOperator('sibyl', keys.operator, { system_account: keys.system.getPublicKey() }))
  const systemAccountJwt = previous?.systemAccountJwt ?? (await encodeAccount('SYS', keys.system, {}, { signer: keys.operator }))
  const account: Partial<Account> = { limits: accountLimits(chainIds.length), ...(revocations && Object.keys(revocations).length ? { revocations } : {}) }
  const accountJwt = await encodeAccount('SIBYL', keys.account, account, { signer: keys.operator })
  return { operatorJwt, systemAccountPublicKey: keys.system.getPublicKey(), systemAccountJwt, accountPublicKey: keys.account.getPublicKey(), accountJwt }
}

export type IssueNatsUserParameters = {
  keys: Pick<NatsTrustKeys, 'account'>
  spec: NatsIdentitySpec
  scope: NatsPermissionsScope
  /** The user's nkey; omitted: a new one. Re-issuing with the same key keeps the identity (new permissions). */
  userKey?: KeyPair
  /** Expiry (unix seconds); omitted: none (revocation is the way out). */
  expiresAtSec?: number
}

export async function issueNatsUser({ keys, spec, scope, userKey, expiresAtSec }: IssueNatsUserParameters): Promise<NatsUser> {
  if (!/^[a-zA-Z0-9_.-]{1,64}$/.test(spec.name)) throw new NatsIdentityError(`An identity name is letters, digits, _ . - (1-64): "${spec.name}".`)
  const user = userKey ?? createUser()
  const publicKey = user.getPublicKey()
  const permissions = natsPermissions(spec, publicKey, scope)
  const limits = USER_LIMITS[spec.role]
  const claims: Partial<User> = {
    ...(permissions ? { pub: permissions.pub, sub: permissions.sub } : {}),
    payload: limits.payloadBytes,
    subs: limits.subscriptions,
    data: -1,
    bearer_token: false,
    allowed_connection_types: ['STANDARD'],
    tags: [`role:${spec.role}`, ...(spec.role === 'node' ? [`signer:${spec.signer.toLowerCase()}`] : [])],
  }
  const jwt = await encodeUser(spec.name, user, keys.account, claims, expiresAtSec ? { exp: expiresAtSec } : {})
  return { spec, publicKey, jwt, creds: fmtCreds(jwt, user) }
}

/** The public key and name a `.creds` file's JWT names (no secret is read out). */
export function describeCreds(creds: Uint8Array | string): { publicKey: string; name: string; issuedAtSec: number } {
  const text = typeof creds === 'string' ? creds : new TextDecoder().decode(creds)
  const match = /-----BEGIN NATS USER JWT-----\s*([^\s-][^\s]*)\s*------END NATS USER JWT------/.exec(text)
  if (!match) throw new NatsIdentityError('Not a NATS .creds file (no user JWT in it).')
  const claims = decode<User>(match[1]!)
  return { publicKey: claims.sub, name: claims.name, issuedAtSec: claims.iat }
}
