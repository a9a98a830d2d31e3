/**
 * Test fixture: an Observation with sensible defaults, any field overridden. Every test that builds an
 * observation uses it, so a change to the typed data is made in one place.
 */
import { keccak256, toUtf8Bytes } from 'ethers'
import type { Observation } from '../eip712.ts'

export const FIXTURE_REQUEST_ID = keccak256(toUtf8Bytes('sibyl fixture request'))
export const FIXTURE_EVIDENCE_HASH = keccak256(toUtf8Bytes('sibyl fixture evidence'))
export const FIXTURE_MODEL_HASH = keccak256(toUtf8Bytes('sibyl fixture model'))

export function buildObservation(overrides: Partial<Observation> = {}): Observation {
  return {
    requestId: FIXTURE_REQUEST_ID,
    round: 0,
    answer: 0n,
    confidenceBps: 9000,
    evidenceHash: FIXTURE_EVIDENCE_HASH,
    modelHash: FIXTURE_MODEL_HASH,
    ...overrides,
  }
}
