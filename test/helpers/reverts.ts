import type { ExecutionContext } from 'ava'
import { decodeContractError } from '@sibyl/contracts/decode-error'

/** Asserts the promise fails with the named custom error and returns its decoded arguments. */
export async function revertsWith(t: ExecutionContext, promise: Promise<unknown>, errorName: string) {
  try {
    await promise
  } catch (error) {
    const decoded = decodeContractError(error)
    t.is(decoded?.name, errorName, `expected ${errorName}, got ${decoded?.name ?? (error as Error).message.slice(0, 200)}`)
    return decoded?.args
  }
  t.fail(`expected a revert with ${errorName}, but the call succeeded`)
  return undefined
}
