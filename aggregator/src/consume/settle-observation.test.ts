/**
 * How an observation message is settled: acknowledged when stored or refused, handed back with a growing
 * delay when intake answers retry (a failed dependency).
 */
import test from 'ava'
import { pino } from 'pino'
import { MAX_RETRY_DELAY_MS, RETRY_DELAY_MS, retryDelayMs, settleObservation, type SettleableMessage } from './settle-observation.ts'

const logger = pino({ level: 'silent' })

function message(deliveryCount: number) {
  const settled: string[] = []
  const m: SettleableMessage = {
    seq: 7,
    info: { deliveryCount },
    ack: () => void settled.push('ack'),
    nak: (delayMs) => void settled.push(`nak ${delayMs}`),
  }
  return { m, settled }
}

test('accepted and rejected observations are acknowledged', (t) => {
  for (const result of [
    { status: 'accepted' as const, roundKey: 'res.x.y.0', late: false },
    { status: 'rejected' as const, reason: 'forged' as const, details: 'x' },
  ]) {
    const { m, settled } = message(1)
    settleObservation(m, result, logger)
    t.deepEqual(settled, ['ack'])
  }
})

test('retry is a nak with a delay that doubles with each delivery, up to the cap', (t) => {
  const delays = [1, 2, 3, 4].map((n) => {
    const { m, settled } = message(n)
    settleObservation(m, { status: 'retry', error: 'round-store: KV unavailable' }, logger)
    return settled[0]
  })
  t.deepEqual(delays, [`nak ${RETRY_DELAY_MS}`, `nak ${RETRY_DELAY_MS * 2}`, `nak ${RETRY_DELAY_MS * 4}`, `nak ${RETRY_DELAY_MS * 8}`])
  t.is(retryDelayMs(50), MAX_RETRY_DELAY_MS)
  t.is(retryDelayMs(0), RETRY_DELAY_MS)
})
