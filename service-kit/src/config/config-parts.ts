/** Schema parts and file reading shared by the node's and the aggregator's configs. */
import { readFileSync } from 'node:fs'
import { parse as parseYaml } from 'yaml'
import { z } from 'zod'
import { BaseError } from '@sibyl/protocol/errors'

export class ConfigError extends BaseError {
  override name = 'ConfigError' as const
}

export function urlSchema(protocols: readonly string[]) {
  return z.string().refine((s) => {
    try {
      return protocols.includes(new URL(s).protocol)
    } catch {
      return false
    }
  }, `expected a ${protocols.join(' or ')} URL`)
}

export const envNameSchema = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'expected an environment variable name')

export const keySourceSchema = z.discriminatedUnion('source', [
  z.object({ source: z.literal('env'), env: envNameSchema }).strict(),
  z.object({ source: z.literal('keystore'), path: z.string().min(1), passwordEnv: envNameSchema }).strict(),
])

/** YAML or JSON (by extension), not yet validated. */
export function readConfigFile(path: string, what: string): unknown {
  try {
    const text = readFileSync(path, 'utf8')
    return path.endsWith('.json') ? JSON.parse(text) : parseYaml(text)
  } catch (cause) {
    throw new ConfigError(`Cannot read the ${what} ${path}.`, { cause })
  }
}

/** A service's name in logs, metrics and NATS: letters, digits, _ . - (1-64). */
export const serviceNameSchema = z.string().regex(/^[a-zA-Z0-9_.-]{1,64}$/, 'letters, digits, _ . - (1-64)')

/** The chain section every service has; each service picks its own defaults. */
export function chainConfigSchema(defaults: { confirmations: number; pollIntervalMs: number }) {
  return z
    .object({
      /** 1-8 JSON-RPC URLs; several fail over. */
      rpcUrls: z.array(urlSchema(['http:', 'https:', 'ws:', 'wss:'])).min(1).max(8),
      /** The address file written by `sibyl deploy`. */
      deploymentFile: z.string().min(1),
      /** Events are read this many blocks behind the head. */
      confirmations: z.number().int().min(0).max(256).default(defaults.confirmations),
      pollIntervalMs: z.number().int().min(50).max(60_000).default(defaults.pollIntervalMs),
      /** Largest eth_getLogs range per call; providers cap it. */
      maxBlockRange: z.number().int().min(1).max(100_000).default(2000),
      requestTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
    })
    .strict()
}

/**
 * Where a service reaches NATS and who it is there. A secured deployment (made by `sibyl nats init`) gives each
 * component a `.creds` file (its user JWT and nkey seed; mode 0600; never logged) and the CA that signed the
 * servers' certificates. List every server of the cluster: the client fails over between them.
 */
export const natsConnectionFields = {
  servers: z.array(urlSchema(['nats:', 'tls:', 'ws:', 'wss:'])).min(1).max(16),
  /** The component's `.creds` file (relative to the config file). */
  credentialsFile: z.string().min(1).optional(),
  /** TLS: the CA to check the servers against; a client certificate and key where servers ask for one. */
  tls: z
    .object({ caFile: z.string().min(1), certFile: z.string().min(1).optional(), keyFile: z.string().min(1).optional() })
    .strict()
    .refine((t) => (t.certFile === undefined) === (t.keyFile === undefined), 'certFile and keyFile go together')
    .optional(),
  /** Legacy: the environment variable holding one shared token (an unsecured server). */
  tokenEnv: envNameSchema.optional(),
}

type NatsConnectionConfig = {
  credentialsFile?: string | undefined
  tls?: { caFile: string; certFile?: string | undefined; keyFile?: string | undefined } | undefined
  tokenEnv?: string | undefined
}

/** The NATS section with its file paths made absolute (relative ones are relative to the config file). */
export function resolveNatsPaths<T extends NatsConnectionConfig>(nats: T, abs: (path: string) => string): T {
  return {
    ...nats,
    ...(nats.credentialsFile ? { credentialsFile: abs(nats.credentialsFile) } : {}),
    ...(nats.tls
      ? {
          tls: {
            caFile: abs(nats.tls.caFile),
            ...(nats.tls.certFile ? { certFile: abs(nats.tls.certFile) } : {}),
            ...(nats.tls.keyFile ? { keyFile: abs(nats.tls.keyFile) } : {}),
          },
        }
      : {}),
  }
}

/** What `connectNats` takes from a service's NATS section and environment (the token, when one is configured). */
export function natsAuthFromConfig(nats: NatsConnectionConfig, env: Record<string, string | undefined>) {
  return {
    ...(nats.credentialsFile ? { credentialsFile: nats.credentialsFile } : {}),
    ...(nats.tls ? { tls: { caFile: nats.tls.caFile, ...(nats.tls.certFile ? { certFile: nats.tls.certFile } : {}), ...(nats.tls.keyFile ? { keyFile: nats.tls.keyFile } : {}) } } : {}),
    ...(nats.tokenEnv && env[nats.tokenEnv] ? { token: env[nats.tokenEnv]! } : {}),
  }
}

/** Where a service serves its Prometheus metrics; absent = not served. */
export const metricsEndpointSchema = z
  .object({ host: z.string().default('127.0.0.1'), port: z.number().int().min(0).max(65_535) })
  .strict()
  .optional()

export const logConfigSchema = z
  .object({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info') })
  .strict()
  .default({ level: 'info' })
