import test from 'ava'
import { Wallet, keccak256, toUtf8Bytes } from 'ethers'
import { signObservation, recoverObservationSigner } from './eip712.ts'
import { fromObservationMessage, observationMessageSchema, outlierMessageSchema, toObservationMessage } from './messages.ts'
import { observationFilter, observationMessageId, observationSubject, outlierSubject, streams } from './subjects.ts'
import { ANSWER_TOO_EARLY, ANSWER_UNRESOLVABLE, decodeAnswer, encodeAnswer } from './answers.ts'
import { maxFaulty, quorumFor } from './quorum.ts'

const domain = { chainId: 31337n, verifyingContract: '0x5FbDB2315678afecb367f032d93F642f64180aa3' }
const observation = {
  requestId: keccak256(toUtf8Bytes('q')),
  round: 0,
  answer: -1n,
  confidenceBps: 7000,
  evidenceHash: keccak256(toUtf8Bytes('e')),
  modelHash: keccak256(toUtf8Bytes('m')),
}

test('an observation survives the trip through a JSON message, big and negative integers included', async (t) => {
  const wallet = Wallet.createRandom()
  for (const answer of [-1n, 2n ** 200n, -(2n ** 255n)]) {
    const signed = await signObservation({ signer: wallet, domain, observation: { ...observation, answer } })
    const message = toObservationMessage('resolution', domain, signed, { modelId: 'google/universal-sentence-encoder-lite', observedAtMs: 1 })
    const parsed = observationMessageSchema.parse(JSON.parse(JSON.stringify(message)))
    const back = fromObservationMessage(parsed)
    t.deepEqual(back.signed.observation, signed.observation)
    t.is(recoverObservationSigner(back.domain, back.signed.observation, back.signed.signature), wallet.address)
  }
})

test('malformed messages are rejected by the schema with the path of what is wrong', async (t) => {
  const signed = await signObservation({ signer: Wallet.createRandom(), domain, observation })
  const good = toObservationMessage('resolution', domain, signed, { modelId: 'm', observedAtMs: 0 })
  const bad: [string, unknown][] = [
    ['observation.answer', { ...good, observation: { ...good.observation, answer: 1.5 } }],
    ['observation.answer', { ...good, observation: { ...good.observation, answer: '1e3' } }],
    ['observation.round', { ...good, observation: { ...good.observation, round: -1 } }],
    ['observation.confidenceBps', { ...good, observation: { ...good.observation, confidenceBps: 10_001 } }],
    ['signature', { ...good, signature: '0x00' }],
    ['signer', { ...good, signer: 'alice' }],
    ['domain.chainId', { ...good, domain: { ...good.domain, chainId: '-1' } }],
    ['extra', { ...good, extra: true }],
    ['version', { ...good, version: 2 }],
  ]
  for (const [path, message] of bad) {
    const result = observationMessageSchema.safeParse(message)
    t.false(result.success, path)
    if (!result.success) {
      const paths = result.error.issues.map((i) => i.path.join('.') || (i.code === 'unrecognized_keys' ? 'extra' : ''))
      t.true(paths.some((p) => p === path || (path === 'extra' && p === 'extra')), `${path} in ${paths.join(',')}`)
    }
  }
})

test('subjects and message ids name chain, contract, request and signer', (t) => {
  const target = { chainId: 31337n, contract: '0xABCDEFabcdef0123456789012345678901234567', requestId: `0x${'AB'.repeat(32)}` }
  const signer = '0x00000000000000000000000000000000000000Aa'
  t.is(observationSubject({ chainId: 31337n, signer }), 'sibyl.v1.obs.31337.0x00000000000000000000000000000000000000aa')
  t.is(observationFilter(31337n), 'sibyl.v1.obs.31337.*')
  t.is(outlierSubject(target).split('.')[2], 'outliers')
  t.is(streams.observations.subjects[0], 'sibyl.v1.obs.>')
  const signature = `0x${'12'.repeat(65)}`
  const a = observationMessageId({ ...target, round: 0, signer, signature })
  const b = observationMessageId({ ...target, round: 1, signer, signature })
  t.not(a, b)
  // The id ends with a part of the signature nobody can know before the signer publishes.
  t.not(a, observationMessageId({ ...target, round: 0, signer, signature: `0x${'34'.repeat(65)}` }))
  t.true(a.includes(signer.toLowerCase()))
})

test('reserved answers and the quorum rule mirror the contracts', (t) => {
  t.is(encodeAnswer({ kind: 'unresolvable' }), ANSWER_UNRESOLVABLE)
  t.is(encodeAnswer({ kind: 'tooEarly' }), ANSWER_TOO_EARLY)
  t.deepEqual(decodeAnswer(1n, 2), { kind: 'outcome', index: 1 })
  t.is(decodeAnswer(2n, 2), undefined)
  t.is(decodeAnswer(-3n, 2), undefined)
  const table: [number, number, number][] = [
    [1, 0, 1],
    [3, 0, 3],
    [4, 1, 3],
    [7, 2, 5],
    [10, 3, 7],
    [16, 5, 11],
    [31, 10, 21],
  ]
  for (const [n, f, q] of table) {
    t.is(maxFaulty(n), f)
    t.is(quorumFor(n), q)
    // Any two quorums overlap in at least f + 1 operators: one of them honest.
    t.true(2 * q - n >= f + 1)
  }
})

test('an outlier entry may be marked late (arrived after the commit); absent means on time', async (t) => {
  const signed = await signObservation({ signer: Wallet.createRandom(), domain, observation })
  const entry = {
    signer: signed.signer,
    answer: '-1',
    reason: 'answered -1 after the commit of 1',
    signature: signed.signature,
    confidenceBps: observation.confidenceBps,
    evidenceHash: observation.evidenceHash,
    modelHash: observation.modelHash,
  }
  const report = {
    version: 1,
    kind: 'resolution',
    domain: { chainId: '31337', verifyingContract: domain.verifyingContract },
    requestId: observation.requestId,
    round: 0,
    outcome: 'committed',
    committedAnswer: '1',
    outliers: [entry, { ...entry, late: true }],
    nonResponders: [],
    reportedBy: 'agg-0',
    closedAtMs: 1,
  }
  const parsed = outlierMessageSchema.parse(report)
  t.deepEqual(parsed.outliers.map((o) => o.late), [undefined, true])
  t.false(outlierMessageSchema.safeParse({ ...report, outliers: [{ ...entry, late: false }] }).success, 'late is marked, never spelled false')
  t.false(outlierMessageSchema.safeParse({ ...report, outliers: [{ ...entry, lateBy: 5 }] }).success, 'other fields are still refused')
})

test('an observation may carry its confidence interval and the articles read, bounded and around its confidence', async (t) => {
  const signed = await signObservation({ signer: Wallet.createRandom(), domain, observation })
  const conf = observation.confidenceBps
  const good = toObservationMessage('resolution', domain, signed, { modelId: 'm', observedAtMs: 0, confidenceInterval: [conf - 500, Math.min(10_000, conf + 300)], articlesRead: 31 })
  const parsed = observationMessageSchema.parse(JSON.parse(JSON.stringify(good)))
  t.deepEqual(parsed.confidenceInterval, [conf - 500, Math.min(10_000, conf + 300)])
  t.is(parsed.articlesRead, 31)
  // Without them the message is what it always was.
  t.false('confidenceInterval' in toObservationMessage('resolution', domain, signed, { modelId: 'm', observedAtMs: 0 }))
  for (const interval of [[conf + 1, 10_000], [0, conf - 1], [-1, conf], [conf, 10_001], [conf], [conf, conf, conf], [0.5, conf]]) {
    t.false(observationMessageSchema.safeParse({ ...good, confidenceInterval: interval }).success, JSON.stringify(interval))
  }
  t.false(observationMessageSchema.safeParse({ ...good, articlesRead: -1 }).success)
  t.false(observationMessageSchema.safeParse({ ...good, articlesRead: 1_000_001 }).success)
  t.false(observationMessageSchema.safeParse({ ...good, articlesRead: 2.5 }).success)
})
