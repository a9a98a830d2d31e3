/**
 * The life of a request, mirrored from ResolutionOracle.Status (the enum's order is its ABI encoding:
 * None = 0 … Finalized = 4). Defined once here; every TypeScript reader of `getRequest().status` uses it.
 */
export const REQUEST_STATUS = { None: 0n, Open: 1n, Committed: 2n, Disputed: 3n, Finalized: 4n } as const

export type RequestStatusName = keyof typeof REQUEST_STATUS

/** The name of a status value read from the chain; undefined for a value the contract never stores. */
export function requestStatusName(value: bigint | number): RequestStatusName | undefined {
  const v = BigInt(value)
  return (Object.keys(REQUEST_STATUS) as RequestStatusName[]).find((name) => REQUEST_STATUS[name] === v)
}
