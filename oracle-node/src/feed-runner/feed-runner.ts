/**
 * Numeric feeds on their schedule: each tick, read the feed's value from its sources, compare it with the
 * FeedAggregator's latest round, and when the deviation threshold or the heartbeat says so, sign the value
 * for the next round (through slashing protection) and publish it for the aggregator to transmit.
 */
import type { JetStreamClient } from '@nats-io/jetstream'
import type { Signer } from 'ethers'
import type { Logger } from 'pino'
import { toObservationMessage } from '@sibyl/protocol/messages'
import type { FeedSpec } from '@sibyl/protocol/question-spec'
import type { FeedAggregator } from '@sibyl/contracts/typechain'
import type { NodeMetrics } from '../metrics/node-metrics.ts'
import { publishObservation } from '../transport/publish-observation.ts'
import { signObservationSafely } from '../signing/sign-observation-safely.ts'
import type { SigningJournal } from '../signing/signing-journal.ts'
import { shouldUpdateFeed, type FeedLatest } from './should-update-feed.ts'

export type FeedValue =
  | { ok: true; value: bigint; confidenceBps: number; evidenceHash: string; modelId: string; modelHash: string }
  | { ok: false; reason: string }

export type FeedTarget = { spec: FeedSpec; feedId: string; contract: FeedAggregator; address: string }

export type FeedRunnerDeps = {
  signer: Signer
  journal: SigningJournal
  js: JetStreamClient
  metrics: NodeMetrics
  logger: Logger
  nowMs: () => number
  chainId: bigint
  readFeedValue: (spec: FeedSpec) => Promise<FeedValue>
}

async function latestRound(feed: FeedAggregator): Promise<FeedLatest> {
  // latestRoundData reverts (NoDataPresent) before the first round, so the id is read first.
  if ((await feed.latestRoundId()) === 0n) return undefined
  const { roundId, answer, updatedAt } = await feed.latestRoundData()
  return { roundId: Number(roundId), answer, updatedAtSec: Number(updatedAt) }
}

export type FeedTickResult = { feed: string; action: 'published' | 'skipped' | 'failed'; reason: string; round?: number }

export function createFeedRunner(deps: FeedRunnerDeps, feeds: readonly FeedTarget[]) {
  async function tickFeed(target: FeedTarget, chainTimeSec: number): Promise<FeedTickResult> {
    const log = deps.logger.child({ feed: target.spec.description })
    const value = await deps.readFeedValue(target.spec)
    if (!value.ok) return { feed: target.spec.description, action: 'failed', reason: value.reason }
    const latest = await latestRound(target.contract)
    const decision = shouldUpdateFeed(latest, value.value, chainTimeSec, target.spec)
    if (!decision.update) return { feed: target.spec.description, action: 'skipped', reason: `deviation ${decision.deviationBps} bps` }
    const round = (latest?.roundId ?? 0) + 1
    const domain = { chainId: deps.chainId, verifyingContract: target.address }
    const signed = await signObservationSafely(deps, domain, {
      requestId: target.feedId,
      round,
      answer: value.value,
      confidenceBps: value.confidenceBps,
      evidenceHash: value.evidenceHash,
      modelHash: value.modelHash,
    })
    if (signed.kind === 'refused') {
      // This node already signed another value for this round; it waits for the round to close.
      deps.metrics.refusals.inc({ reason: signed.reason })
      return { feed: target.spec.description, action: 'skipped', reason: 'already signed a value for this round', round }
    }
    deps.metrics.observationsSigned.inc({ kind: 'feed' })
    const ack = await publishObservation(deps.js, toObservationMessage('feed', domain, signed.signed, { modelId: value.modelId, observedAtMs: deps.nowMs() }))
    if (!ack.ok) {
      deps.metrics.publishErrors.inc()
      return { feed: target.spec.description, action: 'failed', reason: `publish: ${ack.error}`, round }
    }
    deps.metrics.published.inc({ duplicate: String(ack.duplicate) })
    log.info({ round, value: value.value.toString(), reason: decision.reason }, 'feed value published')
    return { feed: target.spec.description, action: 'published', reason: decision.reason, round }
  }

  return {
    async tick(chainTimeSec: number): Promise<FeedTickResult[]> {
      const results = await Promise.allSettled(feeds.map((f) => tickFeed(f, chainTimeSec)))
      return results.map((r, i) =>
        r.status === 'fulfilled' ? r.value : { feed: feeds[i]!.spec.description, action: 'failed' as const, reason: String(r.reason) },
      )
    },
  }
}
