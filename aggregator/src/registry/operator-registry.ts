/**
 * Which signers are active, staked operators right now, rebuilt from Staking's own events (nobody tells the
 * aggregator who is staked). The contract re-checks every signer at commit (Staking.operatorsOfSigners); this
 * cache lets the aggregator refuse an unstaked signer's observation before it costs anything, and count the
 * quorum the same way the contract will.
 *
 * Events and their effect, mirroring Staking._afterStakeChange and registerSigner:
 * - OperatorActivated(operator, signer): the signer becomes active.
 * - OperatorDeactivated(operator, signer): it stops being active.
 * - SignerRegistered(operator, signer, previous): a rotation carries the stake over, so if `previous` was
 *   active, `signer` is active in its place.
 */
import { getAddress, type Log, type Provider } from 'ethers'
import { Staking__factory } from '@sibyl/contracts/typechain'

const stakingInterface = Staking__factory.createInterface()
const topics = [
  stakingInterface.getEvent('OperatorActivated').topicHash,
  stakingInterface.getEvent('OperatorDeactivated').topicHash,
  stakingInterface.getEvent('SignerRegistered').topicHash,
]

export type OperatorRegistryParameters = {
  provider: Provider
  stakingAddress: string
  fromBlock: number
  confirmations: number
  maxBlockRange: number
}

export type OperatorRegistry = {
  /** Applies new Staking events up to the confirmed head; returns how many were applied. */
  sync: () => Promise<number>
  isActive: (signer: string) => boolean
  operatorOf: (signer: string) => string | undefined
  activeSigners: () => string[]
  activeCount: () => number
  /** The block the next sync reads from. */
  nextBlock: () => number
}

export function createOperatorRegistry(parameters: OperatorRegistryParameters): OperatorRegistry {
  const { provider, stakingAddress, confirmations, maxBlockRange } = parameters
  /** signer (checksummed) -> operator */
  const active = new Map<string, string>()
  let next = parameters.fromBlock
  let syncing: Promise<number> | undefined

  function apply(log: Log): void {
    const parsed = stakingInterface.parseLog(log)
    if (!parsed) return
    const operator = getAddress(parsed.args.getValue('operator') as string)
    const signer = getAddress(parsed.args.getValue('signer') as string)
    if (parsed.name === 'OperatorActivated') active.set(signer, operator)
    else if (parsed.name === 'OperatorDeactivated') active.delete(signer)
    else if (parsed.name === 'SignerRegistered') {
      const previous = getAddress(parsed.args.getValue('previousSigner') as string)
      if (active.delete(previous)) active.set(signer, operator)
    }
  }

  async function syncOnce(): Promise<number> {
    const head = await provider.getBlockNumber()
    const safeHead = head - confirmations
    let applied = 0
    // Bounded: at most 1000 ranges per call; a registry far behind catches up over several syncs.
    for (let i = 0; i < 1000 && next <= safeHead; i++) {
      const toBlock = Math.min(safeHead, next + maxBlockRange - 1)
      const logs = await provider.getLogs({ address: stakingAddress, topics: [topics], fromBlock: next, toBlock })
      logs.sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index)
      for (const log of logs) apply(log)
      applied += logs.length
      next = toBlock + 1
    }
    return applied
  }

  return {
    // Concurrent callers share one sync, so events are never applied twice.
    sync: () => (syncing ??= syncOnce().finally(() => (syncing = undefined))),
    isActive: (signer) => active.has(getAddress(signer)),
    operatorOf: (signer) => active.get(getAddress(signer)),
    activeSigners: () => [...active.keys()],
    activeCount: () => active.size,
    nextBlock: () => next,
  }
}
