/**
 * Which signers are in the operator set, by Staking epoch, rebuilt from Staking's own events (nobody tells the
 * aggregator who is staked). The contract re-checks every signer at commit (Staking.membersOf, for the epoch
 * that judges the report); this cache lets the aggregator refuse an outsider's observation before it costs
 * anything. The count that sets a report's quorum is read from the chain at commit (phases/chain-reads.ts),
 * never taken from here.
 *
 * Staking emits MembershipScheduled(operator, signer, fromEpoch, untilEpoch) for every change of a signer's
 * membership (join, leave, rotation): the signer is a member of epoch e iff fromEpoch <= e < untilEpoch. Joins
 * and leaves take effect at the next epoch, so applying the events in order gives the set of every epoch from
 * the previous one on. The current epoch is computed from the confirmed head's timestamp and Staking's clock
 * (genesisTimestamp, epochLengthSec), read once.
 *
 * Reorgs. Events are read `confirmations` behind the head, and the hash of the last block read is kept. When
 * that block is no longer on the chain (a reorg deeper than `confirmations` replaced it), the membership is
 * rebuilt from `fromBlock` into a fresh map, swapped in once it has caught up, so events the reorg took away
 * are undone and the ones it added are applied. Until then the previous map answers. A block the backend does
 * not know (yet) is no reorg: the sync stops there and the next one asks again.
 */
import { getAddress, type Log, type Provider } from 'ethers'
import { Staking__factory } from '@sibyl/contracts/typechain'

const stakingInterface = Staking__factory.createInterface()
const topics = [stakingInterface.getEvent('MembershipScheduled').topicHash]

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
  /**
   * Whether the signer is a member of the previous, the current or the next epoch: its observation can count
   * in a report that lands now (a report is judged by its round's epoch, never older than the previous one).
   */
  isActive: (signer: string) => boolean
  operatorOf: (signer: string) => string | undefined
  /** Members of the current epoch. */
  activeSigners: () => string[]
  activeCount: () => number
  /** The block the next sync reads from. */
  nextBlock: () => number
  /** Times a reorg made the registry rebuild itself. */
  reorgs: () => number
}

type Membership = { operator: string; fromEpoch: number; untilEpoch: number }

export function createOperatorRegistry(parameters: OperatorRegistryParameters): OperatorRegistry {
  const { provider, stakingAddress, confirmations, maxBlockRange } = parameters
  /** signer (checksummed) -> its membership interval */
  let members = new Map<string, Membership>()
  /** While rebuilding after a reorg: the map being filled, swapped in once caught up. */
  let rebuilding: Map<string, Membership> | undefined
  /** The last block applied, to notice when a reorg replaced it. */
  let lastRead: { number: number; hash: string } | undefined
  let reorgCount = 0
  let next = parameters.fromBlock
  let syncing: Promise<number> | undefined
  let clock: { genesis: number; lengthSec: number } | undefined
  let epoch = 0

  function apply(target: Map<string, Membership>, log: Log): void {
    const parsed = stakingInterface.parseLog(log)
    if (!parsed || parsed.name !== 'MembershipScheduled') return
    const signer = getAddress(parsed.args.getValue('signer') as string)
    target.set(signer, {
      operator: getAddress(parsed.args.getValue('operator') as string),
      fromEpoch: Number(parsed.args.getValue('fromEpoch')),
      untilEpoch: Number(parsed.args.getValue('untilEpoch')),
    })
  }

  const memberAt = (m: Membership | undefined, e: number) => m !== undefined && m.fromEpoch <= e && e < m.untilEpoch

  async function syncOnce(): Promise<number> {
    if (!clock) {
      const staking = Staking__factory.connect(stakingAddress, provider)
      clock = { genesis: Number(await staking.genesisTimestamp()), lengthSec: Number(await staking.epochLengthSec()) }
    }
    if (lastRead) {
      const block = await provider.getBlock(lastRead.number)
      // No such block: this backend has not seen it yet (one behind the others, asked after a fail-over). That
      // says nothing about a reorg; the next sync asks again.
      if (!block) return 0
      if (block.hash !== lastRead.hash) {
        reorgCount++
        rebuilding = new Map()
        next = parameters.fromBlock
        lastRead = undefined
      }
    }
    const head = await provider.getBlockNumber()
    const safeHead = head - confirmations
    const target = rebuilding ?? members
    let applied = 0
    // Bounded: at most 1000 ranges per call; a registry far behind catches up over several syncs.
    for (let i = 0; i < 1000 && next <= safeHead; i++) {
      const toBlock = Math.min(safeHead, next + maxBlockRange - 1)
      // The range's last block, read before its logs: a reorg in between shows up as a changed hash next time.
      const end = await provider.getBlock(toBlock)
      if (!end?.hash) break
      const logs = await provider.getLogs({ address: stakingAddress, topics: [topics], fromBlock: next, toBlock })
      logs.sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index)
      for (const log of logs) apply(target, log)
      applied += logs.length
      next = toBlock + 1
      lastRead = { number: toBlock, hash: end.hash }
    }
    if (rebuilding && next > safeHead) {
      members = rebuilding
      rebuilding = undefined
    }
    const block = await provider.getBlock(Math.max(0, safeHead))
    if (block) epoch = Math.max(0, Math.floor((block.timestamp - clock.genesis) / clock.lengthSec))
    return applied
  }

  const current = () => [...members].filter(([, m]) => memberAt(m, epoch)).map(([signer]) => signer)

  return {
    // Concurrent callers share one sync, so events are never applied twice.
    sync: () => (syncing ??= syncOnce().finally(() => (syncing = undefined))),
    isActive: (signer) => {
      const m = members.get(getAddress(signer))
      return memberAt(m, epoch - 1) || memberAt(m, epoch) || memberAt(m, epoch + 1)
    },
    operatorOf: (signer) => members.get(getAddress(signer))?.operator,
    activeSigners: current,
    activeCount: () => current().length,
    nextBlock: () => next,
    reorgs: () => reorgCount,
  }
}
