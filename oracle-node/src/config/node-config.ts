/**
 * The oracle node's configuration: parsed once at start-up by strict schemas. A bad config exits non-zero
 * naming the path of what is wrong. Secrets are never in the file: the key comes from an environment
 * variable or an encrypted keystore whose password is in one.
 */
import { dirname, isAbsolute, resolve } from 'node:path'
import { z } from 'zod'
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
import { describeIssues } from '@sibyl/protocol/schema-parts'

export { ConfigError, keySourceSchema }

export const nodeConfigSchema = z
  .object({
    name: serviceNameSchema,
    chain: chainConfigSchema({ confirmations: 2, pollIntervalMs: 2000 }),
    nats: z.object(natsConnectionFields).strict(),
    key: keySourceSchema,
    /** Where the signing journal and the chain cursor live. Must survive restarts. */
    stateDir: z.string().min(1),
    questionTypes: z.array(z.enum(['text', 'sports.winner', 'numeric.threshold'])).min(1).default(['text', 'sports.winner', 'numeric.threshold']),
    sources: z
      .object({
        /** Only for local demos and tests: lets the node fetch loopback and private addresses. */
        allowPrivateAddresses: z.boolean().default(false),
        timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
        maxBytes: z.number().int().min(1024).max(50 * 1024 * 1024).default(5 * 1024 * 1024),
        maxRedirects: z.number().int().min(0).max(10).default(5),
        retries: z.number().int().min(0).max(5).default(2),
        perHostConcurrency: z.number().int().min(1).max(64).default(4),
      })
      .strict()
      .default({ allowPrivateAddresses: false, timeoutMs: 10_000, maxBytes: 5 * 1024 * 1024, maxRedirects: 5, retries: 2, perHostConcurrency: 4 }),
    model: z
      .object({
        /** Local models folder (transformers.js layout); tried first. */
        modelsDir: z.string().min(1).optional(),
        embeddingModel: z.string().min(1).default('google/universal-sentence-encoder-lite'),
        /** Reach the Hugging Face hub for models not found locally. */
        allowRemoteModels: z.boolean().default(false),
        device: z.enum(['cpu', 'cuda', 'auto']).default('auto'),
        batchSize: z.number().int().min(1).max(1024).default(32),
        /** Sentence and word vectors kept in memory (2 KiB each); 0 turns the cache off. */
        embeddingCacheEntries: z.number().int().min(0).max(1_000_000).default(20_000),
        /** Below this the node answers "unresolvable" rather than guess. */
        minConfidenceBps: z.number().int().min(0).max(10_000).default(6000),
        /**
         * The text judge: "builtin" (the trained pair judge shipped with the node), or the id of a Hugging Face NLI
         * cross-encoder / zero-shot model in the transformers.js layout, found in modelsDir (or on the hub when
         * allowRemoteModels), e.g. "Xenova/nli-deberta-v3-xsmall". The signed modelHash names it.
         */
        judge: z
          .string()
          .regex(/^(builtin|[A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*)$/, 'model.judge must be "builtin" or a model id "<org>/<name>"')
          .default('builtin'),
      })
      .strict()
      .default({ embeddingModel: 'google/universal-sentence-encoder-lite', allowRemoteModels: false, device: 'auto', batchSize: 32, embeddingCacheEntries: 20_000, minConfidenceBps: 6000, judge: 'builtin' }),
    /**
     * Where the node's heavy work runs (page parsing, the sentence encoder, the pair judge): "process", a child
     * process per worker, which shares no lock with the event loop (the 100 ms bound holds on an oversubscribed
     * machine); or "thread", worker threads in the node's process (less memory; the loop can stall on Node.js's
     * own mutexes while a preempted worker holds one).
     */
    workers: z
      .object({ isolation: z.enum(['process', 'thread']).default('process') })
      .strict()
      .default({ isolation: 'process' }),
    metrics: metricsEndpointSchema,
    log: logConfigSchema,
    /**
     * How long a stop waits for the question or feed round in hand (its publishes retry while NATS is away)
     * before it lets go of NATS, the journal and the chain. What it cuts short is journaled: the next start
     * publishes it again and never signs anything else for it.
     */
    stopGraceMs: z.number().int().min(0).max(600_000).default(10_000),
    /** Feed spec files (JSON, feedSpecSchema) this node reports; each must be a feed of the deployment. */
    feeds: z.array(z.string().min(1)).max(64).default([]),
    /**
     * This operator's news sources and credibility table for discovery questions (question-spec.ts `discover`):
     * the sources are read only when a spec sets useOperatorSources, and are listed in the evidence bundle; a
     * spec's own credibility entries override these. Hosts are lower-case names, weights 0 (muted) to 100.
     */
    discovery: z
      .object({
        sources: z
          .array(z.object({ url: z.url({ protocol: /^https?$/ }).max(2048), kind: z.enum(['feed', 'sitemap']).default('feed') }).strict())
          .max(16)
          .default([]),
        credibility: z
          .record(z.string().regex(/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/, 'expected a lower-case host name'), z.number().int().min(0).max(100))
          .refine((r) => Object.keys(r).length <= 256, 'at most 256 hosts')
          .default({}),
        /** Articles read per question at most, whatever a spec asks (≤ 200). */
        maxArticles: z.number().int().min(1).max(200).default(200),
        /** One deadline for a question's feeds, articles and their page work. */
        timeMs: z.number().int().min(1000).max(120_000).default(30_000),
      })
      .strict()
      .default({ sources: [], credibility: {}, maxArticles: 200, timeMs: 30_000 }),
    /** Requests resolved at once; bounds memory and load on sources. */
    maxConcurrentRequests: z.number().int().min(1).max(64).default(4),
    /**
     * A question that produced nothing to sign (every source failed) is tried again after baseMs, doubling per
     * failure up to maxMs, and never given up while its request is open.
     */
    questionRetry: z
      .object({
        baseMs: z.number().int().min(100).max(3_600_000).default(10_000),
        maxMs: z.number().int().min(1000).max(86_400_000).default(600_000),
      })
      .strict()
      .refine((r) => r.maxMs >= r.baseMs, { message: 'maxMs must be at least baseMs', path: ['maxMs'] })
      .default({ baseMs: 10_000, maxMs: 600_000 }),
  })
  .strict()

export type NodeConfig = z.infer<typeof nodeConfigSchema>

/** Reads YAML or JSON; relative paths in the file are relative to the file. */
export function loadNodeConfig(path: string): NodeConfig {
  const raw = readConfigFile(path, 'node config')
  const parsed = nodeConfigSchema.safeParse(raw)
  if (!parsed.success) {
    throw new ConfigError(`The node config ${path} is invalid.`, {
      metaMessages: describeIssues(parsed.error),
    })
  }
  const base = dirname(resolve(path))
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(base, p))
  const config = parsed.data
  return {
    ...config,
    chain: { ...config.chain, deploymentFile: abs(config.chain.deploymentFile) },
    nats: resolveNatsPaths(config.nats, abs),
    stateDir: abs(config.stateDir),
    feeds: config.feeds.map(abs),
    model: { ...config.model, ...(config.model.modelsDir ? { modelsDir: abs(config.model.modelsDir) } : {}) },
    ...(config.key.source === 'keystore' ? { key: { ...config.key, path: abs(config.key.path) } } : {}),
  }
}
