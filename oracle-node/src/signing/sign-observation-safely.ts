/**
 * The only way the node signs: journal first (a committed row, then fsynced off the event loop), then sign through protocol/. A conflict
 * or a journal that cannot be written is a value, not an exception: the caller logs it, counts it
 * (sibyl_signing_refusals_total{reason}), and publishes nothing.
 */
import type { Signer } from 'ethers'
import { observationDigest, signObservation, type Observation, type ObservationDomain, type SignedObservation } from '@sibyl/protocol/eip712'
import { storeErrorReason, type SigningJournal } from './signing-journal.ts'

export type SignSafelyResult =
  | { kind: 'signed'; signed: SignedObservation; repeated: boolean }
  | { kind: 'refused'; reason: 'conflicting_observation'; recordedDigest: string; digest: string }
  /** The journal could not record it (disk full, I/O error): what is not on disk is not signed. */
  | { kind: 'refused'; reason: 'store_write_failed'; detail: string; digest: string }

export async function signObservationSafely(
  deps: { signer: Signer; journal: SigningJournal; nowMs: () => number },
  domain: ObservationDomain,
  observation: Observation,
): Promise<SignSafelyResult> {
  const digest = observationDigest(domain, observation)
  // A feed value signs the time it was observed: it is journaled per (round, observedAt), so a round that
  // stalls can be observed again later (FeedAggregator counts one value per signer and refuses stale ones).
  // A resolution observation stays one per (request, round).
  const requestId = observation.observedAt === undefined ? observation.requestId : `${observation.requestId}@${observation.observedAt}`
  const recorded = deps.journal.record(
    { chainId: domain.chainId, contract: domain.verifyingContract, requestId, round: observation.round },
    digest,
    observation,
    deps.nowMs(),
    // A feed key carries its observation time and never recurs: prunable once past the retention.
    observation.observedAt === undefined ? {} : { settledAtMs: deps.nowMs() },
  )
  if (recorded.kind === 'failed') return { kind: 'refused', reason: 'store_write_failed', detail: recorded.reason, digest }
  if (recorded.kind === 'conflict') {
    return { kind: 'refused', reason: 'conflicting_observation', recordedDigest: recorded.recordedDigest, digest }
  }
  // Committed is not yet on the disk: the fsync runs off the event loop, and a signature waits for it. An entry
  // that was recorded earlier (a restart, a retry after a failed flush) is flushed again before it is signed.
  try {
    await deps.journal.durable()
  } catch (error) {
    return { kind: 'refused', reason: 'store_write_failed', detail: `fsync: ${storeErrorReason(error)}`, digest }
  }
  const signed = await signObservation({ signer: deps.signer, domain, observation })
  return { kind: 'signed', signed, repeated: recorded.kind === 'unchanged' }
}
