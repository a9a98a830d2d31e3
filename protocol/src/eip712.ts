/**
 * What a Sibyl node signs: an EIP-712 Observation under a domain bound to one chain and one contract.
 * The Solidity mirror is contracts/src/lib/ObservationVerifier.sol; protocol/vectors/observation.json pins
 * both to the same bytes.
 */
import { Signature, TypedDataEncoder, getAddress, keccak256, recoverAddress, toUtf8Bytes, type TypedDataDomain } from 'ethers'
import type { Signer, TypedDataField } from 'ethers'
import { BaseError } from './errors.ts'

export const DOMAIN_NAME = 'Sibyl'
export const DOMAIN_VERSION = '1'

export const observationTypes: Record<'Observation', TypedDataField[]> = {
  Observation: [
    { name: 'requestId', type: 'bytes32' },
    { name: 'round', type: 'uint32' },
    { name: 'answer', type: 'int256' },
    { name: 'confidenceBps', type: 'uint16' },
    { name: 'evidenceHash', type: 'bytes32' },
    { name: 'modelHash', type: 'bytes32' },
  ],
}

export const OBSERVATION_TYPE =
  'Observation(bytes32 requestId,uint32 round,int256 answer,uint16 confidenceBps,bytes32 evidenceHash,bytes32 modelHash)'
export const OBSERVATION_TYPEHASH = keccak256(toUtf8Bytes(OBSERVATION_TYPE))

/** The fields of a signed observation. Integers are bigint / number, never floats. */
export type Observation = {
  requestId: string
  round: number
  answer: bigint
  confidenceBps: number
  evidenceHash: string
  modelHash: string
}

export type ObservationDomain = {
  chainId: bigint
  verifyingContract: string
}

export type SignedObservation = {
  observation: Observation
  signer: string
  /** 65-byte signature, 0x-prefixed hex, low-s. */
  signature: string
}

export class InvalidObservationError extends BaseError {
  override name = 'InvalidObservationError' as const
}

export function toTypedDataDomain(domain: ObservationDomain): TypedDataDomain {
  return {
    name: DOMAIN_NAME,
    version: DOMAIN_VERSION,
    chainId: domain.chainId,
    verifyingContract: getAddress(domain.verifyingContract),
  }
}

export function assertObservation(observation: Observation): void {
  const { round, confidenceBps } = observation
  if (!Number.isInteger(round) || round < 0 || round > 0xffffffff) {
    throw new InvalidObservationError('Observation round is not a uint32.', { details: String(round) })
  }
  if (!Number.isInteger(confidenceBps) || confidenceBps < 0 || confidenceBps > 10_000) {
    throw new InvalidObservationError('Observation confidence is not 0..10000 basis points.', {
      details: String(confidenceBps),
    })
  }
  for (const key of ['requestId', 'evidenceHash', 'modelHash'] as const) {
    if (!/^0x[0-9a-fA-F]{64}$/.test(observation[key])) {
      throw new InvalidObservationError(`Observation ${key} is not 32 bytes of hex.`, { details: observation[key] })
    }
  }
}

export function domainSeparator(domain: ObservationDomain): string {
  return TypedDataEncoder.hashDomain(toTypedDataDomain(domain))
}

export function hashObservationStruct(observation: Observation): string {
  assertObservation(observation)
  return TypedDataEncoder.from(observationTypes).hash(observation)
}

/** The EIP-712 digest a node signs and the contracts recover from. */
export function observationDigest(domain: ObservationDomain, observation: Observation): string {
  assertObservation(observation)
  return TypedDataEncoder.hash(toTypedDataDomain(domain), observationTypes, observation)
}

export type SignObservationParameters = {
  signer: Signer
  domain: ObservationDomain
  observation: Observation
}

/** Signs through the signer's EIP-712 path (a wallet, keystore or remote signer). */
export async function signObservation({ signer, domain, observation }: SignObservationParameters): Promise<SignedObservation> {
  assertObservation(observation)
  const signature = await signer.signTypedData(toTypedDataDomain(domain), observationTypes, observation)
  return { observation, signer: getAddress(await signer.getAddress()), signature: Signature.from(signature).serialized }
}

/**
 * The reference recovery (ethers). It rejects high-s signatures, as the contracts do: ethers normalizes
 * s when parsing, so a high-s twin would otherwise recover the same signer off-chain and fail on-chain.
 */
export function recoverObservationSigner(domain: ObservationDomain, observation: Observation, signature: string): string {
  const { s } = parseRawSignature(signature)
  if (BigInt(s) > HALF_CURVE_ORDER) {
    throw new InvalidObservationError('Signature has a high s value (malleable).')
  }
  return recoverAddress(observationDigest(domain, observation), signature)
}

/** secp256k1n / 2, as in ObservationVerifier.HALF_CURVE_ORDER. */
export const HALF_CURVE_ORDER = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n

/** The r, s, v of a 65-byte signature, as sent, without normalization. */
export function parseRawSignature(signature: string): { r: string; s: string; v: number } {
  if (!/^0x[0-9a-fA-F]{130}$/.test(signature)) {
    throw new InvalidObservationError('Signature is not 65 bytes of hex.')
  }
  const v = Number.parseInt(signature.slice(130, 132), 16)
  if (v !== 27 && v !== 28) throw new InvalidObservationError(`Signature v is ${v}, not 27 or 28.`)
  return { r: `0x${signature.slice(2, 66)}`, s: `0x${signature.slice(66, 130)}`, v }
}

/** EIP-2098 compact form (r, yParityAndS), the form the contracts take. */
export function toCompactSignature(signature: string): { r: string; yParityAndS: string } {
  const { r, s, v } = parseRawSignature(signature)
  if (BigInt(s) > HALF_CURVE_ORDER) throw new InvalidObservationError('Signature has a high s value (malleable).')
  const yParityAndS = (BigInt(s) | (BigInt(v - 27) << 255n)).toString(16).padStart(64, '0')
  return { r, yParityAndS: `0x${yParityAndS}` }
}
