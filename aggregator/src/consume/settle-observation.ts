/**
 * What happens to an observation message once intake has answered: acknowledged when it is stored or
 * refused for good; handed back with a growing delay when a dependency failed (`retry`), so an outage of the
 * chain or KV is ridden out for hours before the server gives up on the message (max_deliver), and a
 * message that keeps failing cannot spin.
 */
import type { Logger } from 'pino'
import type { HandleResult } from '../phases/intake.ts'

/** The first redelivery delay; it doubles with each delivery up to MAX_RETRY_DELAY_MS. */
export const RETRY_DELAY_MS = 500
export const MAX_RETRY_DELAY_MS = 30_000

/** The part of a JetStream message this needs (JsMsg has it). */
export type SettleableMessage = { seq: number; info: { deliveryCount: number }; ack: () => void; nak: (delayMs?: number) => void }

/** 0.5 s, 1 s, 2 s ... 30 s, by delivery count (1 for the first delivery). */
export function retryDelayMs(deliveryCount: number): number {
  return Math.min(MAX_RETRY_DELAY_MS, RETRY_DELAY_MS * 2 ** Math.min(16, Math.max(0, deliveryCount - 1)))
}

export function settleObservation(m: SettleableMessage, result: HandleResult, logger: Logger): void {
  if (result.status === 'retry') {
    // Not recorded: the message comes back and is handled again (idempotently).
    logger.warn({ err: result.error, seq: m.seq, delivery: m.info.deliveryCount }, 'observation not recorded; will retry')
    m.nak(retryDelayMs(m.info.deliveryCount))
    return
  }
  if (result.status === 'rejected') logger.debug({ reason: result.reason, details: result.details, seq: m.seq }, 'observation rejected')
  // Acknowledged only now: the observation is in the round record (or refused for good).
  m.ack()
}
