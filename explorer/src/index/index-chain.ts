/**
 * Fills the store from the chain: the events of the deployment's ResolutionOracle, DisputeGovernance, Staking and
 * FeedAggregators, read `confirmations` blocks behind the head, from the deployment block (backfill) and then as
 * blocks come (follow), in ranges of at most `maxBlockRange` blocks. After each range, the requests and
 * operators it touched are read back from the contracts at the range's last block, so the store shows the
 * state the chain holds there (status, round, epoch, stake), not one reconstructed from events alone.
 *
 * A reorg deeper than `confirmations` is not undone: on a public chain, set `confirmations` to the depth the
 * chain's finality needs (the devnet's default is 0; anvil does not reorganize).
 */
import { Contract, type Log, type Provider } from 'ethers'
import type { Logger } from 'pino'
import { DisputeGovernance__factory, FeedAggregator__factory, ResolutionOracle__factory, Staking__factory } from '@sibyl/contracts/typechain'
import type { Deployment } from '@sibyl/protocol/deployment'
import { requestStatusName } from '@sibyl/protocol/request-status'
import type { FeedSpec } from '@sibyl/protocol/question-spec'
import { sleepUnlessAborted } from '@sibyl/service-kit/time/sleep-unless-aborted'
import type { ExplorerStore } from '../store/explorer-store.ts'
import { applyChainEvent, type ChainEventContext } from './apply-chain-event.ts'

export type IndexChainParameters = {
  provider: Provider
  deployment: Deployment
  store: ExplorerStore
  confirmations: number
  pollIntervalMs: number
  maxBlockRange: number
  /** Feed specs (feeds/*.json) by description: the deviation threshold and heartbeat the chain does not store. */
  feedSpecs?: readonly Pick<FeedSpec, 'description' | 'deviationBps' | 'heartbeatSec'>[]
  logger: Logger
  signal: AbortSignal
}

export type ChainIndexer = {
  /** Resolves once the indexer stops (the signal); never rejects: failures are logged and retried. */
  done: Promise<void>
  /** The next block to read. */
  nextBlock: () => number
}

const MAX_CACHED_BLOCK_TIMES = 10_000

export function indexChain({ provider, deployment, store, confirmations, pollIntervalMs, maxBlockRange, feedSpecs = [], logger, signal }: IndexChainParameters): ChainIndexer {
  const log = logger.child({ unit: 'chain-indexer' })
  const c = deployment.contracts
  const oracle = ResolutionOracle__factory.connect(c.resolutionOracle, provider)
  const staking = Staking__factory.connect(c.staking, provider)
  const governance = DisputeGovernance__factory.connect(c.disputeGovernance, provider)
  const sources = new Map<string, { source: ChainEventContext['source']; iface: { parseLog: (log: { topics: readonly string[]; data: string }) => ReturnType<typeof oracle.interface.parseLog> } }>([
    [c.resolutionOracle.toLowerCase(), { source: 'oracle', iface: oracle.interface }],
    [c.disputeGovernance.toLowerCase(), { source: 'governance', iface: governance.interface }],
    [c.staking.toLowerCase(), { source: 'staking', iface: staking.interface }],
    ...c.feeds.map((f) => [f.address.toLowerCase(), { source: 'feed' as const, iface: FeedAggregator__factory.createInterface() }] as const),
  ])
  const addresses = [...sources.keys()]
  const disputeWindowReader = new Contract(c.resolutionOracle, ['function disputeEndsAt(bytes32 requestId) view returns (uint64)'], provider)
  const blockTimes = new Map<number, number>()
  let next = deployment.deployedAtBlock
  /**
   * Logs of the range being read that were already applied: a range that fails half-way (an RPC error in the
   * refresh) is read again from its start, and counting events (a slash, a bond) must not count twice.
   */
  const applied = new Set<string>()
  /** What those logs touched, kept with them until the range's refresh succeeds. */
  const pendingRefresh: ChainEventContext['touched'] = { requests: new Set(), operators: new Set() }
  let disputeWindowSec = 0

  async function blockTime(n: number): Promise<number> {
    const cached = blockTimes.get(n)
    if (cached !== undefined) return cached
    const block = await provider.getBlock(n)
    if (!block) throw new Error(`block ${n} is not available`)
    if (blockTimes.size >= MAX_CACHED_BLOCK_TIMES) blockTimes.delete(blockTimes.keys().next().value!)
    blockTimes.set(n, block.timestamp)
    return block.timestamp
  }

  async function describeFeeds(): Promise<void> {
    for (const f of c.feeds) {
      const feed = FeedAggregator__factory.connect(f.address, provider)
      const [minAnswer, maxAnswer] = await Promise.all([feed.minAnswer(), feed.maxAnswer()])
      const spec = feedSpecs.find((s) => s.description === f.description)
      store.upsertFeed({ address: f.address, feedId: f.feedId, description: f.description, decimals: f.decimals, minAnswer, maxAnswer, deviationBps: spec?.deviationBps ?? null, heartbeatSec: spec?.heartbeatSec ?? null })
    }
  }

  /** The oracle's own end of the window (longer for a contested answer); undefined where the oracle has no such view. */
  async function readDisputeEndsAt(requestId: string, blockTag: number): Promise<number | undefined> {
    try {
      const ends = Number(await disputeWindowReader.getFunction('disputeEndsAt').staticCall(requestId, { blockTag }))
      return ends > 0 ? ends : undefined
    } catch {
      return undefined
    }
  }

  async function refresh(touched: ChainEventContext['touched'], blockTag: number): Promise<void> {
    for (const requestId of touched.requests) {
      const r = await oracle.getRequest(requestId, { blockTag })
      const chainStatus = requestStatusName(r.status)
      if (!chainStatus || chainStatus === 'None') continue
      const committed = chainStatus !== 'Open'
      store.upsertRequest({
        requestId,
        chainStatus,
        round: Number(r.round),
        epoch: Number(r.epoch),
        resolveAfter: Number(r.resolveAfter),
        ...(committed ? { answerValue: BigInt(r.answer), committedAt: Number(r.committedAt), disputeEndsAt: (await readDisputeEndsAt(requestId, blockTag)) ?? Number(r.committedAt) + disputeWindowSec } : {}),
      })
    }
    for (const operator of touched.operators) {
      const [record, active] = await Promise.all([staking.getOperator(operator, { blockTag }), staking.isActive(operator, { blockTag })])
      store.upsertOperator({ operator, signer: record.signer, stakeWei: record.stakeWei, status: active ? 'active' : 'inactive' })
    }
  }

  async function readRange(from: number, to: number): Promise<void> {
    const logs: Log[] = await provider.getLogs({ address: addresses, fromBlock: from, toBlock: to })
    logs.sort((x, y) => x.blockNumber - y.blockNumber || x.index - y.index)
    const touched = pendingRefresh
    for (const entry of logs) {
      const source = sources.get(entry.address.toLowerCase())
      const key = `${entry.blockNumber}:${entry.index}`
      if (!source || applied.has(key)) continue
      let event
      try {
        event = source.iface.parseLog(entry)
      } catch {
        continue
      }
      if (!event) continue
      const at = await blockTime(entry.blockNumber)
      try {
        applyChainEvent(event, { store, source: source.source, address: entry.address, at, txHash: entry.transactionHash, blockNumber: entry.blockNumber, data: entry.data, disputeWindowSec, touched })
      } catch (error) {
        // One log the store cannot take (hostile fields) is skipped and said so; it must not stall the index.
        log.warn({ err: error, block: entry.blockNumber, index: entry.index, event: event.name }, 'chain event skipped')
      }
      applied.add(key)
    }
    await refresh(touched, to)
    applied.clear()
    touched.requests.clear()
    touched.operators.clear()
  }

  const done = (async () => {
    let started = false
    let failures = 0
    while (!signal.aborted) {
      try {
        if (!started) {
          disputeWindowSec = Number(await oracle.disputeWindowSec())
          await describeFeeds()
          started = true
        }
        const head = await provider.getBlockNumber()
        const target = head - confirmations
        store.setHealth({ chainHead: head })
        store.setChainClockLead((await blockTime(head)) - Math.floor(Date.now() / 1000))
        // A few ranges per pass, so a long backfill still notices the signal and updates health as it goes.
        for (let i = 0; i < 50 && next <= target && !signal.aborted; i++) {
          const to = Math.min(target, next + maxBlockRange - 1)
          await readRange(next, to)
          next = to + 1
          store.setHealth({ indexedBlock: to })
        }
        if (next <= target) continue
        failures = 0
      } catch (error) {
        if (signal.aborted) break
        // Logged with growing gaps (1st, 2nd, 4th, 8th … failure in a row): a dead RPC is said, not shouted.
        failures++
        if ((failures & (failures - 1)) === 0) log.warn({ err: error, failures, nextBlock: next }, 'reading the chain failed; retrying')
      }
      await sleepUnlessAborted(pollIntervalMs, signal)
    }
  })()

  return { done, nextBlock: () => next }
}
