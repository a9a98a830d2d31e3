/**
 * What a Sibyl node signs: an EIP-712 Observation under a domain bound to one chain and one contract; for a
 * numeric feed, a FeedObservation, which adds the time the value was observed (FeedAggregator refuses stale
 * ones); and, once, a SignerRegistration proving to Staking that the operator holds its signing key.
 * The Solidity mirrors are contracts/src/lib/ObservationVerifier.sol and contracts/src/Staking.sol;
 * protocol/vectors/observation.json pins both sides to the same bytes.
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

/** A feed value: the Observation's fields (requestId is the feed id, round the feed round) plus observedAt. */
export const feedObservationTypes: Record<'FeedObservation', TypedDataField[]> = {
  FeedObservation: [
    { name: 'feedId', type: 'bytes32' },
    { name: 'roundId', type: 'uint32' },
    { name: 'answer', type: 'int256' },
    { name: 'observedAt', type: 'uint64' },
    { name: 'confidenceBps', type: 'uint16' },
    { name: 'evidenceHash', type: 'bytes32' },
    { name: 'modelHash', type: 'bytes32' },
  ],
}

export const FEED_OBSERVATION_TYPE =
  'FeedObservation(bytes32 feedId,uint32 roundId,int256 answer,uint64 observedAt,uint16 confidenceBps,bytes32 evidenceHash,bytes32 modelHash)'
export const FEED_OBSERVATION_TYPEHASH = keccak256(toUtf8Bytes(FEED_OBSERVATION_TYPE))

/** What a signing key signs once, under Staking's domain, so its operator can register it (Staking.registerSigner). */
export const signerRegistrationTypes: Record<'SignerRegistration', TypedDataField[]> = {
  SignerRegistration: [
    { name: 'operator', type: 'address' },
    { name: 'signer', type: 'address' },
  ],
}

export const SIGNER_REGISTRATION_TYPE = 'SignerRegistration(address operator,address signer)'
export const SIGNER_REGISTRATION_TYPEHASH = keccak256(toUtf8Bytes(SIGNER_REGISTRATION_TYPE))

/** The fields of a signed observation. Integers are bigint / number, never floats. */
export type Observation = {
  requestId: string
  round: number
  answer: bigint
  confidenceBps: number
  evidenceHash: string
  modelHash: string
  /**
   * Feeds only: when the value was observed, in unix seconds of the chain's clock. Present, the observation
   * is signed as a FeedObservation (requestId = feedId, round = roundId); absent, as an Observation.
   */
  observedAt?: number
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

/** The largest uint64, the range of FeedObservation.observedAt. */
const MAX_UINT64 = 2n ** 64n - 1n

export function assertObservation(observation: Observation): void {
  const { round, confidenceBps, observedAt } = observation
  if (observedAt !== undefined && (!Number.isSafeInteger(observedAt) || observedAt < 0 || BigInt(observedAt) > MAX_UINT64)) {
    throw new InvalidObservationError('Observation observedAt is not a uint64 of seconds.', { details: String(observedAt) })
  }
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

/** The typed data an observation is signed as: a FeedObservation when it carries observedAt. */
export function typedDataOf(observation: Observation): { types: Record<string, TypedDataField[]>; value: Record<string, unknown> } {
  const { requestId, round, answer, confidenceBps, evidenceHash, modelHash, observedAt } = observation
  if (observedAt === undefined) {
    return { types: observationTypes, value: { requestId, round, answer, confidenceBps, evidenceHash, modelHash } }
  }
  return {
    types: feedObservationTypes,
    value: { feedId: requestId, roundId: round, answer, observedAt, confidenceBps, evidenceHash, modelHash },
  }
}

export function hashObservationStruct(observation: Observation): string {
  assertObservation(observation)
  const { types, value } = typedDataOf(observation)
  return TypedDataEncoder.from(types).hash(value)
}

/** The EIP-712 digest a node signs and the contracts recover from. */
export function observationDigest(domain: ObservationDomain, observation: Observation): string {
  assertObservation(observation)
  const { types, value } = typedDataOf(observation)
  return TypedDataEncoder.hash(toTypedDataDomain(domain), types, value)
}

export type SignObservationParameters = {
  signer: Signer
  domain: ObservationDomain
  observation: Observation
}

/** Signs through the signer's EIP-712 path (a wallet, keystore or remote signer). */
export async function signObservation({ signer, domain, observation }: SignObservationParameters): Promise<SignedObservation> {
  assertObservation(observation)
  const { types, value } = typedDataOf(observation)
  const signature = await signer.signTypedData(toTypedDataDomain(domain), types, value)
  return { observation, signer: getAddress(await signer.getAddress()), signature: Signature.from(signature).serialized }
}

export type SignSignerRegistrationParameters = {
  /** The node's signing key. */
  signer: Signer
  /** The operator (the cold key that holds the stake) that will call Staking.registerSigner. */
  operator: string
  chainId: bigint
  stakingAddress: string
}

/**
 * The proof Staking.registerSigner(signer, proof) takes: the signing key's EIP-712 signature of
 * SignerRegistration(operator, signer) under the Staking contract's domain (65 bytes, low-s).
 */
export async function signSignerRegistration({ signer, operator, chainId, stakingAddress }: SignSignerRegistrationParameters): Promise<string> {
  const value = { operator: getAddress(operator), signer: getAddress(await signer.getAddress()) }
  const domain = toTypedDataDomain({ chainId, verifyingContract: stakingAddress })
  return Signature.from(await signer.signTypedData(domain, signerRegistrationTypes, value)).serialized
}

/** The digest a SignerRegistration proof signs. */
export function signerRegistrationDigest(p: { operator: string; signer: string; chainId: bigint; stakingAddress: string }): string {
  const domain = toTypedDataDomain({ chainId: p.chainId, verifyingContract: p.stakingAddress })
  return TypedDataEncoder.hash(domain, signerRegistrationTypes, { operator: getAddress(p.operator), signer: getAddress(p.signer) })
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
