/**
 * A NATS connection for a long-running service: named, reconnecting forever (the default gives up after 10
 * tries), with its status events logged. Shut down with drain(), never close(), so messages in flight finish.
 *
 * On a secured deployment the service proves its identity with its `.creds` file (user JWT + nkey seed; the
 * seed signs the server's nonce and never leaves the process), verifies the servers' certificates against the
 * deployment CA, and uses its own inbox prefix (`_INBOX.<user public key>`), the only inbox its permissions let
 * it subscribe to. The creds file is read again on every reconnect, so a re-issued one is picked up. Nothing
 * secret is logged: the log names the identity by its public key.
 */
import { readFileSync, statSync } from 'node:fs'
import { connect, credsAuthenticator, type ConnectionOptions, type NatsConnection } from '@nats-io/transport-node'
import type { Logger } from 'pino'
import { describeCreds } from './nats-identities.ts'
import { inboxPrefixFor } from './nats-permissions.ts'

export type NatsTlsFiles = {
  /** The CA the servers' certificates are checked against. */
  caFile: string
  /** A client certificate and key, for servers that ask for one (mutual TLS). */
  certFile?: string
  keyFile?: string
}

export type NatsAuthParameters = {
  /** A `.creds` file: user JWT + nkey seed (`sibyl nats init` writes one per component, mode 0600). */
  credentialsFile?: string
  tls?: NatsTlsFiles
  /** Legacy single shared token (an unsecured deployment); prefer `credentialsFile`. */
  token?: string
  user?: string
  pass?: string
}

export type ConnectNatsParameters = NatsAuthParameters & {
  servers: string[]
  /** Shown by the server's monitoring, e.g. "sibyl-node-0x12ab". */
  name: string
  logger: Logger
  /** Give up on the first connection after this long; reconnects afterwards never give up. */
  connectTimeoutMs?: number
}

/** The nats.js options for an identity (also used by tests and tools that connect as one). */
export function natsAuthOptions(auth: NatsAuthParameters): Partial<ConnectionOptions> & { identity?: string } {
  const options: Partial<ConnectionOptions> & { identity?: string } = {}
  if (auth.credentialsFile) {
    const file = auth.credentialsFile
    const { publicKey } = describeCreds(readFileSync(file))
    options.authenticator = credsAuthenticator(() => readFileSync(file))
    options.inboxPrefix = inboxPrefixFor(publicKey)
    options.identity = publicKey
  }
  if (auth.tls) {
    options.tls = { caFile: auth.tls.caFile, ...(auth.tls.certFile ? { certFile: auth.tls.certFile } : {}), ...(auth.tls.keyFile ? { keyFile: auth.tls.keyFile } : {}) }
  }
  if (auth.token) options.token = auth.token
  if (auth.user) Object.assign(options, { user: auth.user, pass: auth.pass ?? '' })
  return options
}

/**
 * Client options for an identity and its servers, to spread into nats.js's `connect()` (tools, tests, watchers):
 * `connect({ ...natsClientOptions(network.natsReader), name: 'my-watcher' })`. An open server: `{ servers }` alone.
 */
export function natsClientOptions(spec: { servers: string[] } & NatsAuthParameters): Partial<ConnectionOptions> & { servers: string[] } {
  const { identity: _identity, ...auth } = natsAuthOptions(spec)
  return { ...auth, servers: [...spec.servers] }
}

export async function connectNats(parameters: ConnectNatsParameters): Promise<NatsConnection> {
  const { servers, name, logger } = parameters
  const { identity, ...auth } = natsAuthOptions(parameters)
  if (parameters.credentialsFile && (statSync(parameters.credentialsFile).mode & 0o077) !== 0) {
    // Like ssh with a private key: say so (the seed in it is this component's identity on the bus).
    logger.warn({ credentialsFile: parameters.credentialsFile }, 'the NATS credentials file is readable by others than its owner: chmod 600 it')
  }
  const nc = await connect({
    servers,
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    waitOnFirstConnect: false,
    timeout: parameters.connectTimeoutMs ?? 10_000,
    ...auth,
  })
  logger.info({ server: nc.getServer(), identity, tls: parameters.tls !== undefined }, 'nats connected')
  void (async () => {
    for await (const status of nc.status()) {
      const level = status.type === 'error' || status.type === 'disconnect' ? 'warn' : 'info'
      logger[level]({ status: status.type, server: 'server' in status ? status.server : undefined }, 'nats status')
    }
  })().catch((error: unknown) => logger.error({ err: error }, 'nats status watcher stopped'))
  return nc
}
