/**
 * What the aggregator reads from the chain about a round: the request (ResolutionOracle.getRequest), a
 * feed's last round (FeedAggregator.latestRoundId), and the rules a report landing now is judged by (the
 * Staking epoch whose operator set counts, its size, and which of the round's signers are members), through
 * the TypeChain bindings generated from the contracts' ABIs, so a changed struct is a type error here and not
 * a wrong field at run time.
 *
 * `checkRoundOnChain` answers one question, asked at intake (is this observation for the round the contract
 * accepts now?) and again before a commit (has someone committed it already?). `readRoundRules` is asked
 * before a commit, so the aggregator counts the quorum exactly as the contract will.
 */
import { getAddress, type ContractRunner } from 'ethers'
import {
  FeedAggregator__factory,
  ResolutionOracle__factory,
  Staking__factory,
  type FeedAggregator,
  type ResolutionOracle,
  type Staking,
} from '@sibyl/contracts/typechain'
import { REQUEST_STATUS } from '@sibyl/protocol/request-status'
import type { RoundTarget } from '../rounds/round-record.ts'

export type RequestState = { status: bigint; round: number; answer: bigint; resolveAfter: bigint }

/** ResolutionOracle.getScrutiny: how a committed answer was reached, and when its dispute window ends. */
export type Scrutiny = { contested: boolean; dissentCount: number; medianConfidenceBps: number; disputeEndsAt: bigint }

/**
 * How a report of a round landing now is judged (ResolutionOracle.commitReport / FeedAggregator.transmit):
 * the Staking epoch whose set counts, that set's size (n of the quorum rule), and which of the round's
 * signers count (members of the epoch; for a feed, whose value is also still fresh). `signers` lists every
 * signer the rules were read for: one that arrived later is not judged by them.
 */
export type RoundRules = { epoch: number; operatorCount: number; signers: ReadonlySet<string>; counted: ReadonlySet<string> }

/** A round's observation as far as its rules go: who signed, and (feeds) when the value was observed. */
export type RuleObservation = { signer: string; observedAtMs: number }

/** A block number, or "latest" (the default). */
export type BlockTag = number | 'latest'

export type ChainReads = {
  readRequest: (requestId: string, blockTag?: BlockTag) => Promise<RequestState>
  /** The last round the feed accepted; the next transmit must be for this + 1 (FeedAggregator.transmit). */
  readLatestFeedRound: (feedAddress: string, blockTag?: BlockTag) => Promise<number>
  /** The head block this reader sees (to read `confirmations` behind it); without it, reads are at "latest". */
  headBlock?: () => Promise<number>
  /** The rules a report of `target` with these observations would be judged by if it landed now. */
  readRoundRules?: (target: RoundTarget, observations: readonly RuleObservation[]) => Promise<RoundRules>
  /** ResolutionOracle.getScrutiny of a request (contested, proved dissent, median confidence, window end). */
  readScrutiny?: (requestId: string) => Promise<Scrutiny>
}

/** FeedAggregator.MAX_FUTURE_SEC: a value observed up to this far in the chain's future still counts. */
const MAX_FUTURE_SEC = 60

/** The signed observedAt of a feed observation: the node publishes observedAtMs = observedAt * 1000. */
export const feedObservedAtSec = (observedAtMs: number): number => Math.floor(observedAtMs / 1000)

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
  let staking: Staking | undefined
  const stakingOf = async () => (staking ??= Staking__factory.connect(await oracle.staking(), runner))
  return {
    readRequest: async (requestId, blockTag = 'latest') => {
      const r = await oracle.getRequest(requestId, { blockTag })
      return { status: r.status, round: Number(r.round), answer: r.answer, resolveAfter: r.resolveAfter }
    },
    readLatestFeedRound: async (feedAddress, blockTag = 'latest') => Number(await feedAt(feedAddress).latestRoundId({ blockTag })),
    readScrutiny: async (requestId) => {
      const s = await oracle.getScrutiny(requestId)
      return { contested: s.contested, dissentCount: Number(s.dissentCount), medianConfidenceBps: Number(s.medianConfidenceBps), disputeEndsAt: s.disputeEndsAt_ }
    },
    ...(runner.provider ? { headBlock: () => runner.provider!.getBlockNumber() } : {}),
    readRoundRules: async (target, observations) => {
      let fresh = observations
      let epoch: bigint
      if (target.kind === 'resolution') {
        epoch = await oracle.reportEpochOf(target.requestId)
      } else {
        // FeedAggregator.transmit leaves out values observed more than maxObservationAgeSec ago (or in the
        // future) and judges the round by the epoch of the earliest value it counts.
        const feed = feedAt(target.contract)
        const provider = runner.provider
        const block = provider ? await provider.getBlock('latest') : null
        const nowSec = block?.timestamp ?? Math.floor(Date.now() / 1000)
        const maxAgeSec = Number(await feed.maxObservationAgeSec())
        fresh = observations.filter((o) => {
          const at = feedObservedAtSec(o.observedAtMs)
          return at + maxAgeSec >= nowSec && at <= nowSec + MAX_FUTURE_SEC
        })
        const earliest = fresh.length > 0 ? Math.min(...fresh.map((o) => feedObservedAtSec(o.observedAtMs))) : nowSec
        epoch = await feed.reportEpochAt(earliest)
      }
      const signers = fresh.map((o) => getAddress(o.signer))
      const { memberMask, operatorCount } = await (await stakingOf()).membersOf(signers, epoch)
      const counted = new Set(signers.filter((_, i) => (memberMask >> BigInt(i)) & 1n))
      return { epoch: Number(epoch), operatorCount: Number(operatorCount), signers: new Set(observations.map((o) => getAddress(o.signer))), counted }
    },
  }
}

/** Why the contract would not take a round now. */
export type RoundCheckFailure = { reason: 'unknown-request' | 'stale-round'; details: string }

/**
 * Is `target` the round the contract accepts now? Undefined when it is. A resolution round must be the
 * request's current round while the request is Open (ResolutionOracle.commitReport: RequestNotOpen,
 * RoundMismatch); a feed round must follow the last one (FeedAggregator.transmit: StaleRound).
 */
export async function checkRoundOnChain(chain: ChainReads, target: RoundTarget, blockTag: BlockTag = 'latest'): Promise<RoundCheckFailure | undefined> {
  if (target.kind === 'resolution') {
    const request = await chain.readRequest(target.requestId, blockTag)
    if (request.status === REQUEST_STATUS.None) return { reason: 'unknown-request', details: `no request ${target.requestId}` }
    if (request.status !== REQUEST_STATUS.Open || request.round !== target.round) {
      return { reason: 'stale-round', details: `request is at status ${request.status}, round ${request.round}; observation for round ${target.round}` }
    }
    return undefined
  }
  const latest = await chain.readLatestFeedRound(target.contract, blockTag)
  if (target.round !== latest + 1) return { reason: 'stale-round', details: `feed is at round ${latest}; observation for round ${target.round}` }
  return undefined
}
