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
  /** By feed id: the round last signed and when its value was observed; and each feed's maxObservationAgeSec. */
  const lastSigned = new Map<string, { round: number; observedAt: number }>()
  const maxAgeSec = new Map<string, number>()

  async function tickFeed(target: FeedTarget, chainTimeSec: number): Promise<FeedTickResult> {
    const log = deps.logger.child({ feed: target.spec.description })
    const value = await deps.readFeedValue(target.spec)
    if (!value.ok) return { feed: target.spec.description, action: 'failed', reason: value.reason }
    const latest = await latestRound(target.contract)
    const decision = shouldUpdateFeed(latest, value.value, chainTimeSec, target.spec)
    if (!decision.update) return { feed: target.spec.description, action: 'skipped', reason: `deviation ${decision.deviationBps} bps` }
    const round = (latest?.roundId ?? 0) + 1
    // One signed value per round while it is fresh; a round still open after half the feed's maximum age is
    // observed again (the earlier value would soon be refused as stale).
    if (!maxAgeSec.has(target.feedId)) maxAgeSec.set(target.feedId, Number(await target.contract.maxObservationAgeSec()))
    const previous = lastSigned.get(target.feedId)
    if (previous?.round === round && chainTimeSec - previous.observedAt < maxAgeSec.get(target.feedId)! / 2) {
      return { feed: target.spec.description, action: 'skipped', reason: 'already signed a fresh value for this round', round }
    }
    const domain = { chainId: deps.chainId, verifyingContract: target.address }
    // The value is signed with the time it was observed, on the chain's clock (FeedAggregator refuses values
    // older than its maxObservationAgeSec); the message carries it as observedAtMs = observedAt * 1000.
    const observedAt = chainTimeSec
    const signed = await signObservationSafely(deps, domain, {
      requestId: target.feedId,
      round,
      answer: value.value,
      observedAt,
      confidenceBps: value.confidenceBps,
      evidenceHash: value.evidenceHash,
      modelHash: value.modelHash,
    })
    if (signed.kind === 'refused') {
      // This node already signed another value for this round; it waits for the round to close.
      deps.metrics.refusals.inc({ reason: signed.reason })
      // A journal that cannot be written is a failure the operator must see (runFeeds logs failed rounds).
      if (signed.reason === 'store_write_failed') return { feed: target.spec.description, action: 'failed', reason: `journal: ${signed.detail}`, round }
      return { feed: target.spec.description, action: 'skipped', reason: 'already signed a value for this round', round }
    }
    lastSigned.set(target.feedId, { round, observedAt })
    deps.metrics.observationsSigned.inc({ kind: 'feed' })
    // The message's observation has no observedAt field (protocol/messages.ts); the signed time travels as
    // observedAtMs, from which the aggregator rebuilds what was signed.
    const { observedAt: _signedAt, ...observationFields } = signed.signed.observation
    const message = toObservationMessage('feed', domain, { ...signed.signed, observation: observationFields }, {
      modelId: value.modelId,
      observedAtMs: observedAt * 1000,
    })
    const ack = await publishObservation(deps.js, message)
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
