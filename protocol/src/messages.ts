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
    /**
     * [low, high] in bps around observation.confidenceBps, from the node's judge (absent when it gave none). Not in
     * the EIP-712 struct, but bound by the signature all the same: the evidence bundle behind the signed
     * evidenceHash carries the same interval in its header (evidence-bundle.ts), and a reader can check the two.
     */
    confidenceInterval: z.tuple([z.number().int().min(0).max(10_000), z.number().int().min(0).max(10_000)]).optional(),
    /** Articles (or sources) that gave the judge text, as the evidence bundle's header says. */
    articlesRead: z.number().int().min(0).max(1_000_000).optional(),
  })
  .strict()
  .superRefine(function checkInterval(message, ctx) {
    const interval = message.confidenceInterval
    if (interval === undefined) return
    const [low, high] = interval
    if (!(low <= message.observation.confidenceBps && message.observation.confidenceBps <= high)) {
      ctx.addIssue({ code: 'custom', path: ['confidenceInterval'], message: 'expected 0 <= low <= observation.confidenceBps <= high <= 10000' })
    }
  })

export type ObservationMessage = z.infer<typeof observationMessageSchema>

export function toObservationMessage(
  kind: ObservationMessage['kind'],
  domain: ObservationDomain,
  signed: SignedObservation,
  meta: { modelId: string; observedAtMs: number; confidenceInterval?: [number, number]; articlesRead?: number },
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
    ...(meta.confidenceInterval === undefined ? {} : { confidenceInterval: meta.confidenceInterval }),
    ...(meta.articlesRead === undefined ? {} : { articlesRead: meta.articlesRead }),
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

const bps = z.number().int().min(0).max(10_000)
const bpsSpread = z.object({ minBps: bps, medianBps: bps, maxBps: bps }).strict()
export const confidenceSpreadSchema = z
  .object({
    observations: z.number().int().min(0).max(256),
    ...bpsSpread.shape,
    interval: z.object({ observations: z.number().int().min(1).max(256), low: bpsSpread, high: bpsSpread }).strict().optional(),
  })
  .strict()

export type ConfidenceSpread = z.infer<typeof confidenceSpreadSchema>

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
    /**
     * The network's spread of confidence in the round: min / median (lower) / max of the signed confidenceBps of
     * the on-time observations, and of their intervals' ends when the messages carried confidenceInterval.
     */
    confidence: confidenceSpreadSchema.optional(),
    /** ResolutionOracle.getScrutiny of the committed answer, when the reporter read it (resolution rounds). */
    scrutiny: z
      .object({ contested: z.boolean(), dissentCount: z.number().int().min(0).max(255), medianConfidenceBps: bps, disputeEndsAt: uintString })
      .strict()
      .optional(),
    reportedBy: z.string().max(64),
    closedAtMs: z.number().int().nonnegative(),
  })
  .strict()

export type OutlierMessage = z.infer<typeof outlierMessageSchema>
