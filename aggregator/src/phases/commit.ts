/**
 * The commit of one round, in the order that makes it happen once:
 *
 *   0. read the round's rules from the chain (the epoch's operator set and size, which signers count), so the
 *      quorum is counted exactly as the contract will count it;
 *   1. claim the round in its record with a lease (compare-and-set): one aggregator at a time;
 *   2. read the round on-chain: committed already (by us before a crash, or by another) -> stand down;
 *   3. build the report from every agreeing observation that counts (not only a quorum of them: the signers
 *      on record share the fee and answer for the answer, so none is left out), with the signed dissent of
 *      the round that counts (ResolutionOracle.commitReportWithDissent: the contract learns it and may mark
 *      the request contested; a dissent the contract refuses is dropped rather than block the commit);
 *   4. simulate it (eth_call) and estimate gas: a revert names what is wrong before we pay;
 *   5. send (replacing a stuck transaction, failing over between RPC URLs) and record the result.
 *
 * A failure releases the claim with a backoff (1 s, 2 s, 4 s ... capped at maxCommitBackoffMs). A round is
 * never given up while its request is open on-chain: after maxCommitAttempts it is marked "failed" (an
 * operator's signal) and still tried again at the capped backoff, until it lands or every configured RPC,
 * on confirmed state, shows the request settled (confirm-round.ts); only then is it written off as committed
 * elsewhere. Just before sending, the claim is extended over the sender's whole give-up time (sendLeaseMs),
 * so nobody takes the round over while the transaction may still be mined. A claim whose holder died
 * expires, and the next sweep (of any aggregator) takes it over.
 */
import type { Logger } from 'pino'
import { decodeContractError, describeContractError } from '@sibyl/contracts/decode-error'
import type { ObservationDomain, SignedObservation } from '@sibyl/protocol/eip712'
import { buildCommitCall, type BuildCommitCallReturnType } from '../commit/build-commit-call.ts'
import { isFinished, type RoundRecord, type StoredObservation } from '../rounds/round-record.ts'
import { checkRoundOnChain } from './chain-reads.ts'
import { confirmRoundCheck } from './confirm-round.ts'
import { MAX_REMEMBERED_ROUNDS, domainOf, recovererFor, type AggregatorContext } from './context.ts'
import { decideRound } from './decide-round.ts'

/** Longest wait between two commit attempts of one round, unless configured. */
const MAX_COMMIT_BACKOFF_MS = 60_000
const FIRST_COMMIT_BACKOFF_MS = 1000
const MAX_ERROR_CHARS = 2000

/** Starts committing a round unless this aggregator already is; at most maxConcurrentCommits run at once. */
export function scheduleCommit(ctx: AggregatorContext, roundKey: string): void {
  const { committing } = ctx.memory
  if (committing.has(roundKey)) return
  const p = withCommitSlot(ctx, () => commitRound(ctx, roundKey))
    .catch((error: unknown) => ctx.logger.error({ roundKey, err: error }, 'commit attempt failed'))
    .finally(() => committing.delete(roundKey))
  committing.set(roundKey, p)
}

/** Resolves when no commit (and no report or closing) of this aggregator is in flight. */
export async function waitForCommits(ctx: Pick<AggregatorContext, 'memory'>): Promise<void> {
  const { committing, background } = ctx.memory
  while (committing.size > 0 || background.size > 0) await Promise.allSettled([...committing.values(), ...background])
}

async function withCommitSlot<T>(ctx: AggregatorContext, fn: () => Promise<T>): Promise<T> {
  const slots = ctx.memory.commitSlots
  if (slots.running >= ctx.options.maxConcurrentCommits) await new Promise<void>((r) => slots.waiting.push(r))
  slots.running++
  try {
    return await fn()
  } finally {
    slots.running--
    slots.waiting.shift()?.()
  }
}

/**
 * Reads the rules a report of the round would be judged by now (chain-reads.ts readRoundRules) into memory,
 * where decideRound finds them. Without a reader (tests) or on a failed read, the registry's estimate stays.
 */
async function refreshRoundRules(ctx: AggregatorContext, roundKey: string): Promise<void> {
  const read = ctx.chain.readRoundRules
  if (!read) return
  const current = await ctx.store.get(roundKey).catch(() => undefined)
  if (!current || isFinished(current.record.state)) return
  const onTime = current.record.observations.filter((o) => !o.late)
  try {
    const rules = await read(current.record, onTime)
    if (ctx.memory.roundRules.size >= MAX_REMEMBERED_ROUNDS) ctx.memory.roundRules.clear()
    ctx.memory.roundRules.set(roundKey, rules)
  } catch (error) {
    ctx.metrics.chainErrors.inc({ operation: 'read-rules' })
    ctx.logger.warn({ roundKey, err: (error as Error).message }, 'could not read the round rules; using the registry')
  }
}

export async function commitRound(ctx: AggregatorContext, roundKey: string): Promise<void> {
  const { store, options, metrics, nowMs, provider, sender } = ctx
  // 0. The rules the contract will judge the report by.
  await refreshRoundRules(ctx, roundKey)
  // 1. Claim: only one aggregator commits a round at a time.
  const claimed = await store.mutate(roundKey, (current) => {
    if (!current) return undefined
    const now = nowMs()
    const claimable =
      current.state === 'open' || current.state === 'no-quorum' || current.state === 'failed' || (current.state === 'committing' && (current.claim?.untilMs ?? 0) <= now)
    if (!claimable || (current.claim && current.claim.untilMs > now)) return undefined
    if (!decideRound(ctx, current).reached) return undefined
    return { ...current, state: 'committing', claim: { by: options.id, untilMs: now + options.commitLeaseMs, attempts: (current.claim?.attempts ?? 0) + 1 } }
  })
  if (!claimed.changed || !claimed.record) return
  const record = claimed.record
  const log = ctx.logger.child({ roundKey, requestId: record.requestId, round: record.round, kind: record.kind })
  const claimedAtMs = nowMs()
  log.debug({ attempt: record.claim?.attempts }, 'commit claimed')

  // 2. Already committed (by us before a crash, or by another aggregator)?
  try {
    const check = await checkRoundOnChain(ctx.chain, record)
    if (check) return await standDownIfConfirmed(ctx, roundKey, check.details)
  } catch (error) {
    metrics.chainErrors.inc({ operation: 'read-round' })
    return await release(ctx, roundKey, `chain read failed: ${(error as Error).message}`)
  }

  // 3. The report, from every agreeing observation that counts.
  const decision = decideRound(ctx, record)
  if (!decision.reached) return await release(ctx, roundKey, 'quorum lost (the round rules changed)')
  // The signatures were checked at intake; recovering again keeps the report builder honest.
  const recover = (_: ObservationDomain, o: SignedObservation['observation'], signature: string) => recovererFor(ctx, record.contract)(o, signature)
  const domain = domainOf(ctx, record.contract)
  const dissent = record.kind === 'resolution' ? decision.outliers.map((o) => o.obs) : []
  let built = buildCommitCall({ domain, record, observations: decision.signers, recover, dissent })

  // 4. Simulate (eth_call) before paying for it; a revert names what is wrong. A report whose dissent the
  // contract refuses (an answer the request cannot take) is sent without it: the dissent never blocks a commit,
  // and anyone holding it can still post it with ResolutionOracle.contest.
  let call = { to: record.contract, data: built.data, from: sender.address }
  let gasLimit: bigint
  try {
    await provider.call(call).catch(async (error: unknown) => {
      if (built.dissenters.length === 0) throw error
      log.warn({ revert: describeContractError(error), dissenters: built.dissenters.length }, 'report with dissent refused; committing without it')
      built = buildCommitCall({ domain, record, observations: decision.signers, recover })
      call = { ...call, data: built.data }
      return provider.call(call)
    })
    gasLimit = ((await provider.estimateGas(call)) * BigInt(options.gasLimitPercent)) / 100n
  } catch (error) {
    return await onRevert(ctx, roundKey, error, log)
  }
  const { data, signers } = built

  // 5. Send, replace if stuck, fail over, wait for confirmations; then record the result. The claim first
  // covers the whole send: a takeover meanwhile could only send a second transaction that reverts.
  if (!(await extendClaim(ctx, roundKey))) return
  const startedAtMs = nowMs()
  log.debug({ preparedMs: startedAtMs - claimedAtMs, gasLimit: String(gasLimit) }, 'commit simulated; sending')
  let receipt
  try {
    const sent = await sender.send({ to: record.contract, data, gasLimit })
    receipt = sent.receipt
    if (sent.bumps > 0) metrics.feeBumps.inc(sent.bumps)
    if (sent.reorgs) metrics.reorgedCommits.inc(sent.reorgs)
  } catch (error) {
    metrics.commits.inc({ kind: record.kind, result: 'send-error' })
    log.warn({ err: (error as Error).message }, 'commit transaction not confirmed')
    return await release(ctx, roundKey, (error as Error).message)
  }
  if (receipt.status !== 1) {
    metrics.commits.inc({ kind: record.kind, result: 'reverted' })
    // Lost a race at the last moment (another commit mined first), or something else: ask again.
    try {
      await provider.call(call)
      return await release(ctx, roundKey, `commit ${receipt.hash} reverted`)
    } catch (error) {
      return await onRevert(ctx, roundKey, error, log)
    }
  }
  metrics.commits.inc({ kind: record.kind, result: 'ok' })
  metrics.commitGas.observe({ kind: record.kind }, Number(receipt.gasUsed))
  metrics.commitLatency.observe((nowMs() - startedAtMs) / 1000)
  const done = await store.mutate(roundKey, (current) =>
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
  log.info({ answer: decision.answer.toString(), signers: signers.length, dissenters: built.dissenters.length, tx: receipt.hash, gasUsed: receipt.gasUsed.toString(), sendMs: nowMs() - startedAtMs }, 'committed')
  if (done.record) ctx.advance(roundKey, done.record)
}

/** Extends our claim over the send (sendLeaseMs); false when it is no longer ours (then we do not send). */
async function extendClaim(ctx: AggregatorContext, roundKey: string): Promise<boolean> {
  const { options, nowMs } = ctx
  const leaseMs = Math.max(options.commitLeaseMs, options.sendLeaseMs ?? 0)
  const { changed } = await ctx.store.mutate(roundKey, (current) =>
    current && current.state === 'committing' && current.claim?.by === options.id ? { ...current, claim: { ...current.claim, untilMs: nowMs() + leaseMs } } : undefined,
  )
  return changed
}

/** The wait before attempt `attempts + 1`: 1 s, 2 s, 4 s ... up to the cap. */
function commitBackoffMs(attempts: number, capMs = MAX_COMMIT_BACKOFF_MS): number {
  return Math.min(capMs, FIRST_COMMIT_BACKOFF_MS * 2 ** Math.min(30, Math.max(0, attempts - 1)))
}

/**
 * Gives the claim back with a backoff. Never gives the round up: past maxCommitAttempts it is marked
 * `failed` (counted and logged once) and tried again at the capped backoff until it lands or the chain shows
 * the request settled.
 */
async function release(ctx: AggregatorContext, roundKey: string, error: string): Promise<void> {
  const { options, metrics, logger, nowMs } = ctx
  const backoffCapMs = options.maxCommitBackoffMs ?? MAX_COMMIT_BACKOFF_MS
  const { changed, record } = await ctx.store.mutate(roundKey, (current) => {
    if (!current || current.state !== 'committing' || current.claim?.by !== options.id) return undefined
    const attempts = current.claim.attempts
    const state = attempts >= options.maxCommitAttempts ? 'failed' : 'open'
    return { ...current, state, claim: { ...current.claim, untilMs: nowMs() + commitBackoffMs(attempts, backoffCapMs) }, lastError: error.slice(0, MAX_ERROR_CHARS) }
  })
  if (!changed || !record?.claim) return
  metrics.commitRetries.inc()
  if (record.claim.attempts === options.maxCommitAttempts) {
    metrics.roundsClosed.inc({ outcome: 'failed' })
    logger.error({ roundKey, attempts: record.claim.attempts, error, retryEveryMs: backoffCapMs }, 'commit keeps failing; retrying until it lands or the request is settled on-chain')
  }
}

/**
 * The chain says the round is not open (committed, moved on, unknown). Final only when every configured RPC
 * agrees on confirmed state; otherwise (a lagging backend, a commit not yet confirmed) try again later.
 */
async function standDownIfConfirmed(ctx: AggregatorContext, roundKey: string, why: string): Promise<void> {
  const current = await ctx.store.get(roundKey)
  if (!current) return
  const confirmed = await confirmRoundCheck({ views: ctx.confirmViews, target: current.record, confirmations: ctx.options.confirmations ?? 0 }).catch(
    (error: unknown) => ({ verdict: 'unsure' as const, error: (error as Error).message }),
  )
  if (confirmed.verdict === 'closed') return markCommittedByOther(ctx, roundKey, `${why}; confirmed: ${confirmed.failure.details}`)
  const detail = confirmed.verdict === 'unsure' ? `could not confirm on every RPC: ${confirmed.error}` : 'not confirmed on every RPC'
  await release(ctx, roundKey, `${why} (${detail})`)
}

async function markCommittedByOther(ctx: AggregatorContext, roundKey: string, why: string): Promise<void> {
  const { changed, record } = await ctx.store.mutate(roundKey, (current) =>
    current && !isFinished(current.state)
      ? { ...current, state: 'committed', commit: { answer: '0', signers: [], by: ctx.options.id, atMs: ctx.nowMs(), byOther: true } }
      : undefined,
  )
  if (changed && record) {
    ctx.metrics.roundsClosed.inc({ outcome: 'committed-elsewhere' })
    ctx.logger.info({ roundKey, requestId: record.requestId, round: record.round, why }, 'already committed on-chain; standing down')
  }
}

async function onRevert(ctx: AggregatorContext, roundKey: string, error: unknown, log: Logger): Promise<void> {
  const name = decodeContractError(error)?.name
  if (name === 'RequestNotOpen' || name === 'RoundMismatch' || name === 'StaleRound') {
    return standDownIfConfirmed(ctx, roundKey, describeContractError(error))
  }
  if (name === 'QuorumNotReached' || name === 'NoActiveOperators') {
    // Our view of the set is behind the chain (or the round's epoch moved on): catch up, and read the round's
    // rules again before the next try.
    ctx.memory.roundRules.delete(roundKey)
    await ctx.registry.sync().catch(() => undefined)
  }
  log.warn({ revert: describeContractError(error) }, 'commit simulation reverted')
  await release(ctx, roundKey, describeContractError(error))
}
