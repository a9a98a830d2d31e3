import type { ExecutionContext } from 'ava'
import { revertsWith } from './reverts.ts'

/**
 * Asserts the promise fails with the named custom error and, where given, with exactly these arguments
 * (addresses checksummed, integers as bigint), so a test pins which index, signer or bound tripped.
 */
export async function revertsWithArgs(
  t: ExecutionContext,
  promise: Promise<unknown>,
  errorName: string,
  expectedArgs?: readonly unknown[],
): Promise<void> {
  const args = await revertsWith(t, promise, errorName)
  if (expectedArgs === undefined || args === undefined) return
  t.deepEqual([...args], [...expectedArgs], `${errorName} arguments`)
}
