/**
 * NATS subjects and streams. A subject names chain, contract and request so consumers can filter, and a
 * message id makes JetStream drop a republished observation (a node restarted mid-publish).
 */
export const SUBJECT_PREFIX = 'sibyl.v1'

/** JetStream drops a message whose id it has seen within this window (a node republishing after a restart). */
export const DUPLICATE_WINDOW_MS = 2 * 60 * 60 * 1000

/**
 * The JetStream streams, with their limits. Observations are kept a day (a round is decided in minutes);
 * outlier reports a month (dispute evidence outlives the dispute window and the voting period).
 */
export const streams = {
  observations: {
    name: 'SIBYL_OBSERVATIONS',
    subjects: [`${SUBJECT_PREFIX}.obs.>`],
    maxAgeMs: 24 * 60 * 60 * 1000,
    duplicateWindowMs: DUPLICATE_WINDOW_MS,
    maxMsgBytes: 64 * 1024,
  },
  outliers: {
    name: 'SIBYL_OUTLIERS',
    subjects: [`${SUBJECT_PREFIX}.outliers.>`],
    maxAgeMs: 30 * 24 * 60 * 60 * 1000,
    duplicateWindowMs: DUPLICATE_WINDOW_MS,
    maxMsgBytes: 256 * 1024,
  },
} as const

/** The JetStream KV bucket where aggregators keep round records (compare-and-set), one per chain. */
export const roundsBucket = {
  name: (chainId: bigint | number) => `sibyl_rounds_${chainId}`,
  ttlMs: 7 * 24 * 60 * 60 * 1000,
  maxValueBytes: 256 * 1024,
  history: 1,
} as const

type Target = { chainId: bigint; contract: string; requestId: string }

function tokens({ chainId, contract, requestId }: Target): string {
  return `${chainId}.${contract.toLowerCase()}.${requestId.toLowerCase()}`
}

export function observationSubject(target: Target): string {
  return `${SUBJECT_PREFIX}.obs.${tokens(target)}`
}

export function outlierSubject(target: Target): string {
  return `${SUBJECT_PREFIX}.outliers.${tokens(target)}`
}

/** Every observation for one contract on one chain. */
export function observationFilter(chainId: bigint, contract: string): string {
  return `${SUBJECT_PREFIX}.obs.${chainId}.${contract.toLowerCase()}.>`
}

/** One node signs at most one observation per request and round, so this id is unique per honest message. */
export function observationMessageId(target: Target & { round: number; signer: string }): string {
  return `${tokens(target)}.${target.round}.${target.signer.toLowerCase()}`
}
