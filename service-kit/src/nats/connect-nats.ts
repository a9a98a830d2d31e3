/**
 * A NATS connection for a long-running service: named, reconnecting forever (the default gives up after 10
 * tries), with its status events logged. Shut down with drain(), never close(), so messages in flight finish.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node'
import type { Logger } from 'pino'

export type ConnectNatsParameters = {
  servers: string[]
  /** Shown by the server's monitoring, e.g. "sibyl-node-0x12ab". */
  name: string
  logger: Logger
  /** Give up on the first connection after this long; reconnects afterwards never give up. */
  connectTimeoutMs?: number
  user?: string
  pass?: string
  token?: string
}

export async function connectNats(parameters: ConnectNatsParameters): Promise<NatsConnection> {
  const { servers, name, logger } = parameters
  const nc = await connect({
    servers,
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    waitOnFirstConnect: false,
    timeout: parameters.connectTimeoutMs ?? 10_000,
    ...(parameters.user ? { user: parameters.user, pass: parameters.pass ?? '' } : {}),
    ...(parameters.token ? { token: parameters.token } : {}),
  })
  logger.info({ server: nc.getServer() }, 'nats connected')
  void (async () => {
    for await (const status of nc.status()) {
      const level = status.type === 'error' || status.type === 'disconnect' ? 'warn' : 'info'
      logger[level]({ status: status.type, server: 'server' in status ? status.server : undefined }, 'nats status')
    }
  })().catch((error: unknown) => logger.error({ err: error }, 'nats status watcher stopped'))
  return nc
}
