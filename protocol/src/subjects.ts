/**
 * NATS subjects and streams. A subject names chain, contract and request so consumers can filter, and a
 * message id makes JetStream drop a republished observation (a node restarted mid-publish).
 */
export const SUBJECT_PREFIX = 'sibyl.v1'

export const streams = {
  observations: { name: 'SIBYL_OBSERVATIONS', subjects: [`${SUBJECT_PREFIX}.obs.>`] },
  outliers: { name: 'SIBYL_OUTLIERS', subjects: [`${SUBJECT_PREFIX}.outliers.>`] },
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
