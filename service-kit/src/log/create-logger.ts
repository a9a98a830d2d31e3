/**
 * The pino JSON logger of a Sibyl service. Secrets are redacted by what they are (private keys, passwords,
 * tokens, seeds, mnemonics, credentials, authorization headers) wherever they appear in a line, top level or
 * one and two levels down; ordinary fields such as a round's `key` are never touched.
 */
import { pino, type DestinationStream, type Logger } from 'pino'

/** Field names that hold secrets. Matched exactly (pino redaction), so `key` or `keys` stay visible. */
export const SECRET_FIELD_NAMES = [
  'privateKey',
  'signingKey',
  'password',
  'passphrase',
  'token',
  'authToken',
  'seed',
  'nkeySeed',
  'mnemonic',
  'secret',
  'credentials',
  'creds',
  'authorization',
  'apiKey',
] as const

/** Paths pino redacts: each secret name at the top level and one or two objects deep. */
export const REDACTED_LOG_PATHS = SECRET_FIELD_NAMES.flatMap((name) => [name, `*.${name}`, `*.*.${name}`])

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent'

export type CreateLoggerParameters = {
  level: LogLevel
  /** Fields on every line (service, name, signer). */
  bindings: Record<string, unknown>
  /** Where lines go; standard output when absent (a file stream, or the demo's own view). */
  destination?: DestinationStream
}

export function createLogger({ level, bindings, destination }: CreateLoggerParameters): Logger {
  const options = { level, base: bindings, redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' } }
  return destination ? pino(options, destination) : pino(options)
}
