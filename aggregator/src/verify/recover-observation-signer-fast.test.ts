import test from 'ava'
import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import { SigningKey, Wallet, computeAddress, hexlify, keccak256, toUtf8Bytes, verifyTypedData } from 'ethers'
import {
  InvalidObservationError,
  observationDigest,
  observationTypes,
  recoverObservationSigner,
  signObservation,
  toTypedDataDomain,
  type Observation,
  type ObservationDomain,
} from '@sibyl/protocol/eip712'
import { buildObservation } from '@sibyl/protocol/testing/build-observation'
import {
  InvalidSignatureError,
  createFastObservationRecoverer,
  type RecoveryBackend,
} from './recover-observation-signer-fast.ts'

const require = createRequire(import.meta.url)
const vectors = require('@sibyl/protocol/vectors/observation.json') as {
  vectors: {
    note: string
    chainId: string
    verifyingContract: string
    requestId: string
    round: number
    answer: string
    confidenceBps: number
    evidenceHash: string
    modelHash: string
    expected: { signer: string; signature: string }
  }[]
}

const nativeLoads = (() => {
  try {
    require('secp256k1/bindings')
    return true
  } catch {
    return false
  }
})()
const backends: RecoveryBackend[] = nativeLoads ? ['native', 'noble'] : ['noble']

/** secp256k1 group order n and field prime p. */
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
const P = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn
const INT256_MAX = (1n << 255n) - 1n
const INT256_MIN = -(1n << 255n)

const localDomain: ObservationDomain = { chainId: 31337n, verifyingContract: '0x5FbDB2315678afecb367f032d93F642f64180aa3' }

const randomHash = () => hexlify(randomBytes(32))
const randomInt = (max: number) => randomBytes(4).readUInt32BE() % max

/** The protocol's fixture with every field drawn at random (then any override). */
function randomObservation(overrides: Partial<Observation> = {}): Observation {
  return buildObservation({
    requestId: randomHash(),
    round: randomInt(1000),
    answer: BigInt(randomInt(3)),
    confidenceBps: randomInt(10_001),
    evidenceHash: randomHash(),
    modelHash: randomHash(),
    ...overrides,
  })
}

/** A spread of answers: outcome indexes, reserved negatives, prices, random 256-bit two's complement, extremes. */
function randomAnswer(i: number): bigint {
  const fixed = [0n, 1n, -1n, -2n, INT256_MAX, INT256_MIN, INT256_MIN + 1n, 300_012_345_678n, -(10n ** 30n), 2n ** 128n]
  if (i < fixed.length) return fixed[i]!
  return BigInt.asIntN(256, BigInt(hexlify(randomBytes(32))) >> BigInt(randomInt(256)))
}

function randomRound(i: number): number {
  return [0, 1, 0xffffffff, 0xfffffffe][i % 8] ?? randomBytes(4).readUInt32BE()
}

function randomConfidence(i: number): number {
  return [0, 10_000, 1][i % 7] ?? randomInt(10_001)
}

function signWith(key: SigningKey, domain: ObservationDomain, observation: Observation): string {
  return key.sign(observationDigest(domain, observation)).serialized
}

/** 65-byte hex signature with r, s, v replaced. */
function withParts(signature: string, parts: { r?: bigint; s?: bigint; v?: number }): string {
  const r = parts.r === undefined ? signature.slice(2, 66) : parts.r.toString(16).padStart(64, '0')
  const s = parts.s === undefined ? signature.slice(66, 130) : parts.s.toString(16).padStart(64, '0')
  const v = parts.v === undefined ? signature.slice(130, 132) : parts.v.toString(16).padStart(2, '0')
  return `0x${r}${s}${v}`
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n
  let b = base % modulus
  let e = exponent
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus
    b = (b * b) % modulus
    e >>= 1n
  }
  return result
}

/** The smallest x for which x^3 + 7 has no square root mod p: no curve point has it as its x coordinate. */
function xWithoutCurvePoint(): bigint {
  for (let x = 1n; ; x++) {
    if (modPow((x ** 3n + 7n) % P, (P - 1n) / 2n, P) === P - 1n) return x
  }
}

test('auto picks the native addon when it loads, else noble', (t) => {
  t.is(createFastObservationRecoverer(localDomain).backend, nativeLoads ? 'native' : 'noble')
  t.is(createFastObservationRecoverer(localDomain, { backend: 'noble' }).backend, 'noble')
})

for (const backend of backends) {
  test(`${backend}: the golden vectors recover their signer`, (t) => {
    t.true(vectors.vectors.length >= 2)
    for (const v of vectors.vectors) {
      const domain = { chainId: BigInt(v.chainId), verifyingContract: v.verifyingContract }
      const observation = buildObservation({
        requestId: v.requestId,
        round: v.round,
        answer: BigInt(v.answer),
        confidenceBps: v.confidenceBps,
        evidenceHash: v.evidenceHash,
        modelHash: v.modelHash,
      })
      const recover = createFastObservationRecoverer(domain, { backend })
      t.is(recover(observation, v.expected.signature), v.expected.signer, v.note)
    }
  })

  test(`${backend}: agrees with the ethers reference on random keys, observations and domains`, (t) => {
    const domains: ObservationDomain[] = [
      localDomain,
      { chainId: 1n, verifyingContract: hexlify(randomBytes(20)) },
      { chainId: 2n ** 64n - 1n, verifyingContract: hexlify(randomBytes(20)) },
    ]
    const recoverers = domains.map((d) => createFastObservationRecoverer(d, { backend }))
    for (let i = 0; i < 150; i++) {
      const key = new SigningKey(hexlify(randomBytes(32)))
      const d = i % domains.length
      const observation = randomObservation({ answer: randomAnswer(i), round: randomRound(i), confidenceBps: randomConfidence(i) })
      const signature = signWith(key, domains[d]!, observation)
      const expected = computeAddress(key.publicKey)
      const fast = recoverers[d]!(observation, signature)
      const context = `case ${i}: ${JSON.stringify({ ...observation, answer: String(observation.answer) })} ${signature}`
      t.is(fast, expected, context)
      t.is(fast, recoverObservationSigner(domains[d]!, observation, signature), context)
    }
  })

  test(`${backend}: agrees with ethers verifyTypedData on signatures from Wallet.signTypedData`, async (t) => {
    const recover = createFastObservationRecoverer(localDomain, { backend })
    for (let i = 0; i < 10; i++) {
      const wallet = Wallet.createRandom()
      const observation = randomObservation({ answer: randomAnswer(i) })
      const signed = await signObservation({ signer: wallet, domain: localDomain, observation })
      t.is(recover(observation, signed.signature), verifyTypedData(toTypedDataDomain(localDomain), observationTypes, observation, signed.signature))
      t.is(recover(observation, signed.signature), wallet.address)
    }
  })

  test(`${backend}: the same signer twice (cached checksum) and many signers stay exact`, (t) => {
    const recover = createFastObservationRecoverer(localDomain, { backend })
    const keys = Array.from({ length: 5 }, () => new SigningKey(hexlify(randomBytes(32))))
    for (let i = 0; i < 40; i++) {
      const key = keys[i % keys.length]!
      const observation = randomObservation()
      t.is(recover(observation, signWith(key, localDomain, observation)), computeAddress(key.publicKey))
    }
  })

  test(`${backend}: under another domain or another answer the signature recovers a different address`, (t) => {
    const key = new SigningKey(hexlify(randomBytes(32)))
    const signer = computeAddress(key.publicKey)
    const observation = randomObservation({ answer: -1n })
    const signature = signWith(key, localDomain, observation)
    const others: ObservationDomain[] = [
      { chainId: 31338n, verifyingContract: localDomain.verifyingContract },
      { chainId: localDomain.chainId, verifyingContract: '0x0000000000000000000000000000000000000001' },
    ]
    for (const other of others) {
      const recovered = createFastObservationRecoverer(other, { backend })(observation, signature)
      t.not(recovered, signer)
      t.is(recovered, recoverObservationSigner(other, observation, signature))
    }
    const recover = createFastObservationRecoverer(localDomain, { backend })
    t.is(recover(observation, signature), signer)
    t.not(recover({ ...observation, answer: 1n }, signature), signer)
    t.not(recover({ ...observation, round: observation.round + 1 }, signature), signer)
    t.not(recover({ ...observation, confidenceBps: (observation.confidenceBps + 1) % 10_001 }, signature), signer)
    t.not(recover({ ...observation, modelHash: randomHash() }, signature), signer)
  })

  test(`${backend}: refuses the high-s twin that ethers alone would accept`, (t) => {
    const recover = createFastObservationRecoverer(localDomain, { backend })
    const key = new SigningKey(hexlify(randomBytes(32)))
    const observation = randomObservation()
    const signature = signWith(key, localDomain, observation)
    const s = BigInt(`0x${signature.slice(66, 130)}`)
    const v = Number.parseInt(signature.slice(130), 16)
    const twin = withParts(signature, { s: N - s, v: v === 27 ? 28 : 27 })
    const error = t.throws(() => recover(observation, twin), { instanceOf: InvalidSignatureError })
    t.is(error?.name, 'InvalidSignatureError')
    t.throws(() => recoverObservationSigner(localDomain, observation, twin), { instanceOf: InvalidObservationError })
    // s = n/2 exactly is still low (ObservationVerifier: revert only when s > HALF_CURVE_ORDER).
    const half = withParts(signature, { s: (N - 1n) / 2n })
    t.is(recover(observation, half), recoverObservationSigner(localDomain, observation, half))
    t.throws(() => recover(observation, withParts(signature, { s: (N - 1n) / 2n + 1n })), { message: /high s/ })
  })

  test(`${backend}: refuses v other than 27 or 28`, (t) => {
    const recover = createFastObservationRecoverer(localDomain, { backend })
    const key = new SigningKey(hexlify(randomBytes(32)))
    const observation = randomObservation()
    const signature = signWith(key, localDomain, observation)
    for (const v of [0, 1, 26, 29, 35, 255]) {
      t.throws(() => recover(observation, withParts(signature, { v })), { instanceOf: InvalidSignatureError, message: /v is/ })
    }
  })

  test(`${backend}: refuses signatures of the wrong length or not hex`, (t) => {
    const recover = createFastObservationRecoverer(localDomain, { backend })
    const key = new SigningKey(hexlify(randomBytes(32)))
    const observation = randomObservation()
    const signature = signWith(key, localDomain, observation)
    const bad = [
      '',
      '0x',
      signature.slice(0, -2),
      `${signature}00`,
      signature.slice(2),
      `0x${signature.slice(2, 130)}`,
      `${signature.slice(0, 10)}zz${signature.slice(12)}`,
      `0X${signature.slice(2)}`,
    ]
    for (const s of bad) t.throws(() => recover(observation, s), { instanceOf: InvalidSignatureError }, s)
    t.throws(() => recover(observation, undefined as unknown as string), { instanceOf: InvalidSignatureError })
  })

  test(`${backend}: refuses r or s out of range and an r that is no curve point (ecrecover returns 0)`, (t) => {
    const recover = createFastObservationRecoverer(localDomain, { backend })
    const key = new SigningKey(hexlify(randomBytes(32)))
    const observation = randomObservation()
    const signature = signWith(key, localDomain, observation)
    const x = xWithoutCurvePoint()
    for (const parts of [{ r: 0n }, { s: 0n }, { r: N }, { r: N + 1n }, { r: 2n ** 256n - 1n }, { r: x }]) {
      const broken = withParts(signature, parts)
      t.throws(() => recover(observation, broken), { instanceOf: InvalidSignatureError }, JSON.stringify(parts, (_, v) => (typeof v === 'bigint' ? String(v) : v)))
      t.throws(() => recoverObservationSigner(localDomain, observation, broken))
    }
  })

  test(`${backend}: refuses observations the reference refuses`, (t) => {
    const recover = createFastObservationRecoverer(localDomain, { backend })
    const key = new SigningKey(hexlify(randomBytes(32)))
    const observation = randomObservation()
    const signature = signWith(key, localDomain, observation)
    const bad: Partial<Observation>[] = [
      { round: -1 },
      { round: 2 ** 32 },
      { round: 1.5 },
      { confidenceBps: 10_001 },
      { confidenceBps: -1 },
      { requestId: '0x1234' },
      { evidenceHash: `0x${'g'.repeat(64)}` },
      { modelHash: keccak256(toUtf8Bytes('m')).slice(2) },
      { answer: INT256_MAX + 1n },
      { answer: INT256_MIN - 1n },
    ]
    for (const overrides of bad) {
      const o = { ...observation, ...overrides }
      t.throws(() => recover(o, signature), { instanceOf: InvalidObservationError }, JSON.stringify(overrides, (_, v) => (typeof v === 'bigint' ? String(v) : v)))
      t.throws(() => recoverObservationSigner(localDomain, o, signature))
    }
  })
}
