/**
 * The oracle node's main loop. Each tick: read new ResolutionRequested events from confirmed blocks
 * (persisting them before moving the cursor), then for every pending request whose resolve-after time has
 * passed on-chain and that is still open: judge it (or take what the journal already holds for this round),
 * store its evidence bundle (locally, then in the network's object store), sign it through slashing
 * protection, and publish it to JetStream. The evidence is stored BEFORE the signature exists: a signed
 * evidence hash always has its bundle on this node's disk, and normally in the network already. A request
 * leaves the pending set only once the chain says it is no longer open, so a "too early" round or a crash never loses it.
 *
 * What the node may not spend on a request: a question that produced nothing to sign (every source failed) is
 * tried again after a backoff that doubles to a cap, per question, kept in the state store; a request whose
 * resolve-after time has not come is not read on-chain at all (ResolutionOracle reverts TooEarly on a commit
 * and NotExpired on an expiry before it, so nothing about it can change). State is written a row per changed
 * request; a write that fails is counted, logged and tried again on the next tick, never fatal.
 */
import type { JetStreamClient } from '@nats-io/jetstream'
import type { Provider, Signer } from 'ethers'
import type { Logger } from 'pino'
import { toObservationMessage } from '@sibyl/protocol/messages'
import type { Observation, ObservationDomain } from '@sibyl/protocol/eip712'
import type { Deployment } from '@sibyl/protocol/deployment'
import { REQUEST_STATUS } from '@sibyl/protocol/request-status'
import type { ResolutionOracle } from '@sibyl/contracts/typechain'
import { fetchNewRequests } from '../chain/fetch-requests.ts'
import type { NodeState, NodeStateStore, PendingRequest } from '../chain/node-state.ts'
import type { NodeMetrics } from '../metrics/node-metrics.ts'
import { publishObservation } from '../transport/publish-observation.ts'
import { signObservationSafely } from '../signing/sign-observation-safely.ts'
import type { SigningJournal } from '../signing/signing-journal.ts'
import { parseRequestSpec } from './parse-request-spec.ts'
import type { Resolver } from './resolver.ts'
import type { EvidenceStore } from '../evidence/create-evidence-store.ts'
import type { SignerStatus } from '../chain/watch-signer-status.ts'
import { sleepUnlessAborted } from '@sibyl/service-kit/time/sleep-unless-aborted'
import { yieldToLoop } from '@sibyl/service-kit/time/slice-work'

export type OracleNodeDeps = {
  provider: Provider
  signer: Signer
  /** ResolutionOracle, connected to `provider` (reads only). */
  oracle: ResolutionOracle
  js: JetStreamClient
  journal: SigningJournal
  /** Cursor, pending requests and retry schedule, in the node database beside the journal. */
  store: NodeStateStore
  resolver: Resolver
  metrics: NodeMetrics
  logger: Logger
  nowMs: () => number
  /** Whether this node's signer counts on-chain now; omitted, it is assumed to. */
  signerStatus?: SignerStatus
  /** Where evidence bundles are kept; omitted (tests with a stub resolver), nothing is stored. */
  evidence?: EvidenceStore
}

export type OracleNodeOptions = {
  deployment: Deployment
  confirmations: number
  maxBlockRange: number
  maxConcurrentRequests: number
  pollIntervalMs: number
  /**
   * A request whose current round this node has already published is re-read on-chain (settled? deferred to
   * a new round?) at most this often, not on every tick: with many requests in flight, a read per request per
   * tick is most of a node's chain traffic. Default 5000 ms.
   */
  recheckPublishedMs?: number
  /** First wait after an attempt that produced nothing to sign; doubles per failure. Default 10 s. */
  retryBaseMs?: number
  /** The most a question waits between attempts: it is never given up while the request is open. Default 10 min. */
  retryMaxMs?: number
  /**
   * How long journal entries are kept once their request has settled: longer than a dispute can reach back
   * (start-oracle-node passes the evidence retention). Default 30 days.
   */
  journalRetentionMs?: number
  /** Journal entries deleted per tick at most, so pruning never holds a tick up. Default 200. */
  journalPruneBatch?: number
}

export type TickSummary = { newRequests: number; published: number; settled: number; errors: number }

export type OracleNode = {
  tick: () => Promise<TickSummary>
  /** Ticks until the signal aborts; a failed tick is logged and retried on the next one. */
  run: (signal: AbortSignal) => Promise<void>
  pending: () => ReadonlyMap<string, PendingRequest>
}

export function createOracleNode(deps: OracleNodeDeps, options: OracleNodeOptions): OracleNode {
  const { logger, metrics } = deps
  const domain: ObservationDomain = {
    chainId: BigInt(options.deployment.chainId),
    verifyingContract: options.deployment.contracts.resolutionOracle,
  }
  const state: NodeState = deps.store.load(options.deployment.deployedAtBlock)
  // Requests whose row must be written (or deleted) at the end of the tick; kept until a write succeeds.
  const changed = new Set<string>()
  const removed = new Set<string>()
  let signerAddress: string | undefined
  const recheckPublishedMs = options.recheckPublishedMs ?? 5000
  const retryBaseMs = options.retryBaseMs ?? 10_000
  const retryMaxMs = options.retryMaxMs ?? 600_000
  const journalRetentionMs = options.journalRetentionMs ?? 30 * 86_400_000
  const journalPruneBatch = options.journalPruneBatch ?? 200
  metrics.requestsPending.set(state.pending.size)
  logger.info({ nextBlock: state.nextBlock, pending: state.pending.size }, 'node state loaded')

  async function scanChain(): Promise<number> {
    let added = 0
    // Bounded catch-up per tick so a node far behind still publishes between scans.
    for (let i = 0; i < 10; i++) {
      const { requests, nextBlock } = await fetchNewRequests(deps.provider, deps.oracle, state.nextBlock, options)
      if (nextBlock === state.nextBlock) break
      const found = requests.filter((r) => !state.pending.has(r.requestId)).map((request): PendingRequest => ({ request, publishedRounds: [] }))
      // Committed before the cursor moves in memory: a failed write leaves both where they were.
      const started = performance.now()
      try {
        deps.store.saveScan(nextBlock, found)
      } catch (error) {
        metrics.storeWriteErrors.inc({ operation: 'scan' })
        logger.error({ err: error, nextBlock }, 'state store write failed; the chain cursor stays where it was')
        break
      }
      metrics.storeCommitSeconds.observe({ operation: 'scan' }, (performance.now() - started) / 1000)
      for (const p of found) state.pending.set(p.request.requestId, p)
      metrics.requestsSeen.inc(found.length)
      added += found.length
      state.nextBlock = nextBlock
    }
    metrics.requestsPending.set(state.pending.size)
    return added
  }

  async function observe(
    requestId: string,
    round: number,
    chainTimeSec: number,
  ): Promise<{ observation: Observation; modelId: string; published?: { confidenceInterval?: [number, number]; articlesRead?: number } } | { kind: 'retry' | 'skip'; reason: string }> {
    const pending = state.pending.get(requestId)!
    const key = { chainId: domain.chainId, contract: domain.verifyingContract, requestId, round }
    const journaled = deps.journal.recordedObservation(key)
    // Signed before a restart: publish exactly that, never a fresh judgement (and make sure its evidence, kept
    // locally before it was signed, is in the network too).
    if (journaled) {
      await deps.evidence?.ensureRemote(journaled.evidenceHash)
      return { observation: journaled, modelId: pending.modelId ?? 'unknown' }
    }
    const log = logger.child({ requestId, round })
    const parsed = parseRequestSpec(pending.request)
    if (!parsed.ok) log.warn({ reason: parsed.reason }, 'spec rejected; answering unresolvable')
    const started = performance.now()
    signerAddress ??= await deps.signer.getAddress()
    const resolved = await deps.resolver(pending.request, parsed.ok ? parsed.spec : undefined, {
      nowSec: chainTimeSec,
      logger: log,
      round,
      chainId: domain.chainId,
      contract: domain.verifyingContract,
      signer: signerAddress,
    })
    metrics.modelLatency.observe((performance.now() - started) / 1000)
    if (resolved.kind !== 'observed') {
      log.info({ reason: resolved.reason }, resolved.kind === 'skip' ? 'not answering this question' : 'no observation yet; will retry')
      return resolved
    }
    log.info({ answer: resolved.answer.toString(), confidenceBps: resolved.confidenceBps, reason: resolved.reason }, 'judged')
    if (resolved.evidence && deps.evidence) {
      const stored = await deps.evidence.store(resolved.evidence, resolved.evidenceHash)
      if (!stored.ok) {
        // Like a failed journal write: what cannot be shown is not signed.
        log.error({ reason: stored.reason }, 'evidence could not be stored; not signing')
        return { kind: 'retry', reason: stored.reason }
      }
      log.info({ evidenceHash: stored.evidenceHash, bytes: stored.bytes, remote: stored.remote, storeMs: Math.round(stored.storeMs) }, 'evidence stored')
    }
    pending.modelId = resolved.modelId
    const observation = {
      requestId,
      round,
      answer: resolved.answer,
      confidenceBps: resolved.confidenceBps,
      evidenceHash: resolved.evidenceHash,
      modelHash: resolved.modelHash,
    }
    // Published beside the signed observation; the evidence bundle behind its hash says the same.
    const published = {
      ...(resolved.confidenceInterval === undefined ? {} : { confidenceInterval: resolved.confidenceInterval }),
      ...(resolved.articlesRead === undefined ? {} : { articlesRead: resolved.articlesRead }),
    }
    return { observation, modelId: resolved.modelId, published }
  }

  /** The request leaves the set; its row (and its journal entries' retention clock) follow at the end of the tick. */
  function forget(requestId: string): void {
    state.pending.delete(requestId)
    changed.delete(requestId)
    removed.add(requestId)
  }

  /** Nothing to sign this time: the next attempt waits retryBaseMs, doubling per failure, up to retryMaxMs. */
  function backOff(requestId: string, pending: PendingRequest): void {
    pending.failures = (pending.failures ?? 0) + 1
    pending.nextAttemptMs = deps.nowMs() + Math.min(retryMaxMs, retryBaseMs * 2 ** Math.min(pending.failures - 1, 30))
    changed.add(requestId)
    metrics.questionRetries.inc()
  }

  /** Returns 'published' | 'settled' | 'waiting'. */
  async function handle(requestId: string, chainTimeSec: number): Promise<'published' | 'settled' | 'waiting'> {
    const pending = state.pending.get(requestId)!
    const nowMs = deps.nowMs()
    if ((pending.nextAttemptMs ?? 0) > nowMs) return 'waiting'
    // Before resolve-after the request cannot change on-chain (see the top of this file): no read at all.
    if ((pending.resolveAfterSec ?? pending.request.resolveAfter) > chainTimeSec) return 'waiting'
    const published = pending.publishedRounds.length > 0
    if (published && nowMs - (pending.lastReadMs ?? 0) < recheckPublishedMs) return 'waiting'
    pending.lastReadMs = nowMs
    const onChain = await deps.oracle.getRequest(requestId)
    // A "too early" round moves resolve-after forward (never back): remembered so the wait costs no reads.
    pending.resolveAfterSec = Number(onChain.resolveAfter)
    const round = Number(onChain.round)
    // A request committed before this node judged it is still judged once: the node's own signed answer for the
    // committed round is dispute evidence (the aggregator records it as late, and reports it when it dissents).
    // Past that, or once disputed or final, there is nothing left to add.
    const stillUseful =
      onChain.status === REQUEST_STATUS.Open || (onChain.status === REQUEST_STATUS.Committed && !pending.publishedRounds.includes(round))
    if (!stillUseful) {
      forget(requestId)
      return 'settled'
    }
    if (Number(onChain.resolveAfter) > chainTimeSec || pending.publishedRounds.includes(round)) return 'waiting'
    // A signature the contracts will not count is not made (the request stays pending: signing resumes when the
    // operator is active again, e.g. after a top-up or the next epoch).
    if (deps.signerStatus && !(await deps.signerStatus.counts())) {
      metrics.skippedNotMember.inc()
      return 'waiting'
    }

    const observed = await observe(requestId, round, chainTimeSec)
    if ('kind' in observed) {
      // A committed request gets one attempt: its sources failing must not make the node re-fetch them every tick
      // for the whole dispute window (a requester could serve the first nodes, then fail the rest).
      if (observed.kind === 'skip' || onChain.status === REQUEST_STATUS.Committed) forget(requestId)
      else backOff(requestId, pending)
      return 'waiting'
    }
    const { observation, modelId, published: publishedMeta } = observed
    // Judging ends in a burst of microtasks (the pair judge's reply, the evidence store); signing and the
    // journal's write start on a fresh turn, so requests finishing together do not hold the loop in one stretch.
    await yieldToLoop()
    const signedResult = await signObservationSafely({ signer: deps.signer, journal: deps.journal, nowMs: deps.nowMs }, domain, observation)
    if (signedResult.kind === 'refused') {
      metrics.refusals.inc({ reason: signedResult.reason })
      if (signedResult.reason === 'store_write_failed') {
        // Nothing is on disk, so nothing is signed; judging again costs fetches, so it waits like a failed attempt.
        logger.error({ requestId, round, detail: signedResult.detail }, 'the signing journal could not be written; refusing to sign')
        backOff(requestId, pending)
      } else {
        logger.error({ requestId, round, recorded: signedResult.recordedDigest }, 'slashing protection refused a conflicting observation')
      }
      return 'waiting'
    }
    metrics.observationsSigned.inc({ kind: 'resolution' })
    const message = toObservationMessage('resolution', domain, signedResult.signed, { modelId, observedAtMs: deps.nowMs(), ...publishedMeta })
    const ack = await publishObservation(deps.js, message)
    if (!ack.ok) {
      metrics.publishErrors.inc()
      logger.warn({ requestId, round, error: ack.error }, 'publish failed; will retry next tick')
      return 'waiting'
    }
    metrics.published.inc({ duplicate: String(ack.duplicate) })
    pending.publishedRounds.push(round)
    pending.failures = 0
    pending.nextAttemptMs = 0
    // Written at the end of the tick with the other changed rows. Losing this mark in a crash only means
    // publishing again, which the journal makes the same bytes and JetStream's message id drops.
    changed.add(requestId)
    logger.info({ requestId, round, seq: ack.seq, duplicate: ack.duplicate }, 'observation published')
    return 'published'
  }

  async function tick(): Promise<TickSummary> {
    const summary: TickSummary = { newRequests: 0, published: 0, settled: 0, errors: 0 }
    // Bundles the object store could not take earlier (they are on disk), a few per tick.
    if ((deps.evidence?.pendingUploads() ?? 0) > 0) await deps.evidence!.retryPending().catch(() => 0)
    try {
      summary.newRequests = await scanChain()
    } catch (error) {
      metrics.chainErrors.inc({ operation: 'getLogs' })
      logger.warn({ err: error }, 'chain scan failed')
      summary.errors++
    }
    let chainTimeSec: number
    try {
      const block = await deps.provider.getBlock('latest')
      chainTimeSec = block?.timestamp ?? Math.floor(deps.nowMs() / 1000)
    } catch (error) {
      metrics.chainErrors.inc({ operation: 'getBlock' })
      logger.warn({ err: error }, 'reading the chain time failed')
      return { ...summary, errors: summary.errors + 1 }
    }
    // A pool of maxConcurrentRequests workers over the pending requests: a slow question holds one worker,
    // not a whole batch.
    const ids = [...state.pending.keys()]
    let next = 0
    const worker = async () => {
      while (next < ids.length) {
        const id = ids[next++]!
        try {
          const result = await handle(id, chainTimeSec)
          if (result === 'published') summary.published++
          if (result === 'settled') summary.settled++
        } catch (error) {
          summary.errors++
          logger.warn({ requestId: id, err: error }, 'handling a request failed; will retry')
        }
      }
    }
    await Promise.all(Array.from({ length: Math.min(options.maxConcurrentRequests, ids.length) }, worker))
    if (!saveChanges()) summary.errors++
    pruneJournal()
    metrics.requestsPending.set(state.pending.size)
    return summary
  }

  /** Writes the rows changed this tick in one transaction; on failure keeps them for the next tick. */
  function saveChanges(): boolean {
    if (changed.size === 0 && removed.size === 0) return true
    const started = performance.now()
    try {
      deps.store.savePending(
        [...changed].map((id) => state.pending.get(id)).filter((p) => p !== undefined),
        [...removed],
        deps.nowMs(),
      )
    } catch (error) {
      metrics.storeWriteErrors.inc({ operation: 'save_pending' })
      logger.error({ err: error, changed: changed.size, removed: removed.size }, 'state store write failed; will write again next tick')
      return false
    }
    metrics.storeCommitSeconds.observe({ operation: 'save_pending' }, (performance.now() - started) / 1000)
    changed.clear()
    removed.clear()
    return true
  }

  function pruneJournal(): void {
    try {
      const pruned = deps.journal.prune(deps.nowMs() - journalRetentionMs, journalPruneBatch)
      if (pruned > 0) metrics.journalPruned.inc(pruned)
    } catch (error) {
      metrics.storeWriteErrors.inc({ operation: 'prune' })
      logger.warn({ err: error }, 'pruning the signing journal failed; will try again next tick')
    }
  }

  async function run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await tick()
      } catch (error) {
        // tick() turns every expected failure into a count; anything else is a bug, and still not a reason to stop.
        logger.error({ err: error }, 'tick failed')
      }
      await sleepUnlessAborted(options.pollIntervalMs, signal)
    }
  }

  return { tick, run, pending: () => state.pending }
}
