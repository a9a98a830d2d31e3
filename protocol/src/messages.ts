/**
 * Schemas of what crosses NATS. Nothing received is trusted: a message is parsed by these schemas, then
 * its signature is checked against the domain it names and the domain the receiver expects.
 */
import { z } from 'zod'
import type { ObservationDomain, SignedObservation } from './eip712.ts'
import { addressSchema, bytes32Schema } from './schema-parts.ts'

const bytes32 = bytes32Schema
const address = addressSchema
/** Integers travel as decimal strings: JSON numbers lose precision past 2^53. */
const decimalInt = z.string().regex(/^-?(0|[1-9][0-9]{0,76})$/, 'expected a decimal integer string')
const uintString = z.string().regex(/^(0|[1-9][0-9]{0,76})$/, 'expected a decimal unsigned integer string')

export const observationMessageSchema = z
  .object({
    version: z.literal(1),
    kind: z.enum(['resolution', 'feed']),
    domain: z.object({ chainId: uintString, verifyingContract: address }).strict(),
    observation: z
      .object({
        requestId: bytes32,
        round: z.number().int().min(0).max(0xffffffff),
        answer: decimalInt,
        confidenceBps: z.number().int().min(0).max(10_000),
        evidenceHash: bytes32,
        modelHash: bytes32,
      })
      .strict(),
    signer: address,
    signature: z.string().regex(/^0x[0-9a-fA-F]{130}$/, 'expected a 65-byte signature'),
    /** Which model judged, by id; its hash is signed in observation.modelHash. */
    modelId: z.string().min(1).max(200),
    observedAtMs: z.number().int().nonnegative(),
  })
  .strict()

export type ObservationMessage = z.infer<typeof observationMessageSchema>

export function toObservationMessage(
  kind: ObservationMessage['kind'],
  domain: ObservationDomain,
  signed: SignedObservation,
  meta: { modelId: string; observedAtMs: number },
): ObservationMessage {
  const o = signed.observation
  return {
    version: 1,
    kind,
    domain: { chainId: domain.chainId.toString(), verifyingContract: domain.verifyingContract },
    observation: { ...o, answer: o.answer.toString() },
    signer: signed.signer,
    signature: signed.signature,
    modelId: meta.modelId,
    observedAtMs: meta.observedAtMs,
  }
}

export function fromObservationMessage(message: ObservationMessage): { domain: ObservationDomain; signed: SignedObservation } {
  return {
    domain: { chainId: BigInt(message.domain.chainId), verifyingContract: message.domain.verifyingContract },
    signed: {
      observation: { ...message.observation, answer: BigInt(message.observation.answer) },
      signer: message.signer,
      signature: message.signature,
    },
  }
}

/**
 * What an aggregator publishes when a round closes: who disagreed with the committed answer (or with the
 * median, for a feed) and which active operators did not answer. Evidence for a dispute, not proof: every
 * listed observation carries its signature, so anyone can check it against the chain.
 */
export const outlierMessageSchema = z
  .object({
    version: z.literal(1),
    kind: z.enum(['resolution', 'feed']),
    domain: z.object({ chainId: uintString, verifyingContract: address }).strict(),
    requestId: bytes32,
    round: z.number().int().min(0).max(0xffffffff),
    /** committed: the answer is on-chain; no-quorum: the round closed at its deadline without a quorum. */
    outcome: z.enum(['committed', 'no-quorum']),
    committedAnswer: decimalInt.optional(),
    commitTx: z.string().regex(/^0x[0-9a-fA-F]{64}$/).optional(),
    outliers: z
      .array(
        z
          .object({
            signer: address,
            answer: decimalInt,
            reason: z.string().max(200),
            signature: z.string().regex(/^0x[0-9a-fA-F]{130}$/),
            confidenceBps: z.number().int().min(0).max(10_000),
            evidenceHash: bytes32,
            modelHash: bytes32,
            /**
             * The observation arrived after the round was committed: it took no part in the decision, but a
             * late dissent is still a signed dissent. Absent when it arrived on time.
             */
            late: z.literal(true).optional(),
            /**
             * Where the evidence bundle behind `evidenceHash` is fetched: the signer's bucket in the JetStream
             * object store and the object's name (evidence-bundle.ts `evidenceLocation`). Optional: a reader can
             * derive it from signer and evidenceHash; reports written before it existed lack it.
             */
            evidence: z.object({ bucket: z.string().regex(/^sibyl_evidence_[0-9a-f]{40}$/), object: z.string().regex(/^0x[0-9a-f]{64}$/) }).strict().optional(),
          })
          .strict(),
      )
      .max(256),
    nonResponders: z.array(address).max(256),
    reportedBy: z.string().max(64),
    closedAtMs: z.number().int().nonnegative(),
  })
  .strict()

export type OutlierMessage = z.infer<typeof outlierMessageSchema>
