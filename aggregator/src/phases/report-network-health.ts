/**
 * The operator set's health, after each registry sync: the active operators and the quorum they need are
 * exported as gauges, and every change of health is logged once (not every sweep): no active operator means
 * no report can commit, the network is halted (an overturned dispute that slashed a whole quorum below the
 * minimum stake does that); fewer than four means one faulty operator can block or decide (f = 0).
 * The count is the registry's mirror of Staking's current epoch (Staking.activeOperatorCount on-chain).
 */
import { quorumFor } from '@sibyl/protocol/quorum'
import type { AggregatorContext } from './context.ts'

/** n = 3f + 1 with f = 1: the smallest set that survives one faulty operator. */
export const MIN_FAULT_TOLERANT_OPERATORS = 4

export type NetworkHealth = 'halted' | 'fault-intolerant' | 'healthy'

export function networkHealthOf(activeOperators: number): NetworkHealth {
  if (activeOperators === 0) return 'halted'
  return activeOperators < MIN_FAULT_TOLERANT_OPERATORS ? 'fault-intolerant' : 'healthy'
}

/** The last count reported, per aggregator instance (its memory object): changes are logged, not states. */
const lastReported = new WeakMap<object, number>()

export function reportNetworkHealth(ctx: Pick<AggregatorContext, 'registry' | 'metrics' | 'logger' | 'memory'>): NetworkHealth {
  const active = ctx.registry.activeCount()
  const health = networkHealthOf(active)
  ctx.metrics.activeOperators.set(active)
  ctx.metrics.quorumOperators.set(quorumFor(active))
  ctx.metrics.networkHalted.set(health === 'halted' ? 1 : 0)
  const before = lastReported.get(ctx.memory)
  if (before === active) return health
  lastReported.set(ctx.memory, active)
  const fields = { activeOperators: active, previousActiveOperators: before ?? null, quorum: quorumFor(active), health }
  if (health === 'halted') {
    ctx.logger.error(fields, 'NETWORK HALTED: no active operator, no report can commit until operators stake again (README, "Recovering from a halt")')
  } else if (health === 'fault-intolerant') {
    ctx.logger.warn(fields, `fewer than ${MIN_FAULT_TOLERANT_OPERATORS} active operators: one faulty operator can block or decide a report`)
  } else {
    ctx.logger.info(fields, 'active operator set changed')
  }
  return health
}
