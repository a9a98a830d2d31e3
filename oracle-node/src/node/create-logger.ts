/** The pino JSON logger of a Sibyl service, with secrets redacted wherever they appear in a line. */
import { pino, type Logger } from 'pino'

/** Paths pino redacts wherever they appear in a log line. */
export const REDACTED_LOG_PATHS = ['privateKey', '*.privateKey', 'key', '*.key', 'password', '*.password', 'token', '*.token', 'seed', '*.seed', 'authorization', '*.authorization']

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent'

export function createLogger(level: LogLevel, bindings: Record<string, unknown>): Logger {
  return pino({ level, base: bindings, redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' } })
}
