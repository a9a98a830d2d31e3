/**
 * The explorer's configuration (`sibyl explorer --config FILE`), parsed once at start-up by strict schemas like
 * every other role's; a bad config exits non-zero naming the path of what is wrong. It holds no key: the
 * explorer only reads, the chain over JSON-RPC and the bus as a read-only (`reader`) identity.
 */
import { readFileSync } from 'node:fs'
import { dirname, isAbsolute, resolve } from 'node:path'
import { z } from 'zod'
import { describeIssues } from '@sibyl/protocol/schema-parts'
import { feedSpecSchema, type FeedSpec } from '@sibyl/protocol/question-spec'
import { chainConfigSchema, ConfigError, logConfigSchema, natsConnectionFields, readConfigFile, resolveNatsPaths, serviceNameSchema } from '@sibyl/service-kit/config/config-parts'

export const explorerConfigSchema = z
  .object({
    name: serviceNameSchema.default('explorer'),
    /** Events are read `confirmations` blocks behind the head (0 on a devnet; a public chain needs its finality depth). */
    chain: chainConfigSchema({ confirmations: 0, pollIntervalMs: 1000 }),
    /** The bus, as the read-only identity (`sibyl nats add --role reader`): its creds file and the CA. */
    nats: z.object({ ...natsConnectionFields }).strict(),
    http: z
      .object({
        /** Loopback by default: put a reverse proxy with TLS in front to publish it. */
        host: z.string().min(1).max(255).default('127.0.0.1'),
        port: z.number().int().min(0).max(65_535).default(8080),
      })
      .strict()
      .default({ host: '127.0.0.1', port: 8080 }),
    /** The built web app; default explorer/dist (`npm run build`). */
    staticDir: z.string().min(1).optional(),
    /** Feed spec files (feeds/*.json): the deviation threshold and heartbeat shown per feed, which the chain does not store. */
    feeds: z.array(z.string().min(1)).max(256).default([]),
    log: logConfigSchema,
  })
  .strict()

export type ExplorerConfig = z.infer<typeof explorerConfigSchema> & { feedSpecs: FeedSpec[] }

/** Reads YAML or JSON; relative paths in the file are relative to the file. */
export function loadExplorerConfig(path: string): ExplorerConfig {
  return resolveExplorerConfig(readConfigFile(path, 'explorer config'), dirname(resolve(path)), path)
}

export function resolveExplorerConfig(raw: unknown, baseDir: string, label = 'explorer config'): ExplorerConfig {
  const parsed = explorerConfigSchema.safeParse(raw)
  if (!parsed.success) throw new ConfigError(`The ${label} is invalid.`, { metaMessages: describeIssues(parsed.error) })
  const config = parsed.data
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p))
  const feedSpecs = config.feeds.map((file, i) => {
    let raw: unknown
    try {
      raw = JSON.parse(readFileSync(abs(file), 'utf8'))
    } catch (cause) {
      throw new ConfigError(`The ${label} is invalid.`, { metaMessages: [`feeds.${i}: cannot read ${abs(file)}`], cause })
    }
    const spec = feedSpecSchema.safeParse(raw)
    if (!spec.success) throw new ConfigError(`The ${label} is invalid.`, { metaMessages: [`feeds.${i}: ${abs(file)} is not a feed spec`, ...describeIssues(spec.error)] })
    return spec.data
  })
  return {
    ...config,
    chain: { ...config.chain, deploymentFile: abs(config.chain.deploymentFile) },
    nats: resolveNatsPaths(config.nats, abs),
    ...(config.staticDir ? { staticDir: abs(config.staticDir) } : {}),
    feeds: config.feeds.map(abs),
    feedSpecs,
  }
}
