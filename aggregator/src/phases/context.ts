/**
 * The one state object every phase of the aggregator works on: its dependencies, its options, and the
 * little it keeps in memory (which rounds to look at, which commits are running). The durable truth is the
 * round store; everything in `memory` may be lost in a crash and is rebuilt by the sweep.
 */
import { getAddress, type Provider, type TransactionReceipt } from 'ethers'
import type { Logger } from 'pino'
import type { Deployment } from '@sibyl/protocol/deployment'
import type { ObservationDomain } from '@sibyl/protocol/eip712'
import type { AggregatorMetrics } from '../metrics/aggregator-metrics.ts'
import type { OperatorRegistry } from '../registry/operator-registry.ts'
import type { RoundRecord } from '../rounds/round-record.ts'
import type { RoundStore } from '../rounds/round-store.ts'
import type { SendTransactionParameters } from '../commit/tx-sender.ts'
import { createFastObservationRecoverer, type FastObservationRecoverer } from '../verify/recover-observation-signer-fast.ts'
import type { ChainReads, RoundRules } from './chain-reads.ts'

export type FeedInfo = { address: string; feedId: string; minAnswer: bigint; maxAnswer: bigint; description: string }

export type AggregatorOptions = {
  /** This instance's name: it signs claims with it. */
  id: string
  deployment: Deployment
  feeds: readonly FeedInfo[]
  deadlineMs: number
  commitLeaseMs: number
  maxCommitAttempts: number
  maxConcurrentCommits: number
  madMultiplierMilli: number
  minDeviationBps: number
  gasLimitPercent: number
  /** Rescan every round key in the store every this many sweeps (finds rounds another aggregator left). */
  fullScanEvery?: number
  /** Longest wait between two commit attempts of a round (the backoff doubles from 1 s up to this). 60 s by default. */
  maxCommitBackoffMs?: number
  /**
   * How long the claim is extended to just before the commit transaction is sent: the sender's whole give-up
   * time, confirmations included (commit/tx-sender.ts sendBudgetMs), so no other aggregator takes the round
   * over while this one's transaction may still be mined. commitLeaseMs when absent.
   */
  sendLeaseMs?: number
  /** Blocks behind the head at which chain state counts as confirmed (final decisions only). 0 by default. */
  confirmations?: number
}

/** Publishes one outlier report; the server drops a second message with the same `msgID` (JetStream dedupe). */
export type PublishReport = (subject: string, data: Uint8Array, msgID: string) => Promise<{ duplicate: boolean }>

/** What the commit phase asks of the chain besides sending: a simulation and a gas estimate. */
export type CommitProvider = Pick<Provider, 'call' | 'estimateGas'>

/** What the commit phase needs of the transaction sender (commit/tx-sender.ts is one). */
export type CommitSender = {
  address: string
  send: (tx: SendTransactionParameters) => Promise<{ receipt: Pick<TransactionReceipt, 'status' | 'hash' | 'gasUsed'>; bumps: number; reorgs?: number }>
}

/** Bound of each in-memory set of round keys: past it the set starts over (the sweep refills what matters). */
export const MAX_REMEMBERED_ROUNDS = 100_000

export type AggregatorMemory = {
  /** Rounds the sweep looks at: not finished, or finished and not yet reported. */
  known: Set<string>
  /** Rounds seen finished and reported: skipped by the full scan. */
  finished: Set<string>
  /** Rounds checked on-chain (or found in the store) at intake: not read again for each observation. */
  validated: Set<string>
  committing: Map<string, Promise<void>>
  commitSlots: { running: number; waiting: (() => void)[] }
  /** Reports and closings in flight; `idle` waits for them. */
  background: Set<Promise<void>>
  recoverers: Map<string, FastObservationRecoverer>
  /** By round key: the rules read from the chain before a commit (chain-reads.ts readRoundRules). */
  roundRules: Map<string, RoundRules>
  /** Rounds closed without a quorum, by key: when to ask the chain next whether their request settled. */
  unsettled: Map<string, { dueAtMs: number; waitMs: number }>
  sweeps: number
  lastRegistrySyncMs: number
}

export type AggregatorContext = {
  store: RoundStore
  registry: OperatorRegistry
  metrics: AggregatorMetrics
  logger: Logger
  nowMs: () => number
  chain: ChainReads
  /** One reader per configured RPC URL: a final decision needs them all to agree (confirm-round.ts). */
  confirmViews: readonly ChainReads[]
  provider: CommitProvider
  sender: CommitSender
  publishReport: PublishReport
  options: AggregatorOptions
  chainId: bigint
  /** Checksummed. */
  oracleAddress: string
  /** By checksummed address. */
  feedsByAddress: ReadonlyMap<string, FeedInfo>
  memory: AggregatorMemory
  /** Looks at a round and starts what it needs next (commit, close, report); see advance-round.ts. */
  advance: (roundKey: string, record: RoundRecord) => void
}

export function createAggregatorMemory(): AggregatorMemory {
  return {
    known: new Set(),
    finished: new Set(),
    validated: new Set(),
    committing: new Map(),
    commitSlots: { running: 0, waiting: [] },
    background: new Set(),
    recoverers: new Map(),
    roundRules: new Map(),
    unsettled: new Map(),
    sweeps: 0,
    lastRegistrySyncMs: 0,
  }
}

/** Adds a key to a bounded set. */
export function rememberRound(set: Set<string>, roundKey: string): void {
  if (set.size >= MAX_REMEMBERED_ROUNDS) set.clear()
  set.add(roundKey)
}

export function feedsByAddressOf(feeds: readonly FeedInfo[]): Map<string, FeedInfo> {
  return new Map(feeds.map((f) => [getAddress(f.address), f]))
}

export function domainOf(ctx: Pick<AggregatorContext, 'chainId'>, contract: string): ObservationDomain {
  return { chainId: ctx.chainId, verifyingContract: contract }
}

/** The fast signature recoverer for one contract's domain (its domain separator computed once). */
export function recovererFor(ctx: Pick<AggregatorContext, 'chainId' | 'memory'>, contract: string): FastObservationRecoverer {
  let r = ctx.memory.recoverers.get(contract)
  if (!r) ctx.memory.recoverers.set(contract, (r = createFastObservationRecoverer(domainOf(ctx, contract))))
  return r
}

/** Runs a round's task without waiting for it; a failure is logged with the round, and `idle` waits for it. */
export function runInBackground(ctx: Pick<AggregatorContext, 'logger' | 'memory'>, roundKey: string, what: string, task: () => Promise<void>): void {
  const p: Promise<void> = task()
    .catch((error: unknown) => ctx.logger.error({ roundKey, err: error }, `${what} failed`))
    .finally(() => ctx.memory.background.delete(p))
  ctx.memory.background.add(p)
}
