/**
 * Intake: one observation message in, one verdict out. The checks run cheapest first and each mirrors a
 * check the contract makes at commit, so nothing that would make a commit revert is ever stored:
 *
 *   schema -> domain (chain, contract, feed id) -> signature (ObservationVerifier._recover) -> signer
 *   registry (Staking.operatorsOfSigners) -> round (ResolutionOracle.commitReport / FeedAggregator.transmit)
 *   -> store (compare-and-set into the round record)
 *
 * A refusal is final (the message is acknowledged and counted by reason). A failed dependency (KV, chain)
 * is `retry`: the message is left for JetStream to deliver again, with backoff. A refusal that rests on chain
 * state (unknown-request, stale-round) is final only when every configured RPC agrees on confirmed state
 * (confirm-round.ts); until then it is a `retry` too.
 *
 * An observation for a round already committed is still stored, marked late: a dissent that arrives after
 * the quorum is evidence for a dispute, and an operator that answered late did respond.
 */
import { getAddress } from 'ethers'
import { recoverObservationSigner } from '@sibyl/protocol/eip712'
import { MAX_SIGNERS_PER_ROUND } from '@sibyl/protocol/limits'
import { observationMessageSchema, type ObservationMessage } from '@sibyl/protocol/messages'
import { roundKey as roundKeyOf, type RoundRecord, type RoundTarget, type StoredObservation } from '../rounds/round-record.ts'
import { checkRoundOnChain, feedObservedAtSec } from './chain-reads.ts'
import { confirmRoundCheck } from './confirm-round.ts'
import { domainOf, rememberRound, recovererFor, type AggregatorContext } from './context.ts'
import { decideRound } from './decide-round.ts'

/** Why an observation was refused; each is a label of sibyl_observations_rejected_total. */
export type RejectReason =
  | 'malformed'
  | 'wrong-domain'
  | 'forged'
  | 'unknown-signer'
  | 'unknown-request'
  | 'stale-round'
  | 'duplicate'
  | 'round-full'
  | 'equivocation'

export type HandleResult =
  | { status: 'accepted'; roundKey: string; late: boolean }
  | { status: 'rejected'; reason: RejectReason; details: string }
  /** A dependency (KV, chain) failed: leave the message unacknowledged so it comes back, with backoff. */
  | { status: 'retry'; error: string }

/** How often an unknown signer may make intake read Staking's events again. */
const REGISTRY_RESYNC_MS = 1000

function reject(ctx: Pick<AggregatorContext, 'metrics'>, reason: RejectReason, details: string): HandleResult {
  ctx.metrics.observationsRejected.inc({ reason })
  return { status: 'rejected', reason, details }
}

function retry(ctx: Pick<AggregatorContext, 'metrics'>, operation: string, error: unknown): HandleResult {
  ctx.metrics.chainErrors.inc({ operation })
  return { status: 'retry', error: `${operation}: ${error instanceof Error ? error.message : String(error)}` }
}

/** The EIP-55 form of an address, or undefined when a mixed-case address has a wrong checksum. */
function checksummed(address: string): string | undefined {
  try {
    return getAddress(address)
  } catch {
    return undefined
  }
}

function parseMessage(data: Uint8Array): { message: ObservationMessage } | { details: string } {
  try {
    const parsed = observationMessageSchema.safeParse(JSON.parse(new TextDecoder().decode(data)))
    if (!parsed.success) return { details: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') }
    return { message: parsed.data }
  } catch (error) {
    return { details: `not JSON: ${(error as Error).message}` }
  }
}

/**
 * The domain binds a signature to one chain and one contract (EIP-712); a message naming another is a replay
 * or a misrouted message, whatever its signature says.
 */
function checkDomain(
  ctx: Pick<AggregatorContext, 'chainId' | 'oracleAddress' | 'feedsByAddress'>,
  message: ObservationMessage,
): { contract: string; claimed: string } | { reason: RejectReason; details: string } {
  if (BigInt(message.domain.chainId) !== ctx.chainId) return { reason: 'wrong-domain', details: `chain ${message.domain.chainId}, expected ${ctx.chainId}` }
  const contract = checksummed(message.domain.verifyingContract)
  const claimed = checksummed(message.signer)
  if (!contract || !claimed) return { reason: 'malformed', details: 'an address with a wrong EIP-55 checksum' }
  const feed = ctx.feedsByAddress.get(contract)
  if (message.kind === 'resolution' ? contract !== ctx.oracleAddress : !feed) return { reason: 'wrong-domain', details: `${message.kind} observation for contract ${contract}` }
  if (feed && message.observation.requestId.toLowerCase() !== feed.feedId.toLowerCase()) {
    return { reason: 'wrong-domain', details: `feed observation for feed id ${message.observation.requestId}` }
  }
  return { contract, claimed }
}

export async function handleObservation(ctx: AggregatorContext, data: Uint8Array): Promise<HandleResult> {
  const { metrics, registry, memory, nowMs } = ctx
  const parsed = parseMessage(data)
  if ('details' in parsed) return reject(ctx, 'malformed', parsed.details)
  const { message } = parsed
  metrics.observationsIn.inc({ kind: message.kind })

  const domain = checkDomain(ctx, message)
  if ('reason' in domain) return reject(ctx, domain.reason, domain.details)
  const { contract, claimed } = domain

  // The signature must recover to the claimed signer under our domain (ObservationVerifier._recover). A feed
  // value is signed as a FeedObservation with the time it was observed, which the node publishes as
  // observedAtMs = observedAt * 1000; it goes through the reference path (feeds are a few values a round).
  const observation = { ...message.observation, answer: BigInt(message.observation.answer) }
  let signer: string
  try {
    signer =
      message.kind === 'feed'
        ? recoverObservationSigner(domainOf(ctx, contract), { ...observation, observedAt: feedObservedAtSec(message.observedAtMs) }, message.signature)
        : recovererFor(ctx, contract)(observation, message.signature)
  } catch (error) {
    return reject(ctx, 'forged', (error as Error).message)
  }
  if (signer !== claimed) return reject(ctx, 'forged', `claims ${message.signer}, signature recovers ${signer}`)

  // An active, staked operator (Staking.operatorsOfSigners). A signer we do not know may have just staked:
  // read the chain once (at most every REGISTRY_RESYNC_MS) before refusing.
  if (!registry.isActive(signer) && nowMs() - memory.lastRegistrySyncMs > REGISTRY_RESYNC_MS) {
    memory.lastRegistrySyncMs = nowMs()
    try {
      await registry.sync()
    } catch (error) {
      return retry(ctx, 'registry-sync', error)
    }
  }
  if (!registry.isActive(signer)) return reject(ctx, 'unknown-signer', `${signer} is not an active staked operator`)

  const target: RoundTarget = { kind: message.kind, contract, requestId: message.observation.requestId, round: message.observation.round }
  const key = roundKeyOf(target)
  // A round with a record was checked when it opened; once committed it stays open to late evidence.
  if (!memory.validated.has(key)) {
    let recorded: boolean
    try {
      recorded = (await ctx.store.get(key)) !== undefined
    } catch (error) {
      return retry(ctx, 'round-store', error)
    }
    if (!recorded) {
      let check
      try {
        check = await checkRoundOnChain(ctx.chain, target)
      } catch (error) {
        return retry(ctx, 'read-round', error)
      }
      if (check) {
        // Final only on confirmed chain state: a lagging backend or a block about to be reorged away says
        // "unknown" or "stale" for a round the contract takes. Otherwise the message comes back later.
        const confirmed = await confirmRoundCheck({ views: ctx.confirmViews, target, confirmations: ctx.options.confirmations ?? 0 })
        if (confirmed.verdict === 'closed') return reject(ctx, confirmed.failure.reason, confirmed.failure.details)
        if (confirmed.verdict === 'unsure') return retry(ctx, 'read-round', confirmed.error)
      }
    }
    rememberRound(memory.validated, key)
  }

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
    ...(message.confidenceInterval ? { confidenceInterval: message.confidenceInterval } : {}),
  }
  let applied: ApplyObservationReturnType = { outcome: 'duplicate' }
  let written: { record: RoundRecord | undefined; changed: boolean }
  try {
    written = await ctx.store.mutate(key, (current) => {
      applied = applyObservation(current, {
        target,
        stored,
        nowMs: nowMs(),
        deadlineMs: ctx.options.deadlineMs,
        activeCount: registry.activeCount(),
        reachesQuorum: (record) => decideRound(ctx, record).reached,
      })
      return applied.next
    })
  } catch (error) {
    return retry(ctx, 'round-store', error)
  }
  const outcome = applied.outcome
  if (outcome === 'duplicate') return reject(ctx, 'duplicate', `${signer} already observed ${key}`)
  if (outcome === 'round-full') return reject(ctx, 'round-full', `${key} already holds ${MAX_SIGNERS_PER_ROUND} observations`)
  if (outcome === 'equivocation') {
    ctx.logger.warn({ roundKey: key, signer, answer: stored.answer }, 'equivocation: a second, different observation for one round')
    // Newly recorded evidence: the round is looked at again (its report, if out, is revised).
    if (written.changed && written.record) followRound(ctx, key, written.record)
    return reject(ctx, 'equivocation', `${signer} signed a different observation for ${key}`)
  }
  metrics.observationsAccepted.inc({ kind: message.kind })
  const record = written.record
  if (applied.late) ctx.logger.info({ roundKey: key, signer, answer: stored.answer }, 'observation after the commit: kept as evidence for the report')
  if (record) {
    if (applied.reachedNow && record.quorumAtMs !== undefined) metrics.timeToQuorum.observe((record.quorumAtMs - record.openedAtMs) / 1000)
    followRound(ctx, key, record)
  }
  return { status: 'accepted', roundKey: key, late: applied.late === true }
}

/** The sweep keeps looking at this round until it is finished and reported; and it is looked at now. */
function followRound(ctx: AggregatorContext, key: string, record: RoundRecord): void {
  ctx.memory.known.add(key)
  ctx.memory.finished.delete(key)
  ctx.advance(key, record)
}

export type ApplyObservationParameters = {
  target: RoundTarget
  stored: StoredObservation
  nowMs: number
  deadlineMs: number
  activeCount: number
  reachesQuorum: (record: RoundRecord) => boolean
}

export type ApplyObservationReturnType = {
  outcome: 'added' | 'duplicate' | 'equivocation' | 'round-full'
  /** The record to write; undefined leaves it as it is. */
  next?: RoundRecord
  /** Added to a round already committed. */
  late?: boolean
  /** This observation completed the quorum. */
  reachedNow?: boolean
}

/**
 * The change one observation makes to its round record (pure; run inside the store's compare-and-set).
 * One observation per signer: the same signature again is a duplicate, a different one an equivocation
 * (kept once, as evidence). New evidence in a round whose report is out reopens the report, so a revised
 * one is published.
 */
export function applyObservation(current: RoundRecord | undefined, p: ApplyObservationParameters): ApplyObservationReturnType {
  const { stored } = p
  const base: RoundRecord = current ?? {
    version: 1,
    kind: p.target.kind,
    contract: p.target.contract,
    requestId: p.target.requestId.toLowerCase(),
    round: p.target.round,
    openedAtMs: p.nowMs,
    deadlineAtMs: p.nowMs + p.deadlineMs,
    state: 'open',
    observations: [],
    equivocations: [],
    reported: false,
    activeAtOpen: Math.min(MAX_SIGNERS_PER_ROUND, p.activeCount),
  }
  const signature = stored.signature.toLowerCase()
  const same = base.observations.find((o) => o.signer === stored.signer)
  if (same) {
    if (same.signature.toLowerCase() === signature) return { outcome: 'duplicate' }
    // A feed value observed again later (the node re-observes a round that stayed open while its earlier value
    // went stale: FeedAggregator refuses stale values) replaces the earlier one while the round is open. Each
    // signs its own time, so this is not equivocation.
    if (p.target.kind === 'feed' && base.state !== 'committed' && !same.late && stored.observedAtMs > same.observedAtMs) {
      const next = reopenReport({ ...base, observations: base.observations.map((o) => (o.signer === stored.signer ? stored : o)) })
      const reachedNow = next.quorumAtMs === undefined && p.reachesQuorum(next)
      return { outcome: 'added', next: reachedNow ? { ...next, quorumAtMs: p.nowMs } : next, late: false, reachedNow }
    }
    // One signer, two different signed answers for one round: keep the second as evidence. One is proof enough,
    // so each signer keeps one: a node that equivocates again and again can neither crowd out another's evidence
    // nor make report revision after revision.
    const known = base.equivocations.some((e) => e.signer === stored.signer)
    if (known || base.equivocations.length >= MAX_SIGNERS_PER_ROUND) return { outcome: 'equivocation' }
    const equivocation = { signer: stored.signer, answer: stored.answer, signature: stored.signature }
    return { outcome: 'equivocation', next: reopenReport({ ...base, equivocations: [...base.equivocations, equivocation] }) }
  }
  if (base.observations.length >= MAX_SIGNERS_PER_ROUND) return { outcome: 'round-full' }
  const late = base.state === 'committed'
  const next = reopenReport({ ...base, observations: [...base.observations, late ? { ...stored, late: true as const } : stored] })
  if (late || next.quorumAtMs !== undefined || !p.reachesQuorum(next)) return { outcome: 'added', next, late, reachedNow: false }
  return { outcome: 'added', next: { ...next, quorumAtMs: p.nowMs }, late, reachedNow: true }
}

function reopenReport(record: RoundRecord): RoundRecord {
  return record.reported ? { ...record, reported: false } : record
}
