/**
 * The aggregator's configuration, parsed once at start-up by strict schemas; a bad config exits non-zero
 * naming the path of what is wrong. The key that pays for commits comes from the environment or a keystore.
 */
import { dirname, isAbsolute, resolve } from 'node:path'
import { z } from 'zod'
import { describeIssues } from '@sibyl/protocol/schema-parts'
import {
  ConfigError,
  chainConfigSchema,
  keySourceSchema,
  logConfigSchema,
  metricsEndpointSchema,
  natsConnectionFields,
  readConfigFile,
  resolveNatsPaths,
  serviceNameSchema,
} from '@sibyl/service-kit/config/config-parts'

const decimalString = z.string().regex(/^[0-9]+(\.[0-9]+)?$/, 'expected a decimal number as a string')

export const aggregatorConfigSchema = z
  .object({
    /** Names this instance in logs, metrics and round claims; unique among aggregators sharing a stream. */
    name: serviceNameSchema,
    /** Several URLs fail over: reads through a fallback provider, sends to the first that answers. */
    chain: chainConfigSchema({ confirmations: 0, pollIntervalMs: 1000 }),
    nats: z
      .object({
        ...natsConnectionFields,
        /** The durable consumer every aggregator of this deployment shares (one queue of work). */
        durableName: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/).default('sibyl-aggregator'),
        /** Messages in flight per aggregator; also the unacknowledged limit the server allows. */
        maxInFlight: z.number().int().min(1).max(10_000).default(256),
        ackWaitMs: z.number().int().min(1000).max(600_000).default(30_000),
      })
      .strict(),
    key: keySourceSchema,
    rounds: z
      .object({
        /** A round that has not reached quorum this long after its first observation is closed as "no quorum". */
        deadlineMs: z.number().int().min(100).max(3_600_000).default(60_000),
        /**
         * How long one aggregator's claim on a commit holds before another may take it over. Just before the
         * transaction is sent the claim is extended over the sender's whole give-up time (every fee bump and
         * the confirmations: commit/tx-sender.ts sendBudgetMs), so it never expires under a send in flight.
         */
        commitLeaseMs: z.number().int().min(1000).max(600_000).default(60_000),
        /**
         * Failed commit attempts before a round is marked "failed" (counted, logged). It is still tried again,
         * every maxCommitBackoffMs at most, until it lands or the chain shows the request settled.
         */
        maxCommitAttempts: z.number().int().min(1).max(20).default(5),
        /** Longest wait between two commit attempts of a round (the backoff doubles from 1 s up to this). */
        maxCommitBackoffMs: z.number().int().min(100).max(3_600_000).default(60_000),
        /** How often rounds are swept for deadlines, expired claims and commits left by a crash. */
        sweepIntervalMs: z.number().int().min(50).max(60_000).default(1000),
        /** Rounds committed at once. */
        maxConcurrentCommits: z.number().int().min(1).max(256).default(16),
      })
      .strict()
      .default({ deadlineMs: 60_000, commitLeaseMs: 60_000, maxCommitAttempts: 5, maxCommitBackoffMs: 60_000, sweepIntervalMs: 1000, maxConcurrentCommits: 16 }),
    outliers: z
      .object({
        /** MAD multiplier x1000 for numeric rounds. */
        madMultiplierMilli: z.number().int().min(1000).max(100_000).default(3000),
        /** Deviations within this share of the median are never outliers (MAD can be 0). */
        minDeviationBps: z.number().int().min(0).max(10_000).default(50),
      })
      .strict()
      .default({ madMultiplierMilli: 3000, minDeviationBps: 50 }),
    transactions: z
      .object({
        /** A transaction not mined in this long is sent again with higher fees (same nonce). */
        stuckAfterMs: z.number().int().min(500).max(600_000).default(15_000),
        /** Each replacement raises both fees by this much; nodes require at least 10%. */
        feeBumpPercent: z.number().int().min(10).max(500).default(25),
        maxFeeBumps: z.number().int().min(0).max(10).default(3),
        /** Refuse to pay more than this per gas (gwei), whatever the network asks. */
        maxFeePerGasGwei: decimalString.default('500'),
        /** Multiplier on estimated gas, in percent. */
        gasLimitPercent: z.number().int().min(100).max(300).default(125),
      })
      .strict()
      .default({ stuckAfterMs: 15_000, feeBumpPercent: 25, maxFeeBumps: 3, maxFeePerGasGwei: '500', gasLimitPercent: 125 }),
    /** Finalizing answers whose dispute window has passed (finality/finalize-due-requests.ts). */
    finality: z
      .object({
        enabled: z.boolean().default(true),
        /** Seconds after the window's end before this aggregator finalizes: stagger several aggregators. */
        delaySec: z.number().int().min(0).max(86_400).default(0),
        maxPerSweep: z.number().int().min(1).max(256).default(16),
        /** Requests whose callback gas limit is above this are left to others (a callback burning 1M gas is paid by the sender). */
        maxCallbackGas: z.number().int().min(0).max(1_000_000).default(300_000),
      })
      .strict()
      .default({ enabled: true, delaySec: 0, maxPerSweep: 16, maxCallbackGas: 300_000 }),
    metrics: metricsEndpointSchema,
    log: logConfigSchema,
    /**
     * How long a stop waits for the messages, commits and reports in flight before it lets go of NATS and the
     * chain (with either gone for good that work never ends); what it cuts short the next start takes over.
     * Under the 30 s most service managers allow between SIGTERM and SIGKILL, with the 5 s NATS drain after it.
     */
    stopGraceMs: z.number().int().min(0).max(600_000).default(20_000),
  })
  .strict()

export type AggregatorConfig = z.infer<typeof aggregatorConfigSchema>
export type AggregatorConfigInput = z.input<typeof aggregatorConfigSchema>

/** Reads YAML or JSON; relative paths in the file are relative to the file. */
export function loadAggregatorConfig(path: string): AggregatorConfig {
  return resolveAggregatorConfig(readConfigFile(path, 'aggregator config'), dirname(resolve(path)), path)
}

export function resolveAggregatorConfig(raw: unknown, baseDir: string, label = 'aggregator config'): AggregatorConfig {
  const parsed = aggregatorConfigSchema.safeParse(raw)
  if (!parsed.success) {
    throw new ConfigError(`The ${label} is invalid.`, { metaMessages: describeIssues(parsed.error) })
  }
  const config = parsed.data
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p))
  return {
    ...config,
    chain: { ...config.chain, deploymentFile: abs(config.chain.deploymentFile) },
    nats: resolveNatsPaths(config.nats, abs),
    ...(config.key.source === 'keystore' ? { key: { ...config.key, path: abs(config.key.path) } } : {}),
  }
}
