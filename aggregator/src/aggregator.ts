/**
 * The aggregator: verifies observations, keeps each round in a shared durable record, and commits a round
 * once its observations make a quorum. It is trusted by nobody: the contract re-checks every signature,
 * signer and the quorum, so the worst a faulty aggregator can do is fail to commit.
 *
 * Exactly once. Any number of aggregators share the work (one durable consumer) and the round records
 * (JetStream KV, compare-and-set). Before committing, an aggregator claims the round with a lease; before
 * sending, it reads the request on-chain and simulates the call. A round already committed, by itself
 * before a crash or by another aggregator, is seen there and left quietly. The contract is the last line:
 * commitReport reverts RequestNotOpen and transmit reverts StaleRound for a second commit.
 *
 * Crash safety. A message is acknowledged only after its observation is in the round record; a claim that
 * outlives its aggregator expires and the next sweep (of any aggregator) takes the round over.
 */
import { Interface, getAddress, type InterfaceAbi, type Provider } from 'ethers'
import type { JetStreamClient } from '@nats-io/jetstream'
import type { Logger } from 'pino'
import { resolutionOracleAbi } from '@sibyl/contracts/generated/ResolutionOracle'
import { feedAggregatorAbi } from '@sibyl/contracts/generated/FeedAggregator'
import { decodeContractError, describeContractError } from '@sibyl/contracts/decode-error'
import type { Deployment } from '@sibyl/protocol/deployment'
import type { ObservationDomain, SignedObservation } from '@sibyl/protocol/eip712'
import { observationMessageSchema, type ObservationMessage, type OutlierMessage } from '@sibyl/protocol/messages'
import { quorumFor } from '@sibyl/protocol/quorum'
import { buildCommitReport, buildFeedTransmit } from '@sibyl/protocol/report'
import { outlierSubject } from '@sibyl/protocol/subjects'
import { decideOutcome } from './consensus/decide-outcome.ts'
import { decideFeedValue } from './consensus/decide-feed-value.ts'
import type { AggregatorMetrics } from './metrics/aggregator-metrics.ts'
import type { OperatorRegistry } from './registry/operator-registry.ts'
import { isFinished, roundKey, type RoundKind, type RoundRecord, type StoredObservation } from './rounds/round-record.ts'
import type { RoundStore } from './rounds/round-store.ts'
import type { TxSender } from './commit/tx-sender.ts'
import { createFastObservationRecoverer, type FastObservationRecoverer } from './verify/recover-observation-signer-fast.ts'

const oracleInterface = new Interface(resolutionOracleAbi as unknown as InterfaceAbi)
const feedInterface = new Interface(feedAggregatorAbi as unknown as InterfaceAbi)

/** Why an observation was refused; each is a label of sibyl_observations_rejected_total. */
export type RejectReason = 'malformed' | 'wrong-domain' | 'forged' | 'unknown-signer' | 'unknown-request' | 'stale-round' | 'duplicate' | 'equivocation'

export type HandleResult =
  | { status: 'accepted'; key: string }
  | { status: 'rejected'; reason: RejectReason; details: string }
  /** A dependency (KV, chain) failed: leave the message unacknowledged so it comes back. */
  | { status: 'retry'; error: string }

export type FeedInfo = { address: string; feedId: string; minAnswer: bigint; maxAnswer: bigint; description: string }

export type AggregatorDeps = {
  provider: Provider
  sender: TxSender
  store: RoundStore
  js: JetStreamClient
  registry: OperatorRegistry
  metrics: AggregatorMetrics
  logger: Logger
  nowMs: () => number
}

export type AggregatorOptions = {
  /** This instance's name: it signs claims with it. */
  id: string
  deployment: Deployment
  feeds: readonly FeedInfo[]
  deadlineMs: number
  commitLeaseMs: number
  maxCommitAttempts: number
  maxConcurrentCommits: number
  madMultiplierMilli: number
  minDeviationBps: number
  gasLimitPercent: number
  /** Rescan every round key in the store every this many sweeps (finds rounds another aggregator left). */
  fullScanEvery?: number
}

export type Aggregator = {
  handleMessage: (data: Uint8Array) => Promise<HandleResult>
  sweep: () => Promise<void>
  /** Waits for commits in flight. */
  idle: () => Promise<void>
}

type Target = { kind: RoundKind; contract: string; requestId: string; round: number }

type Decision =
  | { reached: true; answer: bigint; signers: StoredObservation[]; outliers: { obs: StoredObservation; reason: string }[] }
  | { reached: false; outliers: { obs: StoredObservation; reason: string }[] }

/** The EIP-55 form of an address, or undefined when a mixed-case address has a wrong checksum. */
function checksummed(address: string): string | undefined {
  try {
    return getAddress(address)
  } catch {
    return undefined
  }
}

/** Request status values of ResolutionOracle.Status. */
const STATUS_OPEN = 1n

export function createAggregator(deps: AggregatorDeps, options: AggregatorOptions): Aggregator {
  const { provider, sender, store, js, registry, metrics, logger, nowMs } = deps
  const chainId = BigInt(options.deployment.chainId)
  const oracleAddress = getAddress(options.deployment.contracts.resolutionOracle)
  const feedsByAddress = new Map(options.feeds.map((f) => [getAddress(f.address), f]))
  const recoverers = new Map<string, FastObservationRecoverer>()
  const known = new Set<string>()
  /** Rounds seen finished and reported: skipped by the full scan. */
  const finished = new Set<string>()
  const committing = new Map<string, Promise<void>>()
  const validatedRounds = new Set<string>()
  let sweeps = 0
  let lastRegistrySyncMs = 0

  const domainOf = (contract: string): ObservationDomain => ({ chainId, verifyingContract: contract })
  function recovererFor(contract: string): FastObservationRecoverer {
    let r = recoverers.get(contract)
    if (!r) recoverers.set(contract, (r = createFastObservationRecoverer(domainOf(contract))))
    return r
  }

  const reject = (reason: RejectReason, details: string): HandleResult => {
    metrics.observationsRejected.inc({ reason })
    return { status: 'rejected', reason, details }
  }

  // ------------------------------------------------------------------ intake

  async function handleMessage(data: Uint8Array): Promise<HandleResult> {
    let message: ObservationMessage
    try {
      const parsed = observationMessageSchema.safeParse(JSON.parse(new TextDecoder().decode(data)))
      if (!parsed.success) return reject('malformed', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '))
      message = parsed.data
    } catch (error) {
      return reject('malformed', `not JSON: ${(error as Error).message}`)
    }
    metrics.observationsIn.inc({ kind: message.kind })

    // The domain binds a signature to one chain and one contract (EIP-712); a message naming another is a
    // replay or a misrouted message, whatever its signature says.
    if (BigInt(message.domain.chainId) !== chainId) return reject('wrong-domain', `chain ${message.domain.chainId}, expected ${chainId}`)
    const contract = checksummed(message.domain.verifyingContract)
    const claimed = checksummed(message.signer)
    if (!contract || !claimed) return reject('malformed', 'an address with a wrong EIP-55 checksum')
    const feed = feedsByAddress.get(contract)
    if (message.kind === 'resolution' ? contract !== oracleAddress : !feed) return reject('wrong-domain', `${message.kind} observation for contract ${contract}`)
    if (feed && message.observation.requestId.toLowerCase() !== feed.feedId.toLowerCase()) return reject('wrong-domain', `feed observation for feed id ${message.observation.requestId}`)

    // The signature must recover to the claimed signer under our domain (ObservationVerifier._recover).
    const observation = { ...message.observation, answer: BigInt(message.observation.answer) }
    let signer: string
    try {
      signer = recovererFor(contract)(observation, message.signature)
    } catch (error) {
      return reject('forged', (error as Error).message)
    }
    if (signer !== claimed) return reject('forged', `claims ${message.signer}, signature recovers ${signer}`)

    // An active, staked operator (Staking.operatorsOfSigners). A signer we do not know may have just
    // staked: read the chain once (at most every second) before refusing.
    if (!registry.isActive(signer) && nowMs() - lastRegistrySyncMs > 1000) {
      lastRegistrySyncMs = nowMs()
      await registry.sync()
    }
    if (!registry.isActive(signer)) return reject('unknown-signer', `${signer} is not an active staked operator`)

    const target: Target = { kind: message.kind, contract, requestId: message.observation.requestId, round: message.observation.round }
    const key = roundKey(target)
    const stored: StoredObservation = {
      signer,
      answer: message.observation.answer,
      confidenceBps: message.observation.confidenceBps,
      evidenceHash: message.observation.evidenceHash,
      modelHash: message.observation.modelHash,
      signature: message.signature,
      modelId: message.modelId,
      observedAtMs: message.observedAtMs,
      receivedAtMs: nowMs(),
    }

    if (!validatedRounds.has(key) && !(await store.get(key))) {
      const check = await checkRoundOnChain(target)
      if (check) return reject(check.reason, check.details)
    }
    validatedRounds.add(key)
    if (validatedRounds.size > 100_000) validatedRounds.clear()

    const flags: { outcome: 'added' | 'duplicate' | 'equivocation' | 'full'; reachedNow: boolean } = { outcome: 'added', reachedNow: false }
    const { record } = await store.mutate(key, (current) => {
      const now = nowMs()
      const base: RoundRecord = current ?? {
        version: 1,
        kind: target.kind,
        contract,
        requestId: target.requestId.toLowerCase(),
        round: target.round,
        openedAtMs: now,
        deadlineAtMs: now + options.deadlineMs,
        state: 'open',
        observations: [],
        equivocations: [],
        reported: false,
        activeAtOpen: Math.min(64, registry.activeCount()),
      }
      const same = base.observations.find((o) => o.signer === signer)
      if (same) {
        if (same.signature.toLowerCase() === stored.signature.toLowerCase()) {
          flags.outcome = 'duplicate'
          return undefined
        }
        // One signer, two different signed answers for one round: keep the second as evidence.
        flags.outcome = 'equivocation'
        if (base.equivocations.some((e) => e.signer === signer && e.signature.toLowerCase() === stored.signature.toLowerCase())) return undefined
        if (base.equivocations.length >= 64) return undefined
        return { ...base, equivocations: [...base.equivocations, { signer, answer: stored.answer, signature: stored.signature }] }
      }
      if (base.observations.length >= 64) {
        flags.outcome = 'full'
        return undefined
      }
      flags.outcome = 'added'
      const next = { ...base, observations: [...base.observations, stored] }
      flags.reachedNow = false
      if (next.quorumAtMs === undefined && decide(next).reached) {
        next.quorumAtMs = now
        flags.reachedNow = true
      }
      return next
    })
    if (flags.outcome === 'duplicate') return reject('duplicate', `${signer} already observed ${key}`)
    if (flags.outcome === 'equivocation') {
      logger.warn({ key, signer, answer: stored.answer }, 'equivocation: a second, different observation for one round')
      return reject('equivocation', `${signer} signed a different observation for ${key}`)
    }
    if (flags.outcome === 'full') return reject('duplicate', `${key} already holds 64 observations`)
    metrics.observationsAccepted.inc({ kind: message.kind })
    known.add(key)
    finished.delete(key)
    if (record) {
      if (flags.reachedNow && record.quorumAtMs !== undefined) metrics.timeToQuorum.observe((record.quorumAtMs - record.openedAtMs) / 1000)
      evaluate(key, record)
    }
    return { status: 'accepted', key }
  }

  /** Is this round the one the contract will accept now? Undefined when it is. */
  async function checkRoundOnChain(target: Target): Promise<{ reason: RejectReason; details: string } | undefined> {
    if (target.kind === 'resolution') {
      const request = await readRequest(target.requestId)
      if (request.status === 0n) return { reason: 'unknown-request', details: `no request ${target.requestId}` }
      if (request.status !== STATUS_OPEN || request.round !== target.round) {
        return { reason: 'stale-round', details: `request is at status ${request.status}, round ${request.round}; observation for round ${target.round}` }
      }
      return undefined
    }
    const latest = await readLatestFeedRound(target.contract)
    if (target.round !== latest + 1) return { reason: 'stale-round', details: `feed is at round ${latest}; observation for round ${target.round}` }
    return undefined
  }

  async function readRequest(requestId: string): Promise<{ status: bigint; round: number; resolveAfter: bigint }> {
    const data = oracleInterface.encodeFunctionData('getRequest', [requestId])
    const result = oracleInterface.decodeFunctionResult('getRequest', await provider.call({ to: oracleAddress, data }))
    const r = result[0] as { status: bigint; round: bigint; resolveAfter: bigint }
    return { status: BigInt(r.status), round: Number(r.round), resolveAfter: BigInt(r.resolveAfter) }
  }

  async function readLatestFeedRound(contract: string): Promise<number> {
    const data = feedInterface.encodeFunctionData('latestRoundId', [])
    return Number(feedInterface.decodeFunctionResult('latestRoundId', await provider.call({ to: contract, data }))[0])
  }

  // ------------------------------------------------------------------ consensus

  function decide(record: RoundRecord): Decision {
    const votes = record.observations.filter((o) => registry.isActive(o.signer)).map((obs) => ({ signer: obs.signer, answer: BigInt(obs.answer), obs }))
    const quorum = quorumFor(registry.activeCount())
    if (record.kind === 'resolution') {
      const d = decideOutcome(votes, quorum)
      if (!d.reached) return { reached: false, outliers: [] }
      return {
        reached: true,
        answer: d.answer,
        signers: d.agreeing.map((v) => v.obs),
        outliers: d.dissenting.map((v) => ({ obs: v.obs, reason: `answered ${v.answer}, quorum answered ${d.answer}` })),
      }
    }
    const feed = feedsByAddress.get(getAddress(record.contract))!
    const d = decideFeedValue(votes, {
      quorum,
      minAnswer: feed.minAnswer,
      maxAnswer: feed.maxAnswer,
      madMultiplierMilli: BigInt(options.madMultiplierMilli),
      minDeviationBps: BigInt(options.minDeviationBps),
    })
    const outliers = d.outliers.map((o) => ({
      obs: o.item.obs,
      reason: o.reason === 'out-of-bounds' ? `value ${o.item.answer} outside [${feed.minAnswer}, ${feed.maxAnswer}]` : `value ${o.item.answer} is ${o.distance} from the median`,
    }))
    if (!d.reached) return { reached: false, outliers }
    return { reached: true, answer: d.answer, signers: d.inliers.map((v) => v.obs), outliers }
  }

  function evaluate(key: string, record: RoundRecord): void {
    const now = nowMs()
    const claimFree = !record.claim || record.claim.untilMs <= now
    if ((record.state === 'open' || record.state === 'no-quorum' || record.state === 'committing') && claimFree && decide(record).reached) {
      scheduleCommit(key)
      return
    }
    if (record.state === 'open' && now >= record.deadlineAtMs) {
      void closeWithoutQuorum(key).catch((error: unknown) => logger.error({ key, err: error }, 'closing a round failed'))
      return
    }
    if (!record.reported && isFinished(record.state)) {
      const everyone = registry.activeSigners().every((s) => record.observations.some((o) => o.signer === s))
      if (everyone || now >= record.deadlineAtMs) void report(key).catch((error: unknown) => logger.error({ key, err: error }, 'outlier report failed'))
    }
  }

  async function closeWithoutQuorum(key: string): Promise<void> {
    const { record, changed } = await store.mutate(key, (current) =>
      current && current.state === 'open' && nowMs() >= current.deadlineAtMs && !decide(current).reached ? { ...current, state: 'no-quorum' } : undefined,
    )
    if (!changed || !record) return
    metrics.roundsClosed.inc({ outcome: 'no-quorum' })
    logger.warn(
      { key, requestId: record.requestId, round: record.round, observations: record.observations.length, activeOperators: registry.activeCount(), quorum: quorumFor(registry.activeCount()) },
      'round closed at its deadline without a quorum; not committed',
    )
    await report(key)
  }

  // ------------------------------------------------------------------ commit

  let running = 0
  const waiting: (() => void)[] = []
  async function withCommitSlot<T>(fn: () => Promise<T>): Promise<T> {
    if (running >= options.maxConcurrentCommits) await new Promise<void>((r) => waiting.push(r))
    running++
    try {
      return await fn()
    } finally {
      running--
      waiting.shift()?.()
    }
  }

  function scheduleCommit(key: string): void {
    if (committing.has(key)) return
    const p = withCommitSlot(() => commitRound(key))
      .catch((error: unknown) => logger.error({ key, err: error }, 'commit attempt failed'))
      .finally(() => committing.delete(key))
    committing.set(key, p)
  }

  async function release(key: string, error: string): Promise<void> {
    await store.mutate(key, (current) => {
      if (!current || current.state !== 'committing' || current.claim?.by !== options.id) return undefined
      const attempts = current.claim.attempts
      if (attempts >= options.maxCommitAttempts) {
        metrics.roundsClosed.inc({ outcome: 'failed' })
        logger.error({ key, attempts, error }, 'commit failed after the last attempt; round left uncommitted')
        return { ...current, state: 'failed', lastError: error.slice(0, 2000) }
      }
      // Back off before the next try (by this or another aggregator): 1 s, 2 s, 4 s ...
      const backoffMs = Math.min(60_000, 1000 * 2 ** (attempts - 1))
      return { ...current, state: 'open', claim: { ...current.claim, untilMs: nowMs() + backoffMs }, lastError: error.slice(0, 2000) }
    })
  }

  async function markCommittedByOther(key: string, why: string): Promise<void> {
    const { changed, record } = await store.mutate(key, (current) =>
      current && !isFinished(current.state)
        ? { ...current, state: 'committed', commit: { answer: '0', signers: [], by: options.id, atMs: nowMs(), byOther: true } }
        : undefined,
    )
    if (changed && record) {
      metrics.roundsClosed.inc({ outcome: 'committed-elsewhere' })
      logger.info({ key, requestId: record.requestId, round: record.round, why }, 'already committed on-chain; standing down')
    }
  }

  async function commitRound(key: string): Promise<void> {
    // 1. Claim: only one aggregator commits a round at a time.
    const claimed = await store.mutate(key, (current) => {
      if (!current) return undefined
      const now = nowMs()
      const claimable = current.state === 'open' || current.state === 'no-quorum' || (current.state === 'committing' && (current.claim?.untilMs ?? 0) <= now)
      if (!claimable || (current.claim && current.claim.untilMs > now)) return undefined
      if (!decide(current).reached) return undefined
      return { ...current, state: 'committing', claim: { by: options.id, untilMs: now + options.commitLeaseMs, attempts: (current.claim?.attempts ?? 0) + 1 } }
    })
    if (!claimed.changed || !claimed.record) return
    const record = claimed.record
    const log = logger.child({ requestId: record.requestId, round: record.round, kind: record.kind })
    const claimedAtMs = nowMs()
    log.debug({ attempt: record.claim?.attempts }, 'commit claimed')

    // 2. Already committed (by us before a crash, or by another aggregator)?
    try {
      const check = await checkRoundOnChain(record)
      if (check) return await markCommittedByOther(key, check.details)
    } catch (error) {
      metrics.chainErrors.inc({ operation: 'read-round' })
      return await release(key, `chain read failed: ${(error as Error).message}`)
    }

    // 3. The report, from the observations that make the quorum.
    const decision = decide(record)
    if (!decision.reached) return await release(key, 'quorum lost (a signer left the active set)')
    const domain = domainOf(record.contract)
    const signed: SignedObservation[] = decision.signers.map((o) => ({
      observation: {
        requestId: record.requestId,
        round: record.round,
        answer: BigInt(o.answer),
        confidenceBps: o.confidenceBps,
        evidenceHash: o.evidenceHash,
        modelHash: o.modelHash,
      },
      signer: o.signer,
      signature: o.signature,
    }))
    let data: string
    let signers: string[]
    // The signatures were checked at intake; recovering again (fast path) keeps the report builder honest.
    const recover = (_: ObservationDomain, o: SignedObservation['observation'], signature: string) => recovererFor(record.contract)(o, signature)
    if (record.kind === 'resolution') {
      const report = buildCommitReport(domain, signed, recover)
      data = oracleInterface.encodeFunctionData('commitReport', [report.requestId, report.round, report.answer, report.observations])
      signers = report.signers
    } else {
      const transmit = buildFeedTransmit(domain, record.requestId, signed, recover)
      data = feedInterface.encodeFunctionData('transmit', [transmit.roundId, transmit.values])
      signers = transmit.signers
    }

    // 4. Simulate (eth_call) before paying for it; a revert names what is wrong.
    let gasLimit: bigint
    try {
      await provider.call({ to: record.contract, data, from: sender.address })
      gasLimit = ((await provider.estimateGas({ to: record.contract, data, from: sender.address })) * BigInt(options.gasLimitPercent)) / 100n
    } catch (error) {
      return await onRevert(key, error, log)
    }

    // 5. Send, replace if stuck, fail over; then record the result.
    const startedAtMs = nowMs()
    log.debug({ preparedMs: startedAtMs - claimedAtMs, gasLimit: String(gasLimit) }, 'commit simulated; sending')
    let receipt
    try {
      const sent = await sender.send({ to: record.contract, data, gasLimit })
      receipt = sent.receipt
      if (sent.bumps > 0) metrics.feeBumps.inc(sent.bumps)
    } catch (error) {
      metrics.commits.inc({ kind: record.kind, result: 'send-error' })
      log.warn({ err: (error as Error).message }, 'commit transaction not confirmed')
      return await release(key, (error as Error).message)
    }
    if (receipt.status !== 1) {
      metrics.commits.inc({ kind: record.kind, result: 'reverted' })
      // Lost a race at the last moment (another commit mined first), or something else: ask again.
      try {
        await provider.call({ to: record.contract, data, from: sender.address })
        return await release(key, `commit ${receipt.hash} reverted`)
      } catch (error) {
        return await onRevert(key, error, log)
      }
    }
    metrics.commits.inc({ kind: record.kind, result: 'ok' })
    metrics.commitGas.observe({ kind: record.kind }, Number(receipt.gasUsed))
    metrics.commitLatency.observe((nowMs() - startedAtMs) / 1000)
    const done = await store.mutate(key, (current) =>
      current
        ? {
            ...current,
            state: 'committed',
            // A round reported as no-quorum and committed later is reported again, as committed.
            reported: false,
            commit: {
              answer: decision.answer.toString(),
              signers,
              by: options.id,
              atMs: nowMs(),
              txHash: receipt.hash,
              gasUsed: receipt.gasUsed.toString(),
              byOther: false,
            },
          }
        : undefined,
    )
    metrics.roundsClosed.inc({ outcome: 'committed' })
    log.info({ answer: decision.answer.toString(), signers: signers.length, tx: receipt.hash, gasUsed: receipt.gasUsed.toString(), sendMs: nowMs() - startedAtMs }, 'committed')
    if (done.record) evaluate(key, done.record)
  }

  async function onRevert(key: string, error: unknown, log: Logger): Promise<void> {
    const parsed = decodeContractError(error)
    const name = parsed?.name
    if (name === 'RequestNotOpen' || name === 'RoundMismatch' || name === 'StaleRound') {
      return markCommittedByOther(key, describeContractError(error))
    }
    if (name === 'SignerNotActive' || name === 'QuorumNotReached' || name === 'NoActiveOperators') {
      // Our registry is behind the chain: catch up before the next try.
      await registry.sync().catch(() => undefined)
    }
    log.warn({ revert: describeContractError(error) }, 'commit simulation reverted')
    await release(key, describeContractError(error))
  }

  // ------------------------------------------------------------------ outliers

  async function report(key: string): Promise<void> {
    const current = await store.get(key)
    if (!current || current.record.reported) return
    const record = current.record
    const decision = decide(record)
    const committedAnswer = record.commit && !record.commit.byOther ? record.commit.answer : decision.reached ? decision.answer.toString() : undefined
    const outliers: OutlierMessage['outliers'] = []
    const listed = new Set<string>()
    if (record.kind === 'resolution' && committedAnswer !== undefined) {
      for (const o of record.observations) {
        if (o.answer !== committedAnswer) {
          outliers.push({ ...pick(o), reason: `answered ${o.answer}, committed ${committedAnswer}` })
          listed.add(o.signer)
        }
      }
    } else {
      for (const o of decision.outliers) {
        outliers.push({ ...pick(o.obs), reason: o.reason.slice(0, 200) })
        listed.add(o.obs.signer)
      }
    }
    for (const e of record.equivocations) {
      const first = record.observations.find((o) => o.signer === e.signer)
      if (first) outliers.push({ ...pick(first), answer: e.answer, signature: e.signature, reason: `equivocation: also signed ${first.answer}` })
    }
    const nonResponders = registry.activeSigners().filter((s) => !record.observations.some((o) => o.signer === s))
    const message: OutlierMessage = {
      version: 1,
      kind: record.kind,
      domain: { chainId: chainId.toString(), verifyingContract: record.contract },
      requestId: record.requestId,
      round: record.round,
      outcome: record.state === 'committed' ? 'committed' : 'no-quorum',
      ...(committedAnswer !== undefined && record.state === 'committed' ? { committedAnswer } : {}),
      ...(record.commit?.txHash ? { commitTx: record.commit.txHash } : {}),
      outliers,
      nonResponders,
      reportedBy: options.id,
      closedAtMs: nowMs(),
    }
    if (outliers.length > 0 || nonResponders.length > 0) {
      const subject = outlierSubject({ chainId, contract: record.contract, requestId: record.requestId })
      // The message id makes a second aggregator's (or a retried) report a no-op on the server.
      await js.publish(subject, new TextEncoder().encode(JSON.stringify(message)), { msgID: `${key}.report.${message.outcome}` })
      for (const o of outliers) {
        metrics.outliersReported.inc({ type: 'outlier' })
        logger.warn({ requestId: record.requestId, round: record.round, signer: o.signer, answer: o.answer, reason: o.reason }, 'outlier')
      }
      for (const s of nonResponders) {
        metrics.outliersReported.inc({ type: 'non-responder' })
        logger.warn({ requestId: record.requestId, round: record.round, signer: s }, 'non-responder')
      }
    }
    await store.mutate(key, (c) => (c && !c.reported ? { ...c, reported: true } : undefined))
    if (record.state !== 'open' && record.state !== 'committing') known.delete(key)
  }

  function pick(o: StoredObservation) {
    return { signer: o.signer, answer: o.answer, signature: o.signature, confidenceBps: o.confidenceBps, evidenceHash: o.evidenceHash, modelHash: o.modelHash }
  }

  // ------------------------------------------------------------------ sweep

  async function sweep(): Promise<void> {
    sweeps++
    await registry.sync().catch((error: unknown) => {
      metrics.chainErrors.inc({ operation: 'registry-sync' })
      logger.warn({ err: (error as Error).message }, 'registry sync failed')
    })
    if (sweeps === 1 || sweeps % (options.fullScanEvery ?? 10) === 0) {
      for (const key of await store.keys()) if (!finished.has(key)) known.add(key)
    }
    let open = 0
    for (const key of [...known]) {
      const entry = await store.get(key)
      if (!entry) {
        known.delete(key)
        continue
      }
      if (isFinished(entry.record.state) && entry.record.reported) {
        known.delete(key)
        // Remembered so the periodic full scan does not read it again (bounded; the bucket's TTL ends it).
        if (finished.size >= 100_000) finished.clear()
        finished.add(key)
        continue
      }
      if (!isFinished(entry.record.state)) open++
      evaluate(key, entry.record)
    }
    metrics.roundsOpen.set(open)
  }

  async function idle(): Promise<void> {
    while (committing.size > 0) await Promise.allSettled([...committing.values()])
  }

  return { handleMessage, sweep, idle }
}
