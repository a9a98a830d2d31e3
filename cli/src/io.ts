import { parseArgs, type ParseArgsConfig } from 'node:util'

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>

/** What a command may touch of the process: passed in, so tests run commands in-process. */
export type CommandIo = {
  stdout: { write: (s: string) => unknown }
  stderr: { write: (s: string) => unknown }
  env: Record<string, string | undefined>
}

/** Exit codes: 0 done, 1 failed while running, 2 bad usage or config (nothing was done). */
export const EXIT_OK = 0
export const EXIT_FAILED = 1
export const EXIT_USAGE = 2

export type Command = {
  name: string
  summary: string
  usage: string
  run: (args: string[], io: CommandIo) => Promise<number>
}

/**
 * Parses a command's options (with --help added). Returns the values, or the exit code when the command is
 * already answered: usage printed for --help (0) or for a parse error (2).
 */
export function parseCommandArgs<T extends ParseArgsOptionsConfig>(
  args: string[],
  options: T,
  usage: string,
  io: CommandIo,
): { values: ParsedValues<T> } | { exitCode: number } {
  let values: ParsedValues<T> & { help?: boolean }
  try {
    values = parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true }).values as ParsedValues<T> & {
      help?: boolean
    }
  } catch (error) {
    io.stderr.write(`${(error as Error).message}\n\n${usage}`)
    return { exitCode: EXIT_USAGE }
  }
  if (values.help) {
    io.stdout.write(usage)
    return { exitCode: EXIT_OK }
  }
  return { values }
}

type ParsedValues<T extends ParseArgsOptionsConfig> = { [K in keyof T]?: T[K]['type'] extends 'boolean' ? boolean : string }

/** Resolves on the first SIGINT or SIGTERM: a long-running command then stops its service cleanly. */
export function waitForShutdownSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve())
    process.once('SIGTERM', () => resolve())
  })
}
