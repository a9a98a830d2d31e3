/**
 * Chain reads through the TypeChain bindings, against a runner that answers eth_call with encoded results:
 * the struct fields land where the contract puts them, and checkRoundOnChain reads REQUEST_STATUS the way
 * ResolutionOracle.commitReport and FeedAggregator.transmit do.
 */
import test from 'ava'
import { ZeroHash, type ContractRunner, type TransactionRequest } from 'ethers'
import { FeedAggregator__factory, ResolutionOracle__factory, Staking__factory } from '@sibyl/contracts/typechain'
import { REQUEST_STATUS } from '@sibyl/protocol/request-status'
import { FEED, ORACLE, REQUEST_ID, createFakeChain } from '../testing/phase-fixture.ts'
import { checkRoundOnChain, createChainReads } from './chain-reads.ts'

const oracleInterface = ResolutionOracle__factory.createInterface()
const feedInterface = FeedAggregator__factory.createInterface()
const stakingInterface = Staking__factory.createInterface()
const STAKING = '0x0000000000000000000000000000000000000002'

function request(status: bigint, round: bigint, answer = 0n) {
  // requester, feeWei, resolveAfter, committedAt, answer, status, outcomeCount, round, callbackGasLimit, epoch,
  // dissentCount, medianConfidenceBps, signersHash
  return ['0x0000000000000000000000000000000000000009', 10n ** 17n, 1000n, 0n, answer, status, 2n, round, 0n, 5n, 0n, 0n, ZeroHash] as const
}

/** A runner whose eth_call answers getRequest and latestRoundId from fixed values, and records each call. */
function fakeRunner(state: { request: ReturnType<typeof request>; latestRound: bigint }) {
  const calls: TransactionRequest[] = []
  const runner: ContractRunner = {
    provider: null,
    call: async (tx: TransactionRequest) => {
      calls.push(tx)
      const data = String(tx.data)
      if (data.startsWith(oracleInterface.getFunction('getRequest').selector)) return oracleInterface.encodeFunctionResult('getRequest', [state.request])
      if (data.startsWith(feedInterface.getFunction('latestRoundId').selector)) return feedInterface.encodeFunctionResult('latestRoundId', [state.latestRound])
      throw new Error(`unexpected call ${data.slice(0, 10)}`)
    },
  }
  return { runner, calls }
}

test('readRequest decodes status, round and answer from getRequest at the oracle', async (t) => {
  const { runner, calls } = fakeRunner({ request: request(REQUEST_STATUS.Committed, 3n, -1n), latestRound: 0n })
  const chain = createChainReads({ runner, oracleAddress: ORACLE.toLowerCase() })
  const r = await chain.readRequest(REQUEST_ID)
  t.deepEqual(r, { status: REQUEST_STATUS.Committed, round: 3, answer: -1n, resolveAfter: 1000n })
  t.is(String(calls[0]!.to), ORACLE)
  t.deepEqual(oracleInterface.decodeFunctionData('getRequest', String(calls[0]!.data)).toArray(), [REQUEST_ID])
})

test('readRoundRules reads the report epoch, then the members and n of that epoch from Staking', async (t) => {
  const calls: TransactionRequest[] = []
  const signers = ['0x00000000000000000000000000000000000000A1', '0x00000000000000000000000000000000000000a2', '0x00000000000000000000000000000000000000A3']
  const runner: ContractRunner = {
    provider: null,
    call: async (tx: TransactionRequest) => {
      calls.push(tx)
      const data = String(tx.data)
      if (data.startsWith(oracleInterface.getFunction('reportEpochOf').selector)) return oracleInterface.encodeFunctionResult('reportEpochOf', [7n])
      if (data.startsWith(oracleInterface.getFunction('staking').selector)) return oracleInterface.encodeFunctionResult('staking', [STAKING])
      if (data.startsWith(stakingInterface.getFunction('membersOf').selector)) {
        const [asked, epoch] = stakingInterface.decodeFunctionData('membersOf', data)
        t.is(epoch, 7n, 'the report epoch')
        t.is(asked.length, 3)
        return stakingInterface.encodeFunctionResult('membersOf', [0b101n, 2n, 4n])
      }
      throw new Error(`unexpected call ${data.slice(0, 10)}`)
    },
  }
  const chain = createChainReads({ runner, oracleAddress: ORACLE })
  const rules = await chain.readRoundRules!(
    { kind: 'resolution', contract: ORACLE, requestId: REQUEST_ID, round: 0 },
    signers.map((signer) => ({ signer, observedAtMs: 0 })),
  )
  t.is(rules.epoch, 7)
  t.is(rules.operatorCount, 4)
  t.deepEqual([...rules.counted], [signers[0], '0x00000000000000000000000000000000000000A3'])
  t.is(rules.signers.size, 3)
})

test('readLatestFeedRound asks the feed it is given', async (t) => {
  const { runner, calls } = fakeRunner({ request: request(0n, 0n), latestRound: 41n })
  const chain = createChainReads({ runner, oracleAddress: ORACLE })
  t.is(await chain.readLatestFeedRound(FEED.address.toLowerCase()), 41)
  t.is(String(calls[0]!.to), FEED.address)
})

test('checkRoundOnChain: only an Open request at the same round, or the feed round after the last, is accepted', async (t) => {
  const chain = createFakeChain()
  const target = { kind: 'resolution' as const, contract: ORACLE, requestId: REQUEST_ID, round: 0 }
  const set = (status: bigint, round: number) => chain.requests.set(REQUEST_ID.toLowerCase(), { status, round, answer: 0n, resolveAfter: 0n })
  set(REQUEST_STATUS.Open, 0)
  t.is(await checkRoundOnChain(chain, target), undefined)
  set(REQUEST_STATUS.None, 0)
  t.like(await checkRoundOnChain(chain, target), { reason: 'unknown-request' })
  for (const status of [REQUEST_STATUS.Committed, REQUEST_STATUS.Disputed, REQUEST_STATUS.Finalized]) {
    set(status, 0)
    t.like(await checkRoundOnChain(chain, target), { reason: 'stale-round' }, String(status))
  }
  set(REQUEST_STATUS.Open, 1)
  t.like(await checkRoundOnChain(chain, target), { reason: 'stale-round', details: 'request is at status 1, round 1; observation for round 0' })

  chain.feedRounds.set(FEED.address.toLowerCase(), 5)
  const feed = { kind: 'feed' as const, contract: FEED.address, requestId: FEED.feedId, round: 6 }
  t.is(await checkRoundOnChain(chain, feed), undefined)
  t.like(await checkRoundOnChain(chain, { ...feed, round: 5 }), { reason: 'stale-round' })
  t.like(await checkRoundOnChain(chain, { ...feed, round: 7 }), { reason: 'stale-round' })
})
