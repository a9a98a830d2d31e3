/**
 * Writes protocol/vectors/observation.json: golden vectors that pin the TypeScript signer
 * (protocol/src/eip712.ts) and the Solidity verifier (contracts/src/lib/ObservationVerifier.sol) to the
 * same bytes. protocol/src/eip712.test.ts checks this output equals the committed file; the forge test
 * contracts/test/GoldenVectors.t.sol checks the contract against the same file.
 *
 *   npx tsx protocol/scripts/make-vectors.ts          # print
 *   npx tsx protocol/scripts/make-vectors.ts --write  # rewrite the committed file
 */
import { writeFileSync } from 'node:fs'
import { Wallet, keccak256, toUtf8Bytes } from 'ethers'
import {
  FEED_OBSERVATION_TYPE,
  FEED_OBSERVATION_TYPEHASH,
  OBSERVATION_TYPE,
  OBSERVATION_TYPEHASH,
  SIGNER_REGISTRATION_TYPE,
  SIGNER_REGISTRATION_TYPEHASH,
  domainSeparator,
  hashObservationStruct,
  observationDigest,
  signObservation,
  signSignerRegistration,
  signerRegistrationDigest,
  toCompactSignature,
  type Observation,
  type ObservationDomain,
} from '../src/eip712.ts'

export const vectorsFile = new URL('../vectors/observation.json', import.meta.url)

/** Deterministic test key: keccak256("sibyl golden vector key"). Never use it for anything real. */
const privateKey = keccak256(toUtf8Bytes('sibyl golden vector key'))

const cases: { note: string; domain: ObservationDomain; observation: Observation }[] = [
  {
    note: 'an outcome answer (index 1) on the local anvil chain',
    domain: { chainId: 31337n, verifyingContract: '0x5FbDB2315678afecb367f032d93F642f64180aa3' },
    observation: {
      requestId: keccak256(toUtf8Bytes('request 1')),
      round: 0,
      answer: 1n,
      confidenceBps: 9_250,
      evidenceHash: keccak256(toUtf8Bytes('evidence bytes')),
      modelHash: keccak256(toUtf8Bytes('model bytes')),
    },
  },
  {
    note: 'the reserved answer UNRESOLVABLE (-1) in round 3 on mainnet ids: negative int256 encoding',
    domain: { chainId: 1n, verifyingContract: '0x00000000000000000000000000000000DeaDBeef' },
    observation: {
      requestId: `0x${'ab'.repeat(32)}`,
      round: 3,
      answer: -1n,
      confidenceBps: 0,
      evidenceHash: `0x${'00'.repeat(32)}`,
      modelHash: `0x${'ff'.repeat(32)}`,
    },
  },
  {
    note: 'a large answer (a price with 8 decimals, as feeds signed before FeedObservation) at the uint32 round limit',
    domain: { chainId: 42161n, verifyingContract: '0x1111111111111111111111111111111111111111' },
    observation: {
      requestId: keccak256(toUtf8Bytes('ETH / USD')),
      round: 4_294_967_295,
      answer: 312_345_678_901n,
      confidenceBps: 10_000,
      evidenceHash: keccak256(toUtf8Bytes('<html>price</html>')),
      modelHash: keccak256(toUtf8Bytes('structured:price@1')),
    },
  },
]

/** Feed values: the Observation's fields (requestId = feed id, round = feed round) plus observedAt. */
const feedCases: { note: string; domain: ObservationDomain; observation: Observation & { observedAt: number } }[] = [
  {
    note: 'a feed value (price with 8 decimals) observed at a 2024 timestamp',
    domain: { chainId: 31337n, verifyingContract: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512' },
    observation: {
      requestId: keccak256(toUtf8Bytes('ETH / USD')),
      round: 1,
      answer: 312_345_678_901n,
      observedAt: 1_717_171_717,
      confidenceBps: 10_000,
      evidenceHash: keccak256(toUtf8Bytes('<html>price</html>')),
      modelHash: keccak256(toUtf8Bytes('structured:price@1')),
    },
  },
  {
    note: 'a negative feed value at the uint32 round limit, observedAt the largest safe integer',
    domain: { chainId: 42161n, verifyingContract: '0x1111111111111111111111111111111111111111' },
    observation: {
      requestId: keccak256(toUtf8Bytes('SPREAD / BPS')),
      round: 4_294_967_295,
      answer: -42n,
      // The largest safe integer: uint64 on-chain, a JavaScript number here.
      observedAt: Number.MAX_SAFE_INTEGER,
      confidenceBps: 1,
      evidenceHash: `0x${'00'.repeat(32)}`,
      modelHash: `0x${'ff'.repeat(32)}`,
    },
  },
]

/** Signer registrations: the signing key's consent to be registered by an operator on one Staking contract. */
const registrationCases: { note: string; chainId: bigint; stakingAddress: string; operator: string }[] = [
  {
    note: 'a registration on the local anvil chain',
    chainId: 31337n,
    stakingAddress: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
    operator: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  },
]

export async function makeVectors() {
  const wallet = new Wallet(privateKey)
  const vectors = []
  for (const c of cases) {
    const signed = await signObservation({ signer: wallet, domain: c.domain, observation: c.observation })
    const compact = toCompactSignature(signed.signature)
    vectors.push({
      note: c.note,
      chainId: c.domain.chainId.toString(),
      verifyingContract: c.domain.verifyingContract,
      requestId: c.observation.requestId,
      round: c.observation.round,
      answer: c.observation.answer.toString(),
      confidenceBps: c.observation.confidenceBps,
      evidenceHash: c.observation.evidenceHash,
      modelHash: c.observation.modelHash,
      expected: {
        domainSeparator: domainSeparator(c.domain),
        structHash: hashObservationStruct(c.observation),
        digest: observationDigest(c.domain, c.observation),
        signer: signed.signer,
        signature: signed.signature,
        r: compact.r,
        yParityAndS: compact.yParityAndS,
      },
    })
  }
  const feedVectors = []
  for (const c of feedCases) {
    const signed = await signObservation({ signer: wallet, domain: c.domain, observation: c.observation })
    const compact = toCompactSignature(signed.signature)
    feedVectors.push({
      note: c.note,
      chainId: c.domain.chainId.toString(),
      verifyingContract: c.domain.verifyingContract,
      feedId: c.observation.requestId,
      roundId: c.observation.round,
      answer: c.observation.answer.toString(),
      observedAt: c.observation.observedAt.toString(),
      confidenceBps: c.observation.confidenceBps,
      evidenceHash: c.observation.evidenceHash,
      modelHash: c.observation.modelHash,
      expected: {
        domainSeparator: domainSeparator(c.domain),
        structHash: hashObservationStruct(c.observation),
        digest: observationDigest(c.domain, c.observation),
        signer: signed.signer,
        signature: signed.signature,
        r: compact.r,
        yParityAndS: compact.yParityAndS,
      },
    })
  }
  const registrationVectors = []
  for (const c of registrationCases) {
    const signature = await signSignerRegistration({ signer: wallet, operator: c.operator, chainId: c.chainId, stakingAddress: c.stakingAddress })
    registrationVectors.push({
      note: c.note,
      chainId: c.chainId.toString(),
      verifyingContract: c.stakingAddress,
      operator: c.operator,
      signer: wallet.address,
      expected: {
        digest: signerRegistrationDigest({ operator: c.operator, signer: wallet.address, chainId: c.chainId, stakingAddress: c.stakingAddress }),
        signature,
      },
    })
  }
  return {
    about:
      'Golden vectors for the EIP-712 Observation, FeedObservation and SignerRegistration. Domain: {name "Sibyl", ' +
      'version "1", chainId, verifyingContract}. digest = keccak256(0x1901 ++ domainSeparator ++ structHash). ' +
      'r/yParityAndS is the EIP-2098 compact form the contracts take. Made by protocol/scripts/make-vectors.ts with ' +
      'a throwaway key.',
    type: OBSERVATION_TYPE,
    typeHash: OBSERVATION_TYPEHASH,
    privateKey,
    vectors,
    feedType: FEED_OBSERVATION_TYPE,
    feedTypeHash: FEED_OBSERVATION_TYPEHASH,
    feedVectors,
    registrationType: SIGNER_REGISTRATION_TYPE,
    registrationTypeHash: SIGNER_REGISTRATION_TYPEHASH,
    registrationVectors,
  }
}

export function serializeVectors(v: Awaited<ReturnType<typeof makeVectors>>): string {
  return `${JSON.stringify(v, null, 2)}\n`
}

if (process.argv[1]?.endsWith('make-vectors.ts')) {
  const text = serializeVectors(await makeVectors())
  if (process.argv.includes('--write')) writeFileSync(vectorsFile, text)
  else process.stdout.write(text)
}
