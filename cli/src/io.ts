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
