/**
 * Runs one on-chain command: opens the chain, runs its body, prints what it returns (text, or one JSON
 * object with --json) and maps failures to exit codes: 2 for a bad option (nothing was sent), 1 for a check
 * or a transaction that failed (the contract's custom error decoded by name).
 */
import { describeContractError } from '@sibyl/contracts/decode-error'
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, type CommandIo } from '../io.ts'
import { openChain, type Chain, type ChainValues } from './open-chain.ts'

/** What a command's body returns: a result to print, or an expected failure with its message. */
export type ChainOutcome =
  | { ok: true; result: Record<string, unknown>; text: string }
  | { ok: false; message: string; usage?: boolean; result?: Record<string, unknown> }

export type RunOnChainParameters = {
  name: string
  io: CommandIo
  values: ChainValues & { json?: boolean }
  keyEnvDefault: string
  needKey: boolean
  body: (chain: Chain) => Promise<ChainOutcome>
}

/** JSON with bigints as decimal strings (wei amounts exceed 2^53). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))
}

export async function runOnChain(parameters: RunOnChainParameters): Promise<number> {
  const { name, io, values } = parameters
  const opened = await openChain(values, io.env, { keyEnvDefault: parameters.keyEnvDefault, needKey: parameters.needKey })
  if (!opened.ok) {
    io.stderr.write(`sibyl ${name}: ${opened.message}\n`)
    return EXIT_USAGE
  }
  const { chain } = opened
  try {
    const outcome = await parameters.body(chain)
    if (!outcome.ok) {
      if (values.json) io.stdout.write(`${toJson({ ok: false, command: name, error: outcome.message, ...outcome.result })}\n`)
      io.stderr.write(`sibyl ${name}: ${outcome.message}\n`)
      return outcome.usage ? EXIT_USAGE : EXIT_FAILED
    }
    io.stdout.write(values.json ? `${toJson({ ok: true, command: name, ...outcome.result })}\n` : `${outcome.text}\n`)
    return EXIT_OK
  } catch (error) {
    io.stderr.write(`sibyl ${name}: ${describeContractError(error)}\n`)
    return EXIT_FAILED
  } finally {
    chain.close()
  }
}
