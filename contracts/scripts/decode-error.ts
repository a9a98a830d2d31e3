/**
 * Names the custom error behind a failed call. ethers decodes errors for Contract calls but not for a
 * transaction that fails while its gas is estimated, which is where most reverts surface; this looks up
 * the selector in every Sibyl ABI (an error may bubble up from Staking through the oracle).
 */
import type { ErrorDescription, Interface } from 'ethers'
import {
  DisputeGovernance__factory,
  FeedAggregator__factory,
  FeedProxy__factory,
  LinkToken__factory,
  PredictionMarket__factory,
  ResolutionOracle__factory,
  Staking__factory,
} from '../generated/typechain/index.ts'

const interfaces: readonly Interface[] = [
  Staking__factory,
  ResolutionOracle__factory,
  DisputeGovernance__factory,
  FeedAggregator__factory,
  FeedProxy__factory,
  PredictionMarket__factory,
  LinkToken__factory,
].map((factory) => factory.createInterface())

/** The revert data inside an ethers error, wherever the provider put it. */
export function revertDataOf(error: unknown): string | undefined {
  const seen = new Set<unknown>()
  let current: unknown = error
  for (let depth = 0; depth < 6 && current && typeof current === 'object' && !seen.has(current); depth++) {
    seen.add(current)
    const e = current as { data?: unknown; info?: { error?: { data?: unknown } }; error?: unknown; cause?: unknown }
    for (const candidate of [e.data, e.info?.error?.data]) {
      if (typeof candidate === 'string' && /^0x[0-9a-fA-F]{8}/.test(candidate)) return candidate
    }
    current = e.error ?? e.cause
  }
  return undefined
}

export function decodeContractError(error: unknown): ErrorDescription | undefined {
  const data = revertDataOf(error)
  if (!data) return undefined
  for (const iface of interfaces) {
    try {
      const parsed = iface.parseError(data)
      if (parsed) return parsed
    } catch {
      // not this ABI's error
    }
  }
  return undefined
}

/** "Name(arg, ...)" for logs and assertions, or the error's own message when it is not a custom error. */
export function describeContractError(error: unknown): string {
  const parsed = decodeContractError(error)
  if (parsed) return `${parsed.name}(${parsed.args.map((a) => String(a)).join(', ')})`
  // ethers' full message embeds the whole transaction; its shortMessage says what went wrong.
  const short = (error as { shortMessage?: unknown } | null)?.shortMessage
  const text = typeof short === 'string' ? short : error instanceof Error ? error.message : String(error)
  return text.length > 500 ? `${text.slice(0, 500)}…` : text
}
