/**
 * The demo's scenario on a running network (startDemoNetwork): one example PredictionMarket per demo question,
 * two backers each (one on the expected outcome, one against), closed and resolved through the oracle; the
 * NWC / USD feed read through AggregatorV3Interface, before and after the price moves on the demo site.
 *
 * Per request it follows what a user would want to see: the nodes' signed observations arriving on NATS, the
 * aggregator's outlier report, the commit on-chain (and that there is exactly one), the end of the dispute
 * window, finalize, the market's callback and the winner's payout in wei. The outcome is a summary that
 * says, for each question, whether the final answer is the expected one, and whether every lying node was
 * reported as an outlier.
 *
 * The verdict does not depend on what ran first: everything it reads is waited for, with a bound the demo
 * states in its output before it waits (await-evidence.ts): each commit and feed round (`timeoutMs`, default
 * 120 s); every node's observation of a committed request (`observationTimeoutMs` after the commit, default
 * 60 s); an outlier report that accounts for each liar (`reportTimeoutMs`, default the aggregator's round
 * deadline + 30 s). Outlier reports are read from the SIBYL_OUTLIERS stream from its start, every one of them:
 * a liar whose observation came after the round was reported is named in a later report, marked late.
 */
import { homedir } from 'node:os'
import { Contract, formatEther, formatUnits, parseEther, parseUnits, type Wallet } from 'ethers'
import { connect } from '@nats-io/transport-node'
import { natsClientOptions } from '@sibyl/service-kit/nats/connect-nats'
import { createReplayer } from '@sibyl/oracle-node/evidence/create-replayer'
import { resolveModelCacheDir } from '@sibyl/oracle-node/nlp/model-cache-dir'
import type { PredictionMarket } from '@sibyl/contracts/typechain'
import type { ObservationMessage, OutlierMessage } from '@sibyl/protocol/messages'
import { pollUntil } from '@sibyl/service-kit/time/poll-until'
import { increaseTime, latestTimestamp } from '../local-network.ts'
import { buildDemoQuestions, DEMO_FEED, type DemoQuestion, type DemoQuestionKey } from '../demo-questions.ts'
import type { DemoNetwork } from '../start-demo-network.ts'
import { finalizeAfterWindow, fundedWallet, marketResolution, openMarket, readCommits, redeem, requestMarketResolution, waitForCommit } from '../demo-markets.ts'
import { watchNetwork } from '../watch-network.ts'
import { awaitFeedEvidence, awaitObservations, awaitQuestionEvidence, refreshRowReport, type EvidenceContext } from './await-evidence.ts'
import type { DemoEvent, DemoState, DemoSummary, FeedRow, QuestionRow, QuestionSummary } from './demo-state.ts'
import { checkQuestionBundles, type CheckBundlesContext } from './check-bundles.ts'
import { summarizeConfidence } from './summarize-confidence.ts'
import { drainWithin } from '@sibyl/service-kit/nats/drain-within'

/** What a consumer that only knows Chainlink's interface calls (AggregatorV3Interface). */
export const AGGREGATOR_V3_INTERFACE_ABI = [
  'function decimals() view returns (uint8)',
  'function description() view returns (string)',
  'function version() view returns (uint256)',
  'function getRoundData(uint80 roundId) view returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)',
  'function latestRoundData() view returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)',
] as const

export type RunDemoParameters = {
  network: DemoNetwork
  /** Which questions (default: all of them). */
  questions?: readonly DemoQuestionKey[]
  /** The NWC price the demo moves to once the first feed round is in (must stay above 100.00 for nwc-above-100). */
  newPrice?: string
  /** Bound on waiting for each commit and feed round (default 120 s). */
  timeoutMs?: number
  /** Bound on waiting for every node's observation of a committed request, counted from the commit (default 60 s). */
  observationTimeoutMs?: number
  /** Bound on waiting for an outlier report that accounts for each lying node (default: the aggregator's round deadline + 30 s). */
  reportTimeoutMs?: number
  signal?: AbortSignal
  onChange?: (state: DemoState) => void
  onEvent?: (event: DemoEvent) => void
}

const STAKE_FOR = parseEther('2')
const STAKE_AGAINST = parseEther('1')
const FEE_WEI = parseEther('1')
/** Chain seconds from opening the markets to closing them (the demo jumps the chain clock over it). */
const MARKET_OPEN_SEC = 300

export function answerLabel(outcomes: readonly string[], answer: bigint | undefined): string | undefined {
  if (answer === undefined) return undefined
  if (answer === -1n) return 'unresolvable'
  if (answer === -2n) return 'too early'
  return outcomes[Number(answer)] ?? `#${answer}`
}

/** "118.42" at 8 decimals -> 11842000000n. */
export function priceToFeedAnswer(price: string, decimals: number): bigint {
  return parseUnits(price, decimals)
}

export async function runDemo(parameters: RunDemoParameters): Promise<DemoSummary> {
  const { network, signal } = parameters
  const { net, sites } = network
  const timeoutMs = parameters.timeoutMs ?? 120_000
  const observationTimeoutMs = parameters.observationTimeoutMs ?? 60_000
  const reportTimeoutMs = parameters.reportTimeoutMs ?? network.aggregatorConfig.rounds.deadlineMs + 30_000
  const startedAtMs = Date.now()
  const since = () => Date.now() - startedAtMs
  const emit = (subject: string, text: string) => parameters.onEvent?.({ atMs: since(), subject, text })
  const changed = () => parameters.onChange?.(state)
  const nodeName = new Map(network.nodes.map((n) => [n.operator.signer.address.toLowerCase(), n.name]))
  const operatorName = new Map(network.nodes.map((n) => [n.operator.operator.address.toLowerCase(), n.name]))
  const nameOf = (address: string) => nodeName.get(address.toLowerCase()) ?? operatorName.get(address.toLowerCase()) ?? address
  const oracleAddress = net.deployment.contracts.resolutionOracle
  const chainId = BigInt(net.deployment.chainId)
  const untilSignal = signal ? { signal } : {}

  const all = buildDemoQuestions(sites.url)
  const wanted = parameters.questions ?? all.map((q) => q.key)
  const questions: DemoQuestion[] = all.filter((q) => wanted.includes(q.key))
  const feedInfo = net.deployment.contracts.feeds.find((f) => f.description === DEMO_FEED.description)
  const state: DemoState = {
    startedAtMs,
    nodes: network.nodes.map((n) => n.name),
    questions: questions.map((q) => ({ key: q.key, title: q.title, outcomes: q.outcomes, expectedIndex: q.expectedOutcomeIndex, phase: 'opening', observations: new Map() })),
    feed: feedInfo && network.feedSpecFile
      ? { description: feedInfo.description, decimals: feedInfo.decimals, address: feedInfo.address, feedId: feedInfo.feedId, phase: 'waiting', rounds: [], outliers: new Set() }
      : undefined,
    liars: network.liars.map(nameOf),
  }
  const rowByRequest = new Map<string, QuestionRow>()
  // Observations that arrive before the request's transaction receipt has been read (bounded: demo traffic only).
  const early = new Map<string, ObservationMessage[]>()

  const onObservation = (m: ObservationMessage) => {
    if (m.kind !== 'resolution') return
    const id = m.observation.requestId.toLowerCase()
    const row = rowByRequest.get(id)
    if (!row) {
      if (early.size < 1000) early.set(id, [...(early.get(id) ?? []), m])
      return
    }
    const name = nameOf(m.signer)
    if (row.observations.has(name)) return
    row.observations.set(name, BigInt(m.observation.answer))
    if (row.phase === 'requested') row.phase = 'observing'
    emit(row.key, `observation ${row.observations.size}/${network.nodes.length} from ${name}: ${answerLabel(row.outcomes, BigInt(m.observation.answer))}`)
    changed()
  }
  // Set once the watcher is up: reports delivered before that are read again from it when their request is known.
  let evidence: EvidenceContext | undefined
  const onReport = (report: OutlierMessage) => {
    if (report.kind === 'feed' && state.feed && report.requestId.toLowerCase() === state.feed.feedId.toLowerCase()) {
      for (const o of report.outliers) state.feed.outliers.add(nameOf(o.signer))
      if (report.outliers.length > 0) emit(state.feed.description, `round ${report.round}: outliers ${report.outliers.map((o) => `${nameOf(o.signer)} (${o.reason})`).join(', ')}`)
      changed()
      return
    }
    const row = rowByRequest.get(report.requestId.toLowerCase())
    if (row && evidence) refreshRowReport(evidence, row)
  }
  const watcher = await watchNetwork({ natsUrl: network.natsUrl, connection: network.natsReader, chainId, onObservation, onOutlierReport: onReport })
  evidence = {
    watcher,
    oracle: oracleAddress,
    nodes: network.nodes.map((n) => ({ name: n.name, signer: n.operator.signer.address })),
    liars: network.liars,
    nameOf,
    emit,
    changed,
    observationTimeoutMs,
    reportTimeoutMs,
    ...untilSignal,
  }
  const ctx = evidence
  // A disputer's view of each question: every node's evidence bundle fetched from the object store, verified
  // against the signed hash and replayed with the models it names (one more encoder, loaded on first use).
  const bundleNc = await connect({ ...natsClientOptions(network.natsReader), name: 'sibyl-demo-evidence', maxReconnectAttempts: -1, reconnectTimeWait: 250 })
  const replayer = createReplayer({
    ...(network.nodes[0]?.config.model.modelsDir ? { modelsDir: network.nodes[0].config.model.modelsDir } : {}),
    modelCacheDir: resolveModelCacheDir({ env: process.env, homeDir: homedir() }),
    device: network.nodes[0]?.config.model.device ?? 'cpu',
  })
  const bundles: CheckBundlesContext = { nc: bundleNc, replayer, nameOf, localDirs: network.nodes.map((n) => `${n.config.stateDir}/evidence`) }

  try {
    // 1. Markets: one per question, backed both ways, open for MARKET_OPEN_SEC of chain time.
    const now = await latestTimestamp(net.provider)
    const closeTime = now + MARKET_OPEN_SEC
    const markets = new Map<DemoQuestionKey, { market: PredictionMarket; winner: Wallet }>()
    for (const [i, q] of questions.entries()) {
      const row = state.questions[i]!
      const winner = await fundedWallet(net, 'demo backer', 2 * i)
      const loser = await fundedWallet(net, 'demo backer', 2 * i + 1)
      const market = await openMarket(net, {
        specJson: q.specJson,
        outcomes: q.outcomes,
        closeTime,
        resolveAfter: closeTime,
        feeWei: FEE_WEI,
        positions: [
          { wallet: winner, outcome: q.expectedOutcomeIndex, amountWei: STAKE_FOR },
          { wallet: loser, outcome: (q.expectedOutcomeIndex + 1) % q.outcomes.length, amountWei: STAKE_AGAINST },
        ],
      })
      markets.set(q.key, { market, winner })
      row.market = String(market.target)
      row.phase = 'open'
      emit(q.key, `market ${short(row.market)} open: ${formatEther(STAKE_FOR)} ETH on "${q.outcomes[q.expectedOutcomeIndex]}", ${formatEther(STAKE_AGAINST)} ETH against`)
      changed()
    }

    // 2. The feed's first round (the nodes publish it as soon as they start).
    const feed = state.feed
    const feedContract = feed ? new Contract(feed.address, AGGREGATOR_V3_INTERFACE_ABI, net.provider) : undefined
    const readFeed = async () => {
      const [roundId, answer, , updatedAt] = await feedContract!.getFunction('latestRoundData')()
      return { round: Number(roundId), answer: answer as bigint, updatedAt: Number(updatedAt) }
    }
    const feedRound = async (expectedPrice: string, what: string) => {
      const expected = priceToFeedAnswer(expectedPrice, feed!.decimals)
      const latest = await pollUntil(what, async () => {
        const r = await readFeed()
        return r.round > 0 && r.answer === expected ? r : undefined
      }, { timeoutMs, ...untilSignal })
      feed!.rounds.push({ ...latest, expected })
      emit(feed!.description, `round ${latest.round} via AggregatorV3Interface.latestRoundData: ${formatUnits(latest.answer, feed!.decimals)} (site price ${expectedPrice})`)
      changed()
    }
    let feedDone: Promise<void> = Promise.resolve()
    if (feed) {
      try {
        await feedRound(sites.getPrice(), 'the first feed round')
        feed.phase = 'round'
        changed()
      } catch (error) {
        feed.phase = 'failed'
        feed.error = (error as Error).message.split('\n')[0]
        changed()
      }
    }

    // 3. Close the markets (the chain clock jumps to closeTime) and ask the oracle.
    await increaseTime(net.provider, closeTime - (await latestTimestamp(net.provider)) + 1)
    emit('markets', 'closed; asking the oracle to resolve each one')
    for (const [i, q] of questions.entries()) {
      const row = state.questions[i]!
      const { requestId, txHash } = await requestMarketResolution(net, markets.get(q.key)!.market)
      row.requestId = requestId
      row.requestedAtMs = Date.now()
      row.phase = row.phase === 'open' ? 'requested' : row.phase
      rowByRequest.set(requestId.toLowerCase(), row)
      emit(q.key, `requested ${short(requestId)} in tx ${short(txHash)}`)
      changed()
      for (const m of early.get(requestId.toLowerCase()) ?? []) onObservation(m)
      early.delete(requestId.toLowerCase())
      refreshRowReport(ctx, row)
    }

    // 4. Move the price: the nodes' deviation check opens a new feed round.
    if (feed && feed.phase === 'round') {
      const newPrice = parameters.newPrice ?? '121.07'
      sites.setPrice(newPrice)
      emit(feed.description, `the demo site's NWC price moves ${feed.rounds[0] ? formatUnits(feed.rounds[0].answer, feed.decimals) : '?'} -> ${newPrice}`)
      feedDone = feedRound(newPrice, 'the feed round after the price moved').then(
        () => {
          feed.phase = 'done'
          changed()
        },
        (error: unknown) => {
          feed.phase = 'failed'
          feed.error = (error as Error).message.split('\n')[0]
          changed()
        },
      )
    }

    // 5. Each request, all at once: commit, dispute window, finalize, payout; then what the verdict reads.
    await Promise.all(
      questions.map(async (q, i) => {
        const row = state.questions[i]!
        const { market, winner } = markets.get(q.key)!
        try {
          const commit = await waitForCommit(net, row.requestId!, { timeoutMs, ...untilSignal })
          row.commit = { answer: commit.answer, txHash: commit.txHash, signers: commit.signers.map(nameOf), afterMs: Date.now() - row.requestedAtMs! }
          row.phase = 'committed'
          emit(q.key, `committed "${answerLabel(q.outcomes, commit.answer)}" in tx ${short(commit.txHash)}, signed by ${row.commit.signers.join(', ')}; dispute window ${network.disputeWindowSec} s`)
          changed()
          // Every node's observation (bounded) before the window is closed: a node judges a committed request,
          // never a final one, so a slow liar is caught as a late outlier instead of missing the request.
          await awaitObservations(ctx, row)
          const signedThisRound = watcher.observations(row.requestId!).filter((m) => m.observation.round === commit.round)
          row.confidence = summarizeConfidence(signedThisRound, commit)
          row.bundles = await checkQuestionBundles(bundles, signedThisRound)
          const b = row.bundles
          emit(
            q.key,
            `evidence: ${b.verified}/${b.bundles} bundles verified against the signed evidence hash; replay reproduces ${b.replayMatches}/${b.replayed}` +
              (b.replayMismatches.length > 0 ? `; not for ${b.replayMismatches.join(', ')}: its own evidence and models do not give what it signed` : ''),
          )
          changed()
          const keeper = await fundedWallet(net, 'demo keeper', i)
          const finalized = await finalizeAfterWindow(net, commit, network.disputeWindowSec, { caller: keeper, ...untilSignal })
          const [contested, , , endsAtSec] = await net.contracts.oracle.getScrutiny(row.requestId!)
          row.scrutiny = { contested, disputeWindowSec: Number(endsAtSec - (await net.contracts.oracle.getRequest(row.requestId!)).committedAt) }
          const resolution = await marketResolution(market)
          row.finalized = { answer: resolution.answer, txHash: finalized.txHash, afterMs: Date.now() - row.requestedAtMs! }
          row.phase = 'finalized'
          emit(q.key, `final "${answerLabel(q.outcomes, resolution.answer)}" in tx ${short(finalized.txHash)}; the market was called back`)
          changed()
          if (resolution.resolved && resolution.answer === BigInt(q.expectedOutcomeIndex)) {
            const receivedWei = await redeem(net, market, winner)
            row.payout = { expectedWei: STAKE_FOR + STAKE_AGAINST, receivedWei }
            row.phase = 'paid'
            emit(q.key, `the winning backer redeemed ${formatEther(receivedWei)} ETH`)
            changed()
          }
        } catch (error) {
          row.phase = 'failed'
          row.error = (error as Error).message.split('\n')[0]
          emit(q.key, `failed: ${row.error}`)
          changed()
        }
        row.commitCount = (await readCommits(net, row.requestId!).catch(() => [])).length
        if (row.commit) await awaitQuestionEvidence(ctx, row)
      }),
    )
    await feedDone

    // 6. The feed: an outlier report of any round naming each liar (the first round's is usually in long before).
    if (feed && network.liars.length > 0) await awaitFeedEvidence(ctx, feed)
  } finally {
    await watcher.close()
    await replayer.close().catch(() => undefined)
    await drainWithin(bundleNc)
  }
  return summarizeDemo(state, network.liars.map(nameOf), since())
}

/** The verdict from the demo's state: each question's final answer and payout, the feed's rounds, and every liar accounted for. */
export function summarizeDemo(state: DemoState, liars: string[], elapsedMs: number): DemoSummary {
  const questions: QuestionSummary[] = state.questions.map((row) => {
    const expected = answerLabel(row.outcomes, BigInt(row.expectedIndex))!
    const b = row.bundles
    const evidence = {
      bundles: b?.bundles ?? 0,
      verified: b?.verified ?? 0,
      replayed: b?.replayed ?? 0,
      replayMatches: b?.replayMatches ?? 0,
      replayMismatches: b?.replayMismatches ?? [],
    }
    // Every bundle found verifies and replays; every replay that disagrees with its signature is a liar's, and
    // every liar that answered with an outcome is caught by its own replay.
    const answeredLiars = liars.filter((l) => row.observations.has(l) && (row.observations.get(l) ?? -1n) >= 0n)
    const evidenceOk =
      b !== undefined &&
      b.bundles === row.observations.size &&
      b.verified === b.bundles &&
      b.replayed === b.verified &&
      b.replayMismatches.every((n) => liars.includes(n)) &&
      answeredLiars.every((l) => b.replayMismatches.includes(l))
    const ok =
      row.finalized?.answer === BigInt(row.expectedIndex) &&
      row.commitCount === 1 &&
      row.payout !== undefined &&
      row.payout.receivedWei === row.payout.expectedWei &&
      evidenceOk
    return {
      key: row.key,
      requestId: row.requestId,
      expected,
      committed: answerLabel(row.outcomes, row.commit?.answer),
      final: answerLabel(row.outcomes, row.finalized?.answer),
      ok,
      commits: row.commitCount ?? 0,
      commitTx: row.commit?.txHash,
      commitMs: row.commit?.afterMs,
      finalizeTx: row.finalized?.txHash,
      finalMs: row.finalized?.afterMs,
      outliers: row.report?.outliers ?? [],
      lateOutliers: row.report?.late ?? [],
      silent: row.silent ?? [],
      nonResponders: row.report?.nonResponders ?? [],
      payoutWei: row.payout?.receivedWei.toString(),
      expectedPayoutWei: row.payout?.expectedWei.toString(),
      evidence,
      evidenceOk,
      confidenceBps: row.confidence?.confidenceBps ?? 0,
      confidenceInterval: row.confidence?.confidenceInterval ?? [0, 0],
      articlesRead: row.confidence?.articlesRead ?? 0,
      contested: row.scrutiny?.contested ?? false,
      ...(row.scrutiny ? { disputeWindowSec: row.scrutiny.disputeWindowSec } : {}),
      ...(row.error ? { error: row.error } : {}),
    }
  })
  const feed = state.feed
  const feedSummary = feed
    ? {
        description: feed.description,
        ok: feed.phase === 'done' && feed.rounds.length >= 2 && feed.rounds.every((r) => r.answer === r.expected),
        rounds: feed.rounds.map((r) => ({ round: r.round, answer: r.answer.toString(), expected: r.expected.toString() })),
        outliers: [...feed.outliers],
        ...(feed.error ? { error: feed.error } : {}),
      }
    : undefined
  // Every liar must be named as an outlier on every question (it lies on each), on time or late: a node judges
  // even a request committed before it got to it, so a silent liar means something failed; and on the feed.
  const unreported = [
    ...questions.flatMap((q) =>
      liars.flatMap((l) => {
        if (q.outliers.includes(l)) return []
        if (q.silent.includes(l)) return [`${q.key}: ${l} (silent: no observation within the bound)`]
        return [`${q.key}: ${l} (answered; no report named it as outlier)`]
      }),
    ),
    ...(feedSummary ? liars.filter((l) => !feedSummary.outliers.includes(l)).map((l) => `feed ${feedSummary.description}: ${l} (no report named it as outlier)`) : []),
    ...liars.filter((l) => !questions.some((q) => q.outliers.includes(l)) && !feedSummary?.outliers.includes(l)).map((l) => `${l} was never named as an outlier`),
  ]
  const liarReported = liars.length > 0 && unreported.length === 0
  const ok = questions.length > 0 && questions.every((q) => q.ok) && (feedSummary?.ok ?? true) && (liars.length === 0 || liarReported)
  return { ok, questions, feed: feedSummary, liars, liarReported, unreported, elapsedMs }
}

export function short(hex: string): string {
  return hex.length > 14 ? `${hex.slice(0, 8)}…${hex.slice(-4)}` : hex
}
