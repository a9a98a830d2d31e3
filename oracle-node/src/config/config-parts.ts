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
