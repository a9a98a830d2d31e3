/**
 * NATS subjects, streams and buckets, with their limits: the one definition the node, the aggregator, the
 * readers, the NATS permissions (`service-kit/src/nats/nats-permissions.ts`) and the provisioning read.
 *
 * An observation's subject names its chain and its **signer**: `sibyl.v1.obs.<chainId>.<signer>`. The signer
 * is there so that NATS permissions can pin it (a node's identity may publish on its own signer's subject and
 * no other), and so that the stream's per-subject limit is a per-signer limit: whatever one identity floods,
 * it can only push out its own oldest messages, never another signer's. Contract and request stay in the
 * message, where the aggregator checks them (domain check), not in the subject, because a token a publisher
 * chooses freely would let it spread a flood over unlimited subjects and escape the per-subject limit.
 */
import { MAX_SIGNERS_PER_ROUND } from './limits.ts'

export const SUBJECT_PREFIX = 'sibyl.v1'

const KIB = 1024
const MIB = 1024 * KIB
const GIB = 1024 * MIB
const MINUTE_MS = 60 * 1000
const HOUR_MS = 60 * MINUTE_MS
const DAY_MS = 24 * HOUR_MS

/**
 * How long JetStream remembers an observation's message id. A node's own publish retries take seconds and a
 * restarted node republishes what it journaled within minutes; a copy arriving later is stored twice and the
 * aggregator drops it as a duplicate (same signature). Short on purpose: the server keeps every id of the
 * window in memory, so the window bounds what a flooding identity can make it remember.
 */
export const DUPLICATE_WINDOW_MS = 10 * MINUTE_MS

/** Observations one signer may have waiting in the stream (per-subject limit; older ones of that signer go first). */
export const MAX_PENDING_OBSERVATIONS_PER_SIGNER = 1000

/** Signers a deployment's limits are sized for: twice the most that can sign one round (joiners, leavers, a flooder). */
export const SIZED_FOR_SIGNERS = 2 * MAX_SIGNERS_PER_ROUND

export type StreamLimits = {
  name: string
  subjects: readonly string[]
  maxAgeMs: number
  duplicateWindowMs: number
  /** Largest message, headers included. */
  maxMsgBytes: number
  /** Messages kept per subject (-1: no limit). */
  maxMsgsPerSubject: number
  maxMsgs: number
  maxBytes: number
  /** What happens at a limit: `old` drops the oldest messages, `new` refuses the new one. */
  discard: 'old' | 'new'
}

/**
 * The JetStream streams, with limits chosen from the network's size (written down in the README, "The message
 * bus"):
 * - observations: an observation message is under 1.2 KiB (fixed fields, a model id of at most 200 characters,
 *   the message id header); 4 KiB leaves room and refuses anything bigger. Each signer keeps at most
 *   MAX_PENDING_OBSERVATIONS_PER_SIGNER messages (about a day of a busy node's requests and feed rounds, so an
 *   aggregator outage of hours loses nothing), for SIZED_FOR_SIGNERS signers: 128,000 messages, 512 MiB at
 *   most, never reached in normal operation. Kept a day: a round is decided in minutes.
 * - outliers: a report lists at most 256 entries with signatures, under 150 KiB; a request keeps its 16 latest
 *   revisions; kept 30 days (dispute evidence outlives the dispute window and the voting period); 1 GiB.
 */
export const streams = {
  observations: {
    name: 'SIBYL_OBSERVATIONS',
    // Publishers are pinned to `obs.<chain>.<own signer>` by their permissions, so every subject in the stream is
    // one signer's; `>` keeps consumers' filters such as `obs.<chain>.>` valid subsets.
    subjects: [`${SUBJECT_PREFIX}.obs.>`],
    maxAgeMs: DAY_MS,
    duplicateWindowMs: DUPLICATE_WINDOW_MS,
    maxMsgBytes: 4 * KIB,
    maxMsgsPerSubject: MAX_PENDING_OBSERVATIONS_PER_SIGNER,
    maxMsgs: SIZED_FOR_SIGNERS * MAX_PENDING_OBSERVATIONS_PER_SIGNER,
    maxBytes: 512 * MIB,
    discard: 'old',
  },
  outliers: {
    name: 'SIBYL_OUTLIERS',
    subjects: [`${SUBJECT_PREFIX}.outliers.>`],
    maxAgeMs: 30 * DAY_MS,
    duplicateWindowMs: 2 * HOUR_MS,
    maxMsgBytes: 256 * KIB,
    maxMsgsPerSubject: 16,
    maxMsgs: 1_000_000,
    maxBytes: GIB,
    discard: 'old',
  },
} as const satisfies Record<string, StreamLimits>

/**
 * The JetStream KV bucket where aggregators keep round records (compare-and-set), one per chain. A record holds
 * at most MAX_SIGNERS_PER_ROUND observations (under 64 KiB; 256 KiB refuses anything bigger); a week of rounds
 * at 1 GiB is over 100,000 rounds of the largest size. Full, it refuses writes (KV's own discard policy) rather
 * than drop a record an aggregator still needs.
 */
export const roundsBucket = {
  name: (chainId: bigint | number | string) => `sibyl_rounds_${chainId}`,
  /** The JetStream stream behind the bucket (what permissions and provisioning name). */
  streamName: (chainId: bigint | number | string) => `KV_sibyl_rounds_${chainId}`,
  ttlMs: 7 * DAY_MS,
  maxValueBytes: 256 * KIB,
  maxBytes: GIB,
  history: 1,
} as const

/**
 * Each node's evidence archive: a JetStream object store of its own, so that NATS permissions can let a node
 * write its own bucket and nobody else's (an object store's chunk subjects are random, so one shared bucket
 * could not be split by permission). Everyone in the network reads every bucket.
 */
export const evidenceBucket = {
  name: (signer: string) => `sibyl_evidence_${signerToken(signer).slice(2)}`,
  streamName: (signer: string) => `OBJ_sibyl_evidence_${signerToken(signer).slice(2)}`,
  ttlMs: 30 * DAY_MS,
  /** Per node: a month of a node's fetched pages at a few MiB a question, after compression. */
  maxBytes: 256 * MIB,
} as const

/** A signer address as a subject token: lowercase 0x-hex. */
export function signerToken(signer: string): string {
  if (!/^0x[0-9a-fA-F]{40}$/.test(signer)) throw new Error(`not an address: ${signer}`)
  return signer.toLowerCase()
}

type Target = { chainId: bigint; contract: string; requestId: string }

function tokens({ chainId, contract, requestId }: Target): string {
  return `${chainId}.${contract.toLowerCase()}.${requestId.toLowerCase()}`
}

/** Where a signer publishes its observations on a chain. */
export function observationSubject({ chainId, signer }: { chainId: bigint; signer: string }): string {
  return `${SUBJECT_PREFIX}.obs.${chainId}.${signerToken(signer)}`
}

export function outlierSubject(target: Target): string {
  return `${SUBJECT_PREFIX}.outliers.${tokens(target)}`
}

/**
 * Where the outlier report of a contested answer also goes, for governance (the dispute council): inside the
 * outlier stream, so it is kept as long as dispute evidence, and publishable by every aggregator.
 */
export function governanceReportSubject(target: Target): string {
  return `${outlierSubject(target)}.governance`
}

/** Every observation on one chain. */
export function observationFilter(chainId: bigint): string {
  return `${SUBJECT_PREFIX}.obs.${chainId}.*`
}

/**
 * The message id JetStream deduplicates an observation by. JetStream deduplicates across the whole stream, not
 * per subject, so an id anyone can compute could be published first by another identity on its own subject,
 * and the honest publish would come back `duplicate` and never be sent again. The id therefore ends with the
 * first 16 bytes of the signature's r: nobody without the signer's key can know it before the signer publishes,
 * and the same signed observation published again (a retry, a restart) has the same id.
 */
export function observationMessageId(target: Target & { round: number; signer: string; signature: string }): string {
  if (!/^0x[0-9a-fA-F]{64,}$/.test(target.signature)) throw new Error('observationMessageId: a signature is required')
  return `${tokens(target)}.${target.round}.${signerToken(target.signer)}.${target.signature.slice(2, 34).toLowerCase()}`
}
