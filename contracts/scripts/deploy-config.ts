/**
 * What `sibyl deploy` deploys, validated at start-up. Amounts are decimal strings of wei (JSON numbers lose
 * precision), times are seconds.
 */
import { z } from 'zod'
import { addressSchema } from '@sibyl/protocol/schema-parts'

const address = addressSchema
const wei = z
  .string()
  .regex(/^(0|[1-9][0-9]*)$/, 'expected a decimal integer string of wei')
  .transform((s) => BigInt(s))
const seconds = z.number().int().min(0).max(10 * 365 * 24 * 3600)
const positiveSeconds = seconds.min(1)
const bps = z.number().int().min(0).max(10_000)
const int192 = z
  .string()
  .regex(/^-?(0|[1-9][0-9]*)$/, 'expected a decimal integer string')
  .transform((s) => BigInt(s))

export const feedConfigSchema = z
  .object({
    description: z.string().min(1).max(100),
    decimals: z.number().int().min(0).max(36),
    minAnswer: int192,
    maxAnswer: int192,
    /** A value observed longer ago than this does not count in a round (FeedAggregator refuses it). */
    maxObservationAgeSec: positiveSeconds.default(3600),
  })
  .strict()
  .superRefine((feed, ctx) => {
    if (feed.minAnswer >= feed.maxAnswer) {
      ctx.addIssue({ code: 'custom', path: ['maxAnswer'], message: 'maxAnswer must be greater than minAnswer' })
    }
  })

/**
 * The scrutiny rule's confidence threshold (ResolutionOracle.contestConfidenceBps): an answer whose agreeing
 * members' median signed confidence is below it is contested. The devnet and the demo deploy with it.
 */
export const DEFAULT_CONTEST_CONFIDENCE_BPS = 7500

export const deployConfigSchema = z
  .object({
    /** An existing ERC-20 to stake and pay fees in; omitted = deploy Chainlink's LinkToken (local networks). */
    token: address.optional(),
    minStakeWei: wei.default(1000n * 10n ** 18n),
    unbondingDelaySec: seconds.default(14 * 24 * 3600),
    /** Staking's epoch: joining and leaving the operator set take effect at the next epoch. */
    epochLengthSec: positiveSeconds.default(3600),
    disputeWindowSec: seconds.default(2 * 3600),
    /** How long after a feed round its signed values can be accused; omitted = disputeWindowSec. */
    feedDisputeWindowSec: seconds.optional(),
    tooEarlyRetryDelaySec: seconds.default(3600),
    /**
     * Scrutiny (ResolutionOracle): a request is contested at this many dissenting epoch members. At least 2,
     * so one liar alone never is enough (the contract refuses less).
     */
    contestDissentMin: z.number().int().min(2).max(255).default(2),
    /** ... or when the agreeing members' median signed confidence is below this. */
    contestConfidenceBps: bps.default(DEFAULT_CONTEST_CONFIDENCE_BPS),
    /** A contested request's dispute window is disputeWindowSec times this (bounded: 1 to 10). */
    contestedWindowMultiplier: z.number().int().min(1).max(10).default(3),
    /** A request no quorum answered this long after resolveAfter can be expired (final -1, fee refunded). */
    requestTimeoutSec: positiveSeconds.default(7 * 24 * 3600),
    minFeeWei: wei.default(10n ** 17n),
    minBondWei: wei.default(100n * 10n ** 18n),
    votingPeriodSec: seconds.default(3 * 24 * 3600),
    slashBps: bps.default(5000),
    disputerRewardBps: bps.default(5000),
    /** Receives the slashed stake that is not the disputer's reward; omitted = the deployer. */
    treasury: address.optional(),
    /** Dispute council; omitted = the deployer alone (local networks only). */
    council: z.array(address).min(1).max(32).optional(),
    councilThreshold: z.number().int().min(1).max(32).optional(),
    /** Operators admitted to the set at deployment (Staking.admit); more are admitted by the owner later. */
    admittedOperators: z.array(address).max(64).default([]),
    feeds: z.array(feedConfigSchema).max(64).default([]),
  })
  .strict()
  .superRefine(function unbondingOutlastsDisputes(config, ctx) {
    // A node that signed a wrong answer must still be slashable when a dispute opens (and locks its stake);
    // DisputeGovernance's constructor refuses the same.
    // A contested request's window (disputeWindowSec x contestedWindowMultiplier) is the longest a resolution has.
    const feedWindow = config.feedDisputeWindowSec ?? config.disputeWindowSec
    const contestedWindow = config.disputeWindowSec * config.contestedWindowMultiplier
    const [name, window] =
      feedWindow > contestedWindow ? ['feedDisputeWindowSec', feedWindow] : ['disputeWindowSec x contestedWindowMultiplier', contestedWindow]
    if (config.unbondingDelaySec < window + config.votingPeriodSec) {
      ctx.addIssue({
        code: 'custom',
        path: ['unbondingDelaySec'],
        message: `must be at least ${name} + votingPeriodSec (${window + config.votingPeriodSec})`,
      })
    }
  })
  .superRefine(function councilThresholdIsAMajority(config, ctx) {
    const size = config.council?.length ?? 1
    const threshold = config.councilThreshold ?? Math.floor(size / 2) + 1
    if (threshold <= size / 2 || threshold > size) {
      ctx.addIssue({ code: 'custom', path: ['councilThreshold'], message: `must be a majority of the ${size} council members` })
    }
  })
  .superRefine(function feedDescriptionsUnique(config, ctx) {
    const seen = new Set<string>()
    config.feeds.forEach((feed, i) => {
      if (seen.has(feed.description)) {
        ctx.addIssue({ code: 'custom', path: ['feeds', i, 'description'], message: 'duplicate feed description' })
      }
      seen.add(feed.description)
    })
  })

export type DeployConfigInput = z.input<typeof deployConfigSchema>
export type DeployConfig = z.output<typeof deployConfigSchema>
