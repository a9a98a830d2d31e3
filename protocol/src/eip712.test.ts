import test from 'ava'
import { readFileSync } from 'node:fs'
import { Signature, Wallet, keccak256, toUtf8Bytes, verifyTypedData } from 'ethers'
import { makeVectors, serializeVectors, vectorsFile } from '../scripts/make-vectors.ts'
import {
  FEED_OBSERVATION_TYPEHASH,
  SIGNER_REGISTRATION_TYPEHASH,
  feedObservationTypes,
  signSignerRegistration,
  signerRegistrationDigest,
  signerRegistrationTypes,
  HALF_CURVE_ORDER,
  InvalidObservationError,
  OBSERVATION_TYPEHASH,
  domainSeparator,
  hashObservationStruct,
  observationDigest,
  observationTypes,
  recoverObservationSigner,
  signObservation,
  toCompactSignature,
  toTypedDataDomain,
} from './eip712.ts'
import { buildObservation } from './testing/build-observation.ts'

const committed = JSON.parse(readFileSync(vectorsFile, 'utf8'))

test('the committed golden vectors are exactly what the signer produces today', async (t) => {
  t.is(serializeVectors(await makeVectors()), readFileSync(vectorsFile, 'utf8'))
})

test('each golden vector checks field by field against an independent encoding', (t) => {
  t.is(committed.typeHash, keccak256(toUtf8Bytes(committed.type)))
  t.is(OBSERVATION_TYPEHASH, committed.typeHash)
  for (const v of committed.vectors) {
    const domain = { chainId: BigInt(v.chainId), verifyingContract: v.verifyingContract }
    const observation = buildObservation({
      requestId: v.requestId,
      round: v.round,
      answer: BigInt(v.answer),
      confidenceBps: v.confidenceBps,
      evidenceHash: v.evidenceHash,
      modelHash: v.modelHash,
    })
    t.is(domainSeparator(domain), v.expected.domainSeparator)
    t.is(hashObservationStruct(observation), v.expected.structHash)
    t.is(observationDigest(domain, observation), v.expected.digest)
    t.is(recoverObservationSigner(domain, observation, v.expected.signature), v.expected.signer)
    // ethers' own typed-data verifier agrees (the reference path).
    t.is(verifyTypedData(toTypedDataDomain(domain), observationTypes, observation, v.expected.signature), v.expected.signer)
    t.deepEqual(toCompactSignature(v.expected.signature), { r: v.expected.r, yParityAndS: v.expected.yParityAndS })
  }
})

test('each feed vector checks against an independent encoding: the FeedObservation type with observedAt', (t) => {
  t.is(committed.feedTypeHash, keccak256(toUtf8Bytes(committed.feedType)))
  t.is(FEED_OBSERVATION_TYPEHASH, committed.feedTypeHash)
  t.true(committed.feedVectors.length >= 2)
  for (const v of committed.feedVectors) {
    const domain = { chainId: BigInt(v.chainId), verifyingContract: v.verifyingContract }
    const observation = buildObservation({
      requestId: v.feedId,
      round: v.roundId,
      answer: BigInt(v.answer),
      observedAt: Number(v.observedAt),
      confidenceBps: v.confidenceBps,
      evidenceHash: v.evidenceHash,
      modelHash: v.modelHash,
    })
    t.is(hashObservationStruct(observation), v.expected.structHash)
    t.is(observationDigest(domain, observation), v.expected.digest)
    t.is(recoverObservationSigner(domain, observation, v.expected.signature), v.expected.signer)
    const value = { ...observation, feedId: v.feedId, roundId: v.roundId }
    t.is(verifyTypedData(toTypedDataDomain(domain), feedObservationTypes, value, v.expected.signature), v.expected.signer)
    // The same fields without observedAt are another message: the time is part of what is signed.
    const { observedAt: _, ...withoutTime } = observation
    t.not(observationDigest(domain, withoutTime), v.expected.digest)
    t.not(observationDigest(domain, { ...observation, observedAt: observation.observedAt! - 1 }), v.expected.digest)
  }
})

test('each signer-registration vector checks against ethers and the Staking domain', async (t) => {
  t.is(committed.registrationTypeHash, keccak256(toUtf8Bytes(committed.registrationType)))
  t.is(SIGNER_REGISTRATION_TYPEHASH, committed.registrationTypeHash)
  const wallet = new Wallet(committed.privateKey)
  for (const v of committed.registrationVectors) {
    const p = { operator: v.operator, signer: v.signer, chainId: BigInt(v.chainId), stakingAddress: v.verifyingContract }
    t.is(signerRegistrationDigest(p), v.expected.digest)
    const domain = toTypedDataDomain({ chainId: p.chainId, verifyingContract: p.stakingAddress })
    t.is(verifyTypedData(domain, signerRegistrationTypes, { operator: v.operator, signer: v.signer }, v.expected.signature), v.signer)
    t.is(await signSignerRegistration({ signer: wallet, operator: v.operator, chainId: p.chainId, stakingAddress: p.stakingAddress }), v.expected.signature)
  }
})

test('observedAt must be a whole number of seconds in uint64', (t) => {
  t.throws(() => hashObservationStruct(buildObservation({ observedAt: -1 })), { message: /observedAt/ })
  t.throws(() => hashObservationStruct(buildObservation({ observedAt: 1.5 })), { message: /observedAt/ })
  t.regex(hashObservationStruct(buildObservation({ observedAt: 0 })), /^0x[0-9a-f]{64}$/)
})

const domain = { chainId: 31337n, verifyingContract: '0x5FbDB2315678afecb367f032d93F642f64180aa3' }
const observation = buildObservation({ answer: 1n, confidenceBps: 8000 })

test('a signature does not verify under another chain, contract or answer', async (t) => {
  const wallet = Wallet.createRandom()
  const { signature } = await signObservation({ signer: wallet, domain, observation })
  t.is(recoverObservationSigner(domain, observation, signature), wallet.address)
  t.not(recoverObservationSigner({ ...domain, chainId: 1n }, observation, signature), wallet.address)
  t.not(
    recoverObservationSigner({ ...domain, verifyingContract: '0x0000000000000000000000000000000000000001' }, observation, signature),
    wallet.address,
  )
  t.not(recoverObservationSigner(domain, { ...observation, answer: 0n }, signature), wallet.address)
})

test('the high-s twin of a valid signature is refused, as on-chain', async (t) => {
  const wallet = Wallet.createRandom()
  const { signature } = await signObservation({ signer: wallet, domain, observation })
  const sig = Signature.from(signature)
  const n = HALF_CURVE_ORDER * 2n + 1n
  const highS = (n - BigInt(sig.s)).toString(16).padStart(64, '0')
  const flippedV = sig.v === 27 ? '1c' : '1b'
  const twin = `${sig.r}${highS}${flippedV}`
  t.throws(() => recoverObservationSigner(domain, observation, twin), { instanceOf: InvalidObservationError, message: /high s/ })
  t.throws(() => toCompactSignature(twin), { message: /high s/ })
})

test('malformed observations and signatures are refused with a clear error', (t) => {
  t.throws(() => hashObservationStruct({ ...observation, round: -1 }), { message: /round is not a uint32/ })
  t.throws(() => hashObservationStruct({ ...observation, round: 2 ** 32 }), { message: /round is not a uint32/ })
  t.throws(() => hashObservationStruct({ ...observation, confidenceBps: 10_001 }), { message: /basis points/ })
  t.throws(() => hashObservationStruct({ ...observation, confidenceBps: 0.5 }), { message: /basis points/ })
  t.throws(() => hashObservationStruct({ ...observation, evidenceHash: '0x1234' }), { message: /evidenceHash is not 32 bytes/ })
  t.throws(() => recoverObservationSigner(domain, observation, '0xdead'), { message: /65 bytes/ })
  t.throws(() => recoverObservationSigner(domain, observation, `0x${'11'.repeat(64)}05`), { message: /v is 5/ })
})
