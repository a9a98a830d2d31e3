/**
 * A service's last word to NATS on the way out: drain (subscriptions end, publishes in flight reach the server),
 * then close. With the server gone for good a drain never ends (its flush waits for a reconnect) and the client
 * keeps dialling, which holds the process open: so the drain has a time limit, and the connection is closed
 * whatever happened to it.
 */
import type { NatsConnection } from '@nats-io/nats-core'

/** Resolves `drained` when the drain finished in time, `closed` when it was cut short or failed. Never throws. */
export async function drainWithin(nc: Pick<NatsConnection, 'drain' | 'close' | 'isClosed'>, timeoutMs: number): Promise<'drained' | 'closed'> {
  let timer: NodeJS.Timeout | undefined
  const drained = await Promise.race([
    nc.drain().then(
      () => true,
      () => false,
    ),
    new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
  ])
  clearTimeout(timer)
  if (!nc.isClosed()) await nc.close().catch(() => undefined)
  return drained ? 'drained' : 'closed'
}
