/**
 * Commit calldata: commitReport for a resolution round and transmit for a feed round, with the signers in
 * the ascending order the contracts require, whatever order the observations came in.
 */
import test from 'ava'
import { FeedAggregator__factory, ResolutionOracle__factory } from '@sibyl/contracts/typechain'
import { recoverObservationSigner } from '@sibyl/protocol/eip712'
import { CHAIN_ID, FEED, ORACLE, REQUEST_ID, operators, storedAnswers } from '../testing/phase-fixture.ts'
import { buildCommitCall } from './build-commit-call.ts'

const ascending = (list: string[]) => [...list].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1))

test('a resolution round becomes commitReport(requestId, round, answer, observations), signers ascending', async (t) => {
  const observations = await storedAnswers([1n, 1n, 1n])
  const { data, signers } = buildCommitCall({
    domain: { chainId: CHAIN_ID, verifyingContract: ORACLE },
    record: { kind: 'resolution', requestId: REQUEST_ID, round: 0 },
    observations: [...observations].reverse(),
    recover: recoverObservationSigner,
  })
  t.deepEqual(signers, ascending(operators.slice(0, 3).map((w) => w.address)))
  const args = ResolutionOracle__factory.createInterface().decodeFunctionData('commitReport', data)
  t.deepEqual([args[0], args[1], args[2]], [REQUEST_ID, 0n, 1n])
  t.is((args[3] as unknown[]).length, 3)
})

test('a feed round becomes transmit(roundId, values), each signer with its own value', async (t) => {
  const observations = await storedAnswers([11901n, 11903n, 11899n], { kind: 'feed', round: 4 })
  const { data, signers } = buildCommitCall({
    domain: { chainId: CHAIN_ID, verifyingContract: FEED.address },
    record: { kind: 'feed', requestId: FEED.feedId, round: 4 },
    observations,
    recover: recoverObservationSigner,
  })
  const args = FeedAggregator__factory.createInterface().decodeFunctionData('transmit', data)
  t.is(args[0], 4n)
  const values = (args[1] as { answer: bigint }[]).map((v) => v.answer)
  const bySigner = new Map(observations.map((o) => [o.signer, BigInt(o.answer)]))
  t.deepEqual(values, signers.map((s) => bySigner.get(s)))
  t.deepEqual(signers, ascending(signers))
})
