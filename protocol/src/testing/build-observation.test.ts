import test from 'ava'
import { hashObservationStruct, type Observation } from '../eip712.ts'
import { FIXTURE_EVIDENCE_HASH, FIXTURE_MODEL_HASH, FIXTURE_REQUEST_ID, buildObservation } from './build-observation.ts'

test('buildObservation without overrides is a valid observation of the fixture request', (t) => {
  const observation = buildObservation()
  t.deepEqual(observation, {
    requestId: FIXTURE_REQUEST_ID,
    round: 0,
    answer: 0n,
    confidenceBps: 9000,
    evidenceHash: FIXTURE_EVIDENCE_HASH,
    modelHash: FIXTURE_MODEL_HASH,
  })
  // Every field passes the same checks as a signed one (bytes32 hashes, uint32 round, basis points).
  t.regex(hashObservationStruct(observation), /^0x[0-9a-f]{64}$/)
})

test('buildObservation takes each override as given and keeps the other defaults', (t) => {
  const overrides: Partial<Observation> = { round: 3, answer: -1n, confidenceBps: 10_000 }
  t.deepEqual(buildObservation(overrides), { ...buildObservation(), ...overrides })
  t.is(buildObservation({ requestId: FIXTURE_MODEL_HASH }).requestId, FIXTURE_MODEL_HASH)
  t.is(buildObservation({ answer: 2n }).evidenceHash, FIXTURE_EVIDENCE_HASH)
})

test('buildObservation returns a new object each time, so a test that changes one does not change the next', (t) => {
  const first = buildObservation()
  first.round = 7
  t.is(buildObservation().round, 0)
  t.not(buildObservation(), buildObservation())
})
