/**
 * Logs every event that changes who may sign or what they hold: Staking's slashes, key rotations, unbonding
 * requests and expulsions, and DisputeGovernance's disputes, accusations and their execution. Operators read
 * these in the aggregator's log (one line per event, with the operator, signer, amount, request or case and
 * block) and count them in `sibyl_governance_events_total{event}`, so a slash or a halt never goes unseen.
 *
 * Only confirmed blocks are read (`confirmations` behind the head, as the operator registry does), in ranges of
 * at most `maxBlockRange` blocks, a few ranges per poll: a watcher far behind catches up over several polls
 * without holding up the sweep that calls it. A cursor that only moves forward is what keeps each event to one
 * line. A reorg deeper than `confirmations` could still replace blocks already logged: it is noticed (the last
 * block read changed its hash) and said once, but those blocks are not read again, which would log twice the
 * events that survived it.
 *
 * By default the watcher starts at the confirmed head of its first poll: history before the aggregator started
 * is on the chain (and in the log of the run that saw it), and re-logging all of it at every restart would bury
 * the events that matter now.
 */
import { getAddress, ZeroAddress, type Log, type LogDescription, type Provider } from 'ethers'
import type { Logger } from 'pino'
import { DisputeGovernance__factory, Staking__factory } from '@sibyl/contracts/typechain'
import type { AggregatorMetrics } from '../metrics/aggregator-metrics.ts'

const stakingInterface = Staking__factory.createInterface()
const governanceInterface = DisputeGovernance__factory.createInterface()

export const STAKING_EVENTS = ['Slashed', 'SignerRegistered', 'UnbondRequested', 'OperatorExpelled'] as const
export const GOVERNANCE_EVENTS = ['Disputed', 'DisputeExecuted', 'Accused', 'SilenceAccused', 'FeedValuesAccused', 'AccusationExecuted'] as const

const topics = [
  ...STAKING_EVENTS.map((name) => stakingInterface.getEvent(name).topicHash),
  ...GOVERNANCE_EVENTS.map((name) => governanceInterface.getEvent(name).topicHash),
]

/** DisputeGovernance.Outcome and AccusationKind, in their Solidity order. */
const OUTCOMES = ['overturned', 'upheld', 'expired'] as const
const ACCUSATION_KINDS = ['feed-values', 'silence'] as const

/** Ranges read per poll at most. */
const MAX_RANGES_PER_POLL = 10
/** A failing poll is retried every sweep; its warning is repeated at most this often. */
export const POLL_WARNING_INTERVAL_MS = 60_000

export type GovernanceEventWatcherParameters = {
  provider: Provider
  stakingAddress: string
  disputeGovernanceAddress: string
  confirmations: number
  maxBlockRange: number
  /** The first block to read; omitted: the confirmed head at the first poll (only what happens from now on). */
  fromBlock?: number
  metrics: Pick<AggregatorMetrics, 'governanceEvents' | 'chainErrors'>
  logger: Logger
  nowMs: () => number
}

export type GovernanceEventWatcher = {
  /** Logs the events of newly confirmed blocks; returns how many. Never throws: a failure is logged (rate-limited) and counted. */
  poll: () => Promise<number>
  /** The block the next poll reads from (undefined before the first poll when no fromBlock was given). */
  nextBlock: () => number | undefined
}

type Described = { level: 'warn' | 'info'; message: string; fields: Record<string, unknown> }

const str = (value: unknown) => (value as bigint).toString()
const addr = (value: unknown) => getAddress(value as string)

/** The log line of one event: the fields operators search by, and how loud it is. */
function describe(parsed: LogDescription): Described | undefined {
  const a = parsed.args
  switch (parsed.name) {
    case 'Slashed':
      return { level: 'warn', message: 'operator slashed', fields: { operator: addr(a.getValue('operator')), amountWei: str(a.getValue('amountWei')), recipient: addr(a.getValue('recipient')) } }
    case 'SignerRegistered': {
      const previousSigner = addr(a.getValue('previousSigner'))
      // A first registration is no rotation; the registry's membership logs cover joins.
      if (previousSigner === ZeroAddress) return undefined
      return { level: 'info', message: 'operator rotated its signing key', fields: { operator: addr(a.getValue('operator')), signer: addr(a.getValue('signer')), previousSigner } }
    }
    case 'UnbondRequested':
      return {
        level: 'info',
        message: 'operator requested unbonding',
        fields: { operator: addr(a.getValue('operator')), amountWei: str(a.getValue('amountWei')), unbondingWei: str(a.getValue('unbondingWei')), readyAt: Number(a.getValue('readyAt')) },
      }
    case 'OperatorExpelled':
      return { level: 'warn', message: 'operator expelled from the operator set', fields: { operator: addr(a.getValue('operator')), by: addr(a.getValue('by')) } }
    case 'Disputed':
      return {
        level: 'warn',
        message: 'request disputed',
        fields: { requestId: a.getValue('requestId') as string, disputer: addr(a.getValue('disputer')), committedAnswer: str(a.getValue('committedAnswer')), votingEndsAt: Number(a.getValue('votingEndsAt')) },
      }
    case 'DisputeExecuted': {
      const amountWei = str(a.getValue('slashedWei'))
      return {
        level: amountWei === '0' ? 'info' : 'warn',
        message: 'dispute executed',
        fields: { requestId: a.getValue('requestId') as string, outcome: OUTCOMES[Number(a.getValue('outcome'))], finalAnswer: str(a.getValue('finalAnswer')), amountWei },
      }
    }
    case 'Accused':
      return {
        level: 'warn',
        message: 'operators accused',
        fields: {
          caseId: a.getValue('caseId') as string,
          kind: ACCUSATION_KINDS[Number(a.getValue('kind'))],
          accuser: addr(a.getValue('accuser')),
          operators: (a.getValue('accused') as string[]).map((o) => getAddress(o)),
          bondWei: str(a.getValue('bondWei')),
          votingEndsAt: Number(a.getValue('votingEndsAt')),
        },
      }
    case 'SilenceAccused':
      return { level: 'warn', message: 'operator accused of silence', fields: { caseId: a.getValue('caseId') as string, operator: addr(a.getValue('operator')), evidenceHash: a.getValue('evidenceHash') as string } }
    case 'FeedValuesAccused':
      return {
        level: 'warn',
        message: 'feed signers accused of false values',
        fields: { caseId: a.getValue('caseId') as string, feed: addr(a.getValue('feed')), roundId: Number(a.getValue('roundId')), claimedAnswer: str(a.getValue('claimedAnswer')) },
      }
    case 'AccusationExecuted': {
      const amountWei = str(a.getValue('slashedWei'))
      return {
        level: amountWei === '0' ? 'info' : 'warn',
        message: 'accusation executed',
        fields: { caseId: a.getValue('caseId') as string, outcome: OUTCOMES[Number(a.getValue('outcome'))], amountWei },
      }
    }
    default:
      return undefined
  }
}

export function createGovernanceEventWatcher(parameters: GovernanceEventWatcherParameters): GovernanceEventWatcher {
  const { provider, confirmations, maxBlockRange, metrics, nowMs } = parameters
  const logger = parameters.logger.child({ component: 'governance-events' })
  const staking = getAddress(parameters.stakingAddress)
  const governance = getAddress(parameters.disputeGovernanceAddress)
  let next = parameters.fromBlock
  let lastRead: { number: number; hash: string } | undefined
  let polling: Promise<number> | undefined
  let lastWarningMs: number | undefined
  let suppressedWarnings = 0

  function parse(log: Log): LogDescription | null {
    const address = getAddress(log.address)
    if (address === staking) return stakingInterface.parseLog(log)
    if (address === governance) return governanceInterface.parseLog(log)
    return null
  }

  function report(log: Log): boolean {
    const parsed = parse(log)
    const described = parsed && describe(parsed)
    if (!parsed || !described) return false
    metrics.governanceEvents.inc({ event: parsed.name })
    logger[described.level]({ event: parsed.name, ...described.fields, block: log.blockNumber, txHash: log.transactionHash, logIndex: log.index }, described.message)
    return true
  }

  async function pollOnce(): Promise<number> {
    const head = await provider.getBlockNumber()
    const safeHead = head - confirmations
    if (next === undefined) {
      next = Math.max(0, safeHead + 1)
      return 0
    }
    if (lastRead) {
      const block = await provider.getBlock(lastRead.number)
      // No such block: a backend behind the others, not a reorg; the next poll asks again.
      if (!block) return 0
      if (block.hash !== lastRead.hash) {
        logger.warn({ block: lastRead.number, hashRead: lastRead.hash, hashNow: block.hash, confirmations }, 'a reorg deeper than the confirmations replaced blocks whose governance events were already logged; they are not read again')
        lastRead = { number: lastRead.number, hash: block.hash ?? lastRead.hash }
      }
    }
    let reported = 0
    for (let i = 0; i < MAX_RANGES_PER_POLL && next <= safeHead; i++) {
      const toBlock = Math.min(safeHead, next + maxBlockRange - 1)
      // The range's last block, read before its logs: a reorg in between shows as a changed hash next time.
      const end = await provider.getBlock(toBlock)
      if (!end?.hash) break
      const logs = await provider.getLogs({ address: [staking, governance], topics: [topics], fromBlock: next, toBlock })
      logs.sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index)
      for (const log of logs) if (report(log)) reported++
      next = toBlock + 1
      lastRead = { number: toBlock, hash: end.hash }
    }
    return reported
  }

  async function poll(): Promise<number> {
    // One poll at a time: two overlapping ones would read (and log) the same range twice.
    if (polling) return polling
    polling = pollOnce()
      .catch((error: unknown) => {
        metrics.chainErrors.inc({ operation: 'governance-events' })
        const now = nowMs()
        if (lastWarningMs === undefined || now - lastWarningMs >= POLL_WARNING_INTERVAL_MS) {
          logger.warn({ err: (error as Error).message, repeatedSinceLastWarning: suppressedWarnings, nextBlock: next }, 'reading governance events failed; retrying every sweep')
          lastWarningMs = now
          suppressedWarnings = 0
        } else {
          suppressedWarnings++
        }
        return 0
      })
      .finally(() => (polling = undefined))
    return polling
  }

  return { poll, nextBlock: () => next }
}
