/**
 * Is this node's signer one whose observations count? The contracts count a signature only from a signer that
 * is a member of the current Staking epoch (its operator admitted, staked at least the minimum, not unbonding,
 * the signer registered before the epoch began). A node whose operator was slashed below the minimum, unbonded
 * or rotated its key would otherwise keep judging, signing and publishing silently, for nothing.
 *
 * Read at most every `recheckMs`; the answer is a gauge (`sibyl_signer_member`: 1 member, 0 not, -1 unknown)
 * and, on each change and at most every `warnEveryMs` while it lasts, a warning. A failed read keeps the last
 * known answer (unknown counts as a member: the contract checks again anyway, and a flaky RPC must not silence
 * an honest node).
 */
import type { Logger } from 'pino'
import type { Gauge } from 'prom-client'

export type SignerStatusReader = {
  currentEpoch: () => Promise<bigint>
  isMemberAt: (signer: string, epoch: bigint) => Promise<boolean>
}

export type WatchSignerStatusParameters = {
  staking: SignerStatusReader
  signer: string
  logger: Pick<Logger, 'warn' | 'info'>
  gauge?: Pick<Gauge, 'set'>
  nowMs: () => number
  recheckMs?: number
  warnEveryMs?: number
}

export type SignerStatus = {
  /** True when the signer counts now (or nothing could be read yet). */
  counts: () => Promise<boolean>
}

export function watchSignerStatus({ staking, signer, logger, gauge, nowMs, recheckMs = 30_000, warnEveryMs = 300_000 }: WatchSignerStatusParameters): SignerStatus {
  let known: boolean | undefined
  let readAtMs = -Infinity
  let warnedAtMs = -Infinity
  let reading: Promise<boolean> | undefined
  gauge?.set(-1)

  async function read(): Promise<boolean> {
    const at = nowMs()
    readAtMs = at
    let member: boolean
    try {
      const epoch = await staking.currentEpoch()
      member = await staking.isMemberAt(signer, epoch)
    } catch (error) {
      logger.warn({ err: error }, 'could not read whether this signer is an active operator; keeping the last answer')
      return known ?? true
    }
    gauge?.set(member ? 1 : 0)
    if (member && known === false) logger.info({ signer }, 'this signer is an active operator again; signing resumes')
    if (!member && (known !== false || at - warnedAtMs >= warnEveryMs)) {
      warnedAtMs = at
      logger.warn(
        { signer },
        'this signer is not a member of the current Staking epoch (operator slashed below the minimum, unbonding, not admitted, or the key rotated): its observations cannot count, so nothing is signed until it is',
      )
    }
    known = member
    return member
  }

  return {
    counts() {
      // A read in flight is shared: a concurrent caller must not take "not known yet" for an answer.
      if (reading) return reading
      if (nowMs() - readAtMs < recheckMs) return Promise.resolve(known ?? true)
      reading ??= read().finally(() => {
        reading = undefined
      })
      return reading
    },
  }
}
