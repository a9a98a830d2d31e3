/**
 * The aggregator: verifies observations, keeps each round in a shared durable record, and commits a round
 * once its observations make a quorum. It is trusted by nobody: the contract re-checks every signature,
 * signer and the quorum, so the worst a faulty aggregator can do is fail to commit.
 *
 * Exactly once. Any number of aggregators share the work (one durable consumer) and the round records
 * (JetStream KV, compare-and-set). Before committing, an aggregator claims the round with a lease; before
 * sending, it reads the request on-chain and simulates the call. A round already committed, by itself
 * before a crash or by another aggregator, is seen there and left quietly. The contract is the last line:
 * commitReport reverts RequestNotOpen and transmit reverts StaleRound for a second commit.
 *
 * Crash safety. A message is acknowledged only after its observation is in the round record; a claim that
 * outlives its aggregator expires and the next sweep (of any aggregator) takes the round over.
 *
 * This file only wires the phases, each in its own file under phases/ over one shared state object
 * (phases/context.ts): intake, chain reads, consensus (decide-round), advance-round, commit, reports, sweep.
 */
import { getAddress, type ContractRunner } from 'ethers'
import type { JetStreamClient } from '@nats-io/jetstream'
import type { Logger } from 'pino'
import type { AggregatorMetrics } from './metrics/aggregator-metrics.ts'
import type { OperatorRegistry } from './registry/operator-registry.ts'
import type { RoundStore } from './rounds/round-store.ts'
import { advanceRound } from './phases/advance-round.ts'
import { createChainReads, type ChainReads } from './phases/chain-reads.ts'
import { waitForCommits } from './phases/commit.ts'
import { createAggregatorMemory, feedsByAddressOf, type AggregatorContext, type AggregatorOptions, type CommitProvider, type CommitSender } from './phases/context.ts'
import { handleObservation, type HandleResult } from './phases/intake.ts'
import { sweep } from './phases/sweep.ts'

export type AggregatorDeps = {
  /** Reads, simulations and gas estimates (an ethers Provider). */
  provider: CommitProvider & ContractRunner
  sender: CommitSender
  store: RoundStore
  js: Pick<JetStreamClient, 'publish'>
  registry: OperatorRegistry
  metrics: AggregatorMetrics
  logger: Logger
  nowMs: () => number
  /** Chain reads other than through `provider` (tests). */
  chain?: ChainReads
  /** One reader per configured RPC URL, for final decisions; just `chain` when absent. */
  confirmViews?: readonly ChainReads[]
}

export type Aggregator = {
  handleMessage: (data: Uint8Array) => Promise<HandleResult>
  sweep: () => Promise<void>
  /** Waits for commits, reports and closings in flight. */
  idle: () => Promise<void>
}

export function createAggregator(deps: AggregatorDeps, options: AggregatorOptions): Aggregator {
  const oracleAddress = getAddress(options.deployment.contracts.resolutionOracle)
  const chain = deps.chain ?? createChainReads({ runner: deps.provider, oracleAddress })
  const ctx: AggregatorContext = {
    store: deps.store,
    registry: deps.registry,
    metrics: deps.metrics,
    logger: deps.logger,
    nowMs: deps.nowMs,
    chain,
    confirmViews: deps.confirmViews ?? [chain],
    provider: deps.provider,
    sender: deps.sender,
    publishReport: async (subject, data, msgID) => {
      const ack = await deps.js.publish(subject, data, { msgID })
      return { duplicate: ack.duplicate }
    },
    options,
    chainId: BigInt(options.deployment.chainId),
    oracleAddress,
    feedsByAddress: feedsByAddressOf(options.feeds),
    memory: createAggregatorMemory(),
    advance: (roundKey, record) => advanceRound(ctx, roundKey, record),
  }
  return {
    handleMessage: (data) => handleObservation(ctx, data),
    sweep: () => sweep(ctx),
    idle: () => waitForCommits(ctx),
  }
}
