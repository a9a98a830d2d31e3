/**
 * Hand-made signatures for the revert tests, and the contract's own view of them.
 *
 * A report that carries a foreign or tampered signature recovers, on-chain, to an address nobody chose, and
 * the contract checks the order of signers before it checks that they are active. To make such a test
 * deterministic, reports are ordered here the way ObservationVerifier walks them: by the address that the
 * chain's ecrecover precompile returns for the report's own fields, under the contract's own domain.
 */
import { concat, dataSlice, getAddress, toBeHex, type Provider } from 'ethers'
import { observationDigest, toCompactSignature, type Observation, type ObservationDomain, type SignedObservation } from '@sibyl/protocol/eip712'
import type { ReportObservation } from '@sibyl/protocol/report'

/** The order of secp256k1. */
export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
/** The 255 bits of an EIP-2098 word that hold s; the top bit is the y parity. */
export const S_MASK = (1n << 255n) - 1n
const ECRECOVER_PRECOMPILE = '0x0000000000000000000000000000000000000001'

export type CompactSignature = { r: string; yParityAndS: string }

/** A signed observation as one entry of ResolutionOracle.commitReport. */
export function toReportObservation(signed: SignedObservation): ReportObservation {
  const { confidenceBps, evidenceHash, modelHash } = signed.observation
  return { confidenceBps, evidenceHash, modelHash, ...toCompactSignature(signed.signature) }
}

/** Splits an EIP-2098 word the way ObservationVerifier._recover does. */
export function splitCompact(yParityAndS: string): { s: bigint; yParity: bigint } {
  const word = BigInt(yParityAndS)
  return { s: word & S_MASK, yParity: word >> 255n }
}

/** Packs s and a y parity into an EIP-2098 word, without checks: s may be high, or even spill into bit 255. */
export function packCompact(s: bigint, yParity: bigint): string {
  return toBeHex(s | (yParity << 255n), 32)
}

/**
 * The malleable twin of a signature: s -> n - s with the parity flipped. It verifies the same digest in the
 * 65-byte form, but n - s is almost always >= 2^255 and so collides with the parity bit of the compact
 * form: the contract reads a different (s, v) and recovers some other address.
 */
export function malleableTwin(signature: CompactSignature): CompactSignature {
  const { s, yParity } = splitCompact(signature.yParityAndS)
  return { r: signature.r, yParityAndS: packCompact(SECP256K1_N - s, yParity ^ 1n) }
}

/**
 * The address ObservationVerifier._recover returns for this observation and signature, asked of the
 * chain's ecrecover precompile; undefined where the contract reverts with InvalidSignature.
 */
export async function recoverAsContract(
  provider: Provider,
  domain: ObservationDomain,
  observation: Observation,
  signature: CompactSignature,
): Promise<string | undefined> {
  const { s, yParity } = splitCompact(signature.yParityAndS)
  const digest = observationDigest(domain, observation)
  const out = await provider.call({
    to: ECRECOVER_PRECOMPILE,
    data: concat([digest, toBeHex(27n + yParity, 32), signature.r, toBeHex(s, 32)]),
  })
  if (out === '0x' || BigInt(out) === 0n) return undefined
  return getAddress(dataSlice(out, 12))
}

/**
 * Orders report entries by the signer the contract will recover (ascending, as it requires) and returns
 * those signers, so a test can predict which index and address a revert names.
 */
export async function orderAsContract<T extends CompactSignature>(
  provider: Provider,
  domain: ObservationDomain,
  entries: readonly T[],
  observationOf: (entry: T) => Observation,
): Promise<{ entries: T[]; signers: string[] }> {
  const recovered = await Promise.all(
    entries.map(async (entry) => {
      const signer = await recoverAsContract(provider, domain, observationOf(entry), entry)
      if (!signer) throw new Error('an entry does not recover at all; it cannot be ordered')
      return { entry, signer }
    }),
  )
  recovered.sort((a, b) => (BigInt(a.signer) < BigInt(b.signer) ? -1 : BigInt(a.signer) > BigInt(b.signer) ? 1 : 0))
  return { entries: recovered.map((x) => x.entry), signers: recovered.map((x) => x.signer) }
}
