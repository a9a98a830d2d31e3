/**
 * What the aggregator reads from the chain about a round: the request (ResolutionOracle.getRequest) and a
 * feed's last round (FeedAggregator.latestRoundId), through the TypeChain bindings generated from the
 * contracts' ABIs, so a changed struct is a type error here and not a wrong field at run time.
 *
 * `checkRoundOnChain` answers one question, asked at intake (is this observation for the round the contract
 * accepts now?) and again before a commit (has someone committed it already?).
 */
import { getAddress, type ContractRunner } from 'ethers'
import { FeedAggregator__factory, ResolutionOracle__factory, type FeedAggregator, type ResolutionOracle } from '@sibyl/contracts/typechain'
import { REQUEST_STATUS } from '@sibyl/protocol/request-status'
import type { RoundTarget } from '../rounds/round-record.ts'

export type RequestState = { status: bigint; round: number; answer: bigint; resolveAfter: bigint }

export type ChainReads = {
  readRequest: (requestId: string) => Promise<RequestState>
  /** The last round the feed accepted; the next transmit must be for this + 1 (FeedAggregator.transmit). */
  readLatestFeedRound: (feedAddress: string) => Promise<number>
}

export type CreateChainReadsParameters = {
  /** A provider (reads only). */
  runner: ContractRunner
  oracleAddress: string
}

export function createChainReads({ runner, oracleAddress }: CreateChainReadsParameters): ChainReads {
  const oracle: ResolutionOracle = ResolutionOracle__factory.connect(getAddress(oracleAddress), runner)
  // One binding per feed; the deployment's feeds are few and fixed.
  const feeds = new Map<string, FeedAggregator>()
  const feedAt = (address: string) => {
    const key = getAddress(address)
    let feed = feeds.get(key)
    if (!feed) feeds.set(key, (feed = FeedAggregator__factory.connect(key, runner)))
    return feed
  }
  return {
    readRequest: async (requestId) => {
      const r = await oracle.getRequest(requestId)
      return { status: r.status, round: Number(r.round), answer: r.answer, resolveAfter: r.resolveAfter }
    },
    readLatestFeedRound: async (feedAddress) => Number(await feedAt(feedAddress).latestRoundId()),
  }
}

/** Why the contract would not take a round now. */
export type RoundCheckFailure = { reason: 'unknown-request' | 'stale-round'; details: string }

/**
 * Is `target` the round the contract accepts now? Undefined when it is. A resolution round must be the
 * request's current round while the request is Open (ResolutionOracle.commitReport: RequestNotOpen,
 * RoundMismatch); a feed round must follow the last one (FeedAggregator.transmit: StaleRound).
 */
export async function checkRoundOnChain(chain: ChainReads, target: RoundTarget): Promise<RoundCheckFailure | undefined> {
  if (target.kind === 'resolution') {
    const request = await chain.readRequest(target.requestId)
    if (request.status === REQUEST_STATUS.None) return { reason: 'unknown-request', details: `no request ${target.requestId}` }
    if (request.status !== REQUEST_STATUS.Open || request.round !== target.round) {
      return { reason: 'stale-round', details: `request is at status ${request.status}, round ${request.round}; observation for round ${target.round}` }
    }
    return undefined
  }
  const latest = await chain.readLatestFeedRound(target.contract)
  if (target.round !== latest + 1) return { reason: 'stale-round', details: `feed is at round ${latest}; observation for round ${target.round}` }
  return undefined
}
