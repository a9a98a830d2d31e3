/**
 * The aggregator's signature check: the same answer as the reference path (`recoverObservationSigner` in
 * protocol/src/eip712.ts, ethers) at more than 10 times its throughput on one core (`npm run bench`, section
 * `verify`; figures in BENCHMARKS.md).
 *
 * Same bytes as the reference and as ObservationVerifier._observationDigest:
 *   structHash = keccak256(OBSERVATION_TYPEHASH ‖ requestId ‖ uint32 round ‖ int256 answer ‖ uint16 confidenceBps
 *                          ‖ evidenceHash ‖ modelHash), each field one 32-byte ABI word;
 *   digest     = keccak256(0x1901 ‖ domainSeparator ‖ structHash).
 * Where the time goes in the reference: ethers' TypedDataEncoder walks the type description per call and
 * recovers with pure-JS elliptic-curve arithmetic. Here the type hash and domain separator are computed once
 * per domain, the struct is packed into one reused buffer, and the public key is recovered by libsecp256k1
 * (the npm `secp256k1` native addon); the signer is the last 20 bytes of keccak256 of the uncompressed key.
 *
 * What is refused mirrors what ObservationVerifier._recover refuses on-chain, so nothing passes here that the
 * contract would reject at commit: s above secp256k1n / 2 (`HighS`), and a signature that recovers no key
 * (`InvalidSignature`). The 65-byte form that travels over NATS carries v; only 27 and 28 are accepted (the
 * contract derives v from the EIP-2098 parity bit, which encodes exactly those two).
 *
 * Backend: the native addon when it loads, else @noble/curves (pure JS, only a little faster than the reference). The
 * recoverer says which one it uses in its `backend` property; nothing is logged here.
 */
import { createRequire } from 'node:module'
import { secp256k1 as nobleSecp256k1 } from '@noble/curves/secp256k1'
import jsSha3 from 'js-sha3'
import { BaseError } from '@sibyl/protocol/errors'
import {
  HALF_CURVE_ORDER,
  InvalidObservationError,
  OBSERVATION_TYPEHASH,
  assertObservation,
  domainSeparator,
  type Observation,
  type ObservationDomain,
} from '@sibyl/protocol/eip712'

export class InvalidSignatureError extends BaseError {
  override name = 'InvalidSignatureError' as const
}

export class RecoveryBackendUnavailableError extends BaseError {
  override name = 'RecoveryBackendUnavailableError' as const
}

export type RecoveryBackend = 'native' | 'noble'

export type CreateFastObservationRecovererOptions = {
  /** 'auto' (default): native when the addon loads, else noble. 'native' throws when the addon is missing. */
  backend?: 'auto' | RecoveryBackend
}

/** Recovers the checksummed signer of one observation, or throws `InvalidSignatureError` / `InvalidObservationError`. */
export type FastObservationRecoverer = ((observation: Observation, signature: string) => string) & {
  readonly backend: RecoveryBackend
}

export type CreateFastObservationRecovererErrorType = RecoveryBackendUnavailableError
export type FastObservationRecovererErrorType = InvalidSignatureError | InvalidObservationError

/** The slice of the `secp256k1` addon used here (its API.md: `ecdsaRecover(sig, recid, msg32, compressed, output)`). */
type NativeSecp256k1 = {
  ecdsaRecover: (signature: Uint8Array, recid: number, message: Uint8Array, compressed: boolean, output?: Uint8Array) => Uint8Array
}

type RecoverPublicKey = (signature64: Uint8Array, recid: number, digest: Uint8Array, output: Uint8Array) => Uint8Array

let nativeAddon: NativeSecp256k1 | null | undefined

/**
 * The addon's own entry point falls back to pure-JS `elliptic` silently; `secp256k1/bindings` loads only the
 * native build (a prebuilt binary shipped in the package, or the one node-gyp built at install) or throws.
 */
function loadNativeAddon(): NativeSecp256k1 | null {
  if (nativeAddon !== undefined) return nativeAddon
  try {
    nativeAddon = createRequire(import.meta.url)('secp256k1/bindings') as NativeSecp256k1
  } catch {
    nativeAddon = null
  }
  return nativeAddon
}

const recoverNative =
  (addon: NativeSecp256k1): RecoverPublicKey =>
  (signature64, recid, digest, output) =>
    addon.ecdsaRecover(signature64, recid, digest, false, output)

const recoverNoble: RecoverPublicKey = (signature64, recid, digest) =>
  nobleSecp256k1.Signature.fromCompact(signature64).addRecoveryBit(recid).recoverPublicKey(digest).toRawBytes(false)

/** js-sha3's keccak: about 4x @noble/hashes (ethers' keccak) on the 224-byte struct (`npm run bench`, section `verify`). */
const keccak256 = (data: Uint8Array): Uint8Array => new Uint8Array(jsSha3.keccak256.arrayBuffer(data))
/** Signers are a small set (the operators); their EIP-55 form is remembered up to this many, then forgotten at once. */
const MAX_CACHED_ADDRESSES = 4096

const HALF_CURVE_ORDER_BYTES = Buffer.from(HALF_CURVE_ORDER.toString(16).padStart(64, '0'), 'hex')
const SIGNATURE_HEX = /^0x[0-9a-fA-F]{130}$/
const INT256_MIN = -(1n << 255n)
const INT256_MAX = (1n << 255n) - 1n

/** Returns a recoverer bound to one domain (domain separator precomputed). */
export function createFastObservationRecoverer(
  domain: ObservationDomain,
  options: CreateFastObservationRecovererOptions = {},
): FastObservationRecoverer {
  const wanted = options.backend ?? 'auto'
  let recoverPublicKey: RecoverPublicKey
  let backend: RecoveryBackend
  const addon = wanted === 'noble' ? null : loadNativeAddon()
  if (addon) {
    recoverPublicKey = recoverNative(addon)
    backend = 'native'
  } else if (wanted === 'native') {
    throw new RecoveryBackendUnavailableError('The native secp256k1 addon is not available.', {
      details: 'require("secp256k1/bindings") failed; reinstall with the secp256k1 install script allowed.',
    })
  } else {
    recoverPublicKey = recoverNoble
    backend = 'noble'
  }

  // One buffer per recoverer for each hash input. The recoverer is synchronous, so reuse cannot interleave.
  const struct = Buffer.alloc(7 * 32)
  struct.write(OBSERVATION_TYPEHASH.slice(2), 0, 32, 'hex')
  const prefixed = Buffer.alloc(2 + 32 + 32)
  prefixed[0] = 0x19
  prefixed[1] = 0x01
  prefixed.write(domainSeparator(domain).slice(2), 2, 32, 'hex')
  const publicKey = new Uint8Array(65)
  const checksummed = new Map<string, string>()

  const recover = (observation: Observation, signature: string): string => {
    // Signature first: it is the cheap refusal (ObservationVerifier._recover: HighS, then InvalidSignature).
    if (typeof signature !== 'string' || !SIGNATURE_HEX.test(signature)) {
      throw new InvalidSignatureError('Signature is not 65 bytes of hex.')
    }
    const raw = Buffer.from(signature.slice(2), 'hex')
    const v = raw[64]!
    if (v !== 27 && v !== 28) throw new InvalidSignatureError(`Signature v is ${v}, not 27 or 28.`)
    if (Buffer.compare(raw.subarray(32, 64), HALF_CURVE_ORDER_BYTES) > 0) {
      throw new InvalidSignatureError('Signature has a high s value (malleable).')
    }

    // Same field checks as the reference (assertObservation), plus the int256 range ethers enforces when encoding.
    assertObservation(observation)
    const { answer } = observation
    if (typeof answer !== 'bigint' || answer < INT256_MIN || answer > INT256_MAX) {
      throw new InvalidObservationError('Observation answer is not an int256.', { details: String(answer) })
    }
    struct.write(observation.requestId.slice(2), 32, 32, 'hex')
    struct.fill(0, 64, 96)
    struct.writeUInt32BE(observation.round, 92)
    struct.write(BigInt.asUintN(256, answer).toString(16).padStart(64, '0'), 96, 32, 'hex')
    struct.fill(0, 128, 160)
    struct.writeUInt16BE(observation.confidenceBps, 158)
    struct.write(observation.evidenceHash.slice(2), 160, 32, 'hex')
    struct.write(observation.modelHash.slice(2), 192, 32, 'hex')
    prefixed.set(keccak256(struct), 34)
    const digest = keccak256(prefixed)

    let key: Uint8Array
    try {
      key = recoverPublicKey(raw.subarray(0, 64), v - 27, digest, publicKey)
    } catch (cause) {
      // r or s zero or not below the curve order, or r not the x of a curve point: ecrecover returns 0.
      throw new InvalidSignatureError('Signature does not recover a public key.', { cause })
    }
    const lower = Buffer.from(keccak256(key.subarray(1)).buffer, 12, 20).toString('hex')
    let address = checksummed.get(lower)
    if (address === undefined) {
      if (checksummed.size >= MAX_CACHED_ADDRESSES) checksummed.clear()
      address = checksumAddress(lower)
      checksummed.set(lower, address)
    }
    return address
  }
  return Object.assign(recover, { backend })
}

/** EIP-55 mixed-case form of a lowercase 40-hex-digit address (the format of ethers' getAddress). */
function checksumAddress(lower: string): string {
  const hash = keccak256(Buffer.from(lower, 'latin1'))
  let out = '0x'
  for (let i = 0; i < 40; i++) {
    const nibble = (hash[i >> 1]! >> (i & 1 ? 0 : 4)) & 0xf
    const c = lower[i]!
    out += nibble >= 8 ? c.toUpperCase() : c
  }
  return out
}
