/**
 * What overturning a dispute would do to the operator set, computed from the chain before anyone votes or
 * executes: DisputeGovernance._slashAll takes slashBps of each signer's slashable stake (bonded first,
 * Staking.slash), and Staking._syncMembership ends at the next epoch the membership of an operator whose
 * bonded stake falls below minStakeWei. One overturned report signed by a whole quorum can so empty the set:
 * with no active operator nothing can commit (the network halts), and below four none may fail (f = 0).
 */
import { quorumFor } from '@sibyl/protocol/quorum'
import type { Chain } from './open-chain.ts'

const BPS = 10_000n
/** n = 3f + 1 with f = 1: the smallest set that survives one faulty operator. */
export const MIN_FAULT_TOLERANT_OPERATORS = 4

export type SlashImpact = {
  operators: { operator: string; stakeWei: bigint; slashWei: bigint; stakeAfterWei: bigint; deactivated: boolean }[]
  minStakeWei: bigint
  activeNext: number
  activeAfter: number
  quorumAfter: number
  /** No active operator would remain: no report can commit until operators stake again. */
  halts: boolean
  /** Fewer than four active operators would remain: one silent or lying operator blocks or decides. */
  faultIntolerant: boolean
}

export async function assessSlashImpact(chain: Chain, signers: readonly string[]): Promise<SlashImpact> {
  const { staking, governance } = chain.contracts
  const slashBps = BigInt(await governance.slashBps())
  const minStakeWei = await staking.minStakeWei()
  const next = (await staking.currentEpoch()) + 1n
  const activeNext = Number(await staking.memberCountAt(next))
  const operatorAddresses = [...new Set(await staking.operatorsOf([...signers]))]
  const operators: SlashImpact['operators'] = []
  for (const operator of operatorAddresses) {
    const record = await staking.getOperator(operator)
    const slashWei = ((await staking.slashableOf(operator)) * slashBps) / BPS
    const fromBond = slashWei < record.stakeWei ? slashWei : record.stakeWei
    const stakeAfterWei = record.stakeWei - fromBond
    const member = await staking.isMemberAt(record.signer, next)
    operators.push({ operator, stakeWei: record.stakeWei, slashWei, stakeAfterWei, deactivated: member && stakeAfterWei < minStakeWei })
  }
  const activeAfter = activeNext - operators.filter((o) => o.deactivated).length
  return {
    operators,
    minStakeWei,
    activeNext,
    activeAfter,
    quorumAfter: quorumFor(activeAfter),
    halts: activeAfter === 0,
    faultIntolerant: activeAfter < MIN_FAULT_TOLERANT_OPERATORS,
  }
}

/** One line for people: what an overturn costs the network. */
export function describeSlashImpact(impact: SlashImpact): string {
  const deactivated = impact.operators.filter((o) => o.deactivated)
  const head = `if overturned: ${impact.operators.length} operators slashed, ${deactivated.length} fall below the minimum stake; active operators ${impact.activeNext} -> ${impact.activeAfter} (quorum ${impact.quorumAfter})`
  if (impact.halts) return `WARNING ${head}: NO ACTIVE OPERATOR REMAINS, the network halts until operators stake again (README, "Recovering from a halt")`
  if (impact.faultIntolerant) return `WARNING ${head}: fewer than ${MIN_FAULT_TOLERANT_OPERATORS} active operators, the network no longer tolerates one faulty operator`
  return head
}
