/**
 * revertsWith for the interop contracts: the shared decoder knows the core contracts' errors, these tests need
 * the adapters' and facades' own (their factories' interfaces are passed in).
 */
import type { ExecutionContext } from 'ava'
import type { Interface } from 'ethers'
import { decodeContractError, revertDataOf } from '@sibyl/contracts/decode-error'

/** Asserts the promise fails with the named custom error of `iface` (or of a core contract) and returns its arguments. */
export async function revertsWithError(t: ExecutionContext, promise: Promise<unknown>, iface: Interface, errorName: string) {
  try {
    await promise
  } catch (error) {
    const data = revertDataOf(error)
    const decoded = (data ? iface.parseError(data) : null) ?? decodeContractError(error)
    t.is(decoded?.name, errorName, `expected ${errorName}, got ${decoded?.name ?? (error as Error).message.slice(0, 200)}`)
    return decoded?.args
  }
  t.fail(`expected a revert with ${errorName}, but the call succeeded`)
  return undefined
}
