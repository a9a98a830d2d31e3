/**
 * One round's durable record: every accepted observation, where the round stands, who holds the commit and
 * what was committed. It lives in JetStream KV and is changed only by compare-and-set, so any number of
 * aggregators (and an aggregator restarted mid-round) share one truth.
 */
import { z } from 'zod'
import { MAX_SIGNERS_PER_ROUND } from '@sibyl/protocol/limits'
import { addressSchema, bytes32Schema } from '@sibyl/protocol/schema-parts'

const decimalInt = z.string().regex(/^-?(0|[1-9][0-9]{0,76})$/)

export const storedObservationSchema = z
  .object({
    signer: addressSchema,
    answer: decimalInt,
    confidenceBps: z.number().int().min(0).max(10_000),
    evidenceHash: bytes32Schema,
    modelHash: bytes32Schema,
    signature: z.string().regex(/^0x[0-9a-fA-F]{130}$/),
    modelId: z.string().max(200),
    observedAtMs: z.number().int().nonnegative(),
    receivedAtMs: z.number().int().nonnegative(),
    /**
     * Arrived after the round was committed: kept as evidence for the outlier report (a late dissent is
     * still a dissent), never counted towards the round's decision.
     */
    late: z.literal(true).optional(),
    /** [low, high] bps around confidenceBps, when the node's message carried one (for the confidence spread). */
    confidenceInterval: z.tuple([z.number().int().min(0).max(10_000), z.number().int().min(0).max(10_000)]).optional(),
  })
  .strict()

export const roundStates = ['open', 'committing', 'committed', 'no-quorum', 'failed'] as const

export const roundRecordSchema = z
  .object({
    version: z.literal(1),
    kind: z.enum(['resolution', 'feed']),
    contract: addressSchema,
    requestId: bytes32Schema,
    round: z.number().int().min(0).max(0xffffffff),
    openedAtMs: z.number().int().nonnegative(),
    deadlineAtMs: z.number().int().nonnegative(),
    state: z.enum(roundStates),
    /** When the observations first made a quorum (time-to-quorum metric). */
    quorumAtMs: z.number().int().nonnegative().optional(),
    /** One observation per signer, on time or late; bounded like a report (MAX_SIGNERS_PER_ROUND). */
    observations: z.array(storedObservationSchema).max(MAX_SIGNERS_PER_ROUND),
    /** Signers that sent a second, different observation for this round: evidence for a dispute. */
    equivocations: z.array(z.object({ signer: addressSchema, answer: decimalInt, signature: z.string() }).strict()).max(MAX_SIGNERS_PER_ROUND),
    claim: z.object({ by: z.string(), untilMs: z.number().int(), attempts: z.number().int().min(0) }).strict().optional(),
    commit: z
      .object({
        answer: decimalInt,
        signers: z.array(addressSchema).max(MAX_SIGNERS_PER_ROUND),
        by: z.string(),
        atMs: z.number().int(),
        txHash: z.string().optional(),
        gasUsed: z.string().optional(),
        /** Another aggregator (or someone) committed first; we found it on-chain and stood down. */
        byOther: z.boolean(),
      })
      .strict()
      .optional(),
    lastError: z.string().max(2000).optional(),
    /** The outlier report for this round's current content was published (false again when evidence arrives). */
    reported: z.boolean(),
    /**
     * What the last published report covered. Observations and equivocations are only ever appended, so
     * (outcome, counts) names a report's content: it is the report's revision, in its message id.
     */
    lastReport: z
      .object({
        outcome: z.enum(['committed', 'no-quorum']),
        observations: z.number().int().min(0).max(MAX_SIGNERS_PER_ROUND),
        equivocations: z.number().int().min(0).max(MAX_SIGNERS_PER_ROUND),
      })
      .strict()
      .optional(),
    activeAtOpen: z.number().int().min(0).max(MAX_SIGNERS_PER_ROUND),
  })
  .strict()

export type StoredObservation = z.infer<typeof storedObservationSchema>
export type RoundState = (typeof roundStates)[number]
export type RoundRecord = z.infer<typeof roundRecordSchema>
export type RoundKind = RoundRecord['kind']

export type RoundTarget = { kind: RoundKind; contract: string; requestId: string; round: number }

/** KV keys allow [-/_=.a-zA-Z0-9]; lower-case hex keeps one key per round whatever the input's case. */
export function roundKey({ kind, contract, requestId, round }: RoundTarget): string {
  return `${kind === 'resolution' ? 'res' : 'feed'}.${contract.toLowerCase()}.${requestId.toLowerCase()}.${round}`
}

/**
 * Finished: nothing more to commit. `failed` is not finished: it only says the commit has failed
 * maxCommitAttempts times so far; it is tried again, with a capped backoff, until it lands or the chain
 * shows the request settled (then the round is `committed`, by another).
 */
export function isFinished(state: RoundState): boolean {
  return state === 'committed' || state === 'no-quorum'
}
