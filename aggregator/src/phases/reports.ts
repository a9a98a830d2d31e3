/**
 * The outlier report of a finished round: who disagreed with the committed answer (or with the median, for
 * a feed), who signed two different answers, and which active operators sent nothing. Evidence for a
 * dispute: every listed observation carries its signature.
 *
 * A report is revised, not final, while evidence still arrives: an observation that comes after the commit
 * (late) is stored, the round's report is reopened, and a revision is published. A late dissent is listed
 * with `late: true`; a late agreement is no outlier, and in both cases the signer is no longer a
 * non-responder. So "non-responder" means: nothing arrived from it before this report.
 *
 * Each revision has its own message id, `<roundKey>.report.<outcome>.<observations>.<equivocations>`: the
 * record only grows, so the counts name the content. The same revision from two aggregators (or a retry) is
 * one message on the server; a later revision is never taken for a duplicate of an earlier one.
 *
 * Scrutiny: a committed resolution's report carries the network's spread of confidence and what the chain
 * says of the answer (ResolutionOracle.getScrutiny). Dissent that arrived after the commit is first posted
 * on-chain (post-dissent.ts). When the answer is contested, the report also goes to governance: it is
 * published a second time on the request's governance subject (governanceReportSubject, in the outlier stream,
 * kept as long as dispute evidence), where the dispute council follows contested answers with their evidence
 * without reading every round's report. (`sibyl watch` shows the on-chain side: ResolutionContested.)
 */
import { evidenceLocation } from '@sibyl/protocol/evidence-bundle'
import type { OutlierMessage } from '@sibyl/protocol/messages'
import { governanceReportSubject, outlierSubject } from '@sibyl/protocol/subjects'
import { confidenceSpread } from '../consensus/confidence-spread.ts'
import type { RoundRecord, StoredObservation } from '../rounds/round-record.ts'
import type { AggregatorContext } from './context.ts'
import type { Scrutiny } from './chain-reads.ts'
import { decideRound, judgeLateObservations } from './decide-round.ts'
import { postDissent } from './post-dissent.ts'

const MAX_REASON_CHARS = 200

type OutlierEntry = OutlierMessage['outliers'][number]

export type OutlierReport = {
  subject: string
  msgID: string
  message: OutlierMessage
  /** Index of the observation or equivocation each outlier entry comes from (to count only new ones). */
  sources: { entry: OutlierEntry; from: 'observation' | 'equivocation'; index: number }[]
}

/** An outlier entry's evidence fields: what the node signed, and where its evidence bundle can be fetched. */
function pick(o: StoredObservation) {
  return {
    signer: o.signer,
    answer: o.answer,
    signature: o.signature,
    confidenceBps: o.confidenceBps,
    evidenceHash: o.evidenceHash,
    modelHash: o.modelHash,
    evidence: evidenceLocation(o.signer, o.evidenceHash),
  }
}

/** The report of a round as its record stands (pure but for the registry and the clock). */
export function buildOutlierReport(
  ctx: Pick<AggregatorContext, 'registry' | 'feedsByAddress' | 'options' | 'chainId' | 'nowMs'>,
  roundKey: string,
  record: RoundRecord,
  scrutiny?: Scrutiny,
): OutlierReport {
  const decision = decideRound(ctx, record)
  const committedAnswer = record.commit && !record.commit.byOther ? record.commit.answer : decision.reached ? decision.answer.toString() : undefined
  const indexOf = new Map(record.observations.map((o, i) => [o, i]))
  const sources: OutlierReport['sources'] = []
  const add = (obs: StoredObservation, entry: OutlierEntry) => sources.push({ entry, from: 'observation', index: indexOf.get(obs) ?? -1 })

  if (record.kind === 'resolution' && committedAnswer !== undefined) {
    for (const o of record.observations) {
      if (!o.late && o.answer !== committedAnswer) add(o, { ...pick(o), reason: `answered ${o.answer}, committed ${committedAnswer}` })
    }
  } else {
    for (const o of decision.outliers) add(o.obs, { ...pick(o.obs), reason: o.reason.slice(0, MAX_REASON_CHARS) })
  }
  const committed =
    record.state === 'committed' && committedAnswer !== undefined
      ? { answer: BigInt(committedAnswer), ...(decision.reached && decision.spread ? { spread: decision.spread } : {}) }
      : undefined
  for (const o of judgeLateObservations(ctx, record, committed)) add(o.obs, { ...pick(o.obs), reason: o.reason.slice(0, MAX_REASON_CHARS), late: true })
  record.equivocations.forEach((e, index) => {
    const first = record.observations.find((o) => o.signer === e.signer)
    if (first) sources.push({ entry: { ...pick(first), answer: e.answer, signature: e.signature, reason: `equivocation: also signed ${first.answer}` }, from: 'equivocation', index })
  })

  const nonResponders = ctx.registry.activeSigners().filter((s) => !record.observations.some((o) => o.signer === s))
  const outcome = record.state === 'committed' ? 'committed' : 'no-quorum'
  const confidence = confidenceSpread(record.observations.filter((o) => !o.late))
  const message: OutlierMessage = {
    version: 1,
    kind: record.kind,
    domain: { chainId: ctx.chainId.toString(), verifyingContract: record.contract },
    requestId: record.requestId,
    round: record.round,
    outcome,
    ...(committedAnswer !== undefined && record.state === 'committed' ? { committedAnswer } : {}),
    ...(record.commit?.txHash ? { commitTx: record.commit.txHash } : {}),
    outliers: sources.map((s) => s.entry),
    nonResponders,
    ...(confidence ? { confidence } : {}),
    ...(scrutiny ? { scrutiny: { ...scrutiny, disputeEndsAt: scrutiny.disputeEndsAt.toString() } } : {}),
    reportedBy: ctx.options.id,
    closedAtMs: ctx.nowMs(),
  }
  return {
    subject: outlierSubject({ chainId: ctx.chainId, contract: record.contract, requestId: record.requestId }),
    msgID: `${roundKey}.report.${outcome}.${record.observations.length}.${record.equivocations.length}${scrutiny?.contested ? `.contested.${scrutiny.dissentCount}` : ''}`,
    message,
    sources,
  }
}

/** Publishes the report of a finished round (or a revision of it) and marks the round reported. */
export async function publishReport(ctx: AggregatorContext, roundKey: string): Promise<void> {
  const current = await ctx.store.get(roundKey)
  if (!current || current.record.reported) return
  const record = current.record
  const scrutiny = await readScrutiny(ctx, roundKey, record)
  const report = buildOutlierReport(ctx, roundKey, record, scrutiny)
  const { message } = report
  const previous = record.lastReport?.outcome === message.outcome ? record.lastReport : undefined
  // Nothing to say is not published, unless it revises a report already out (which it then supersedes) or the
  // answer is contested (governance hears of every contested answer).
  const publish = message.outliers.length > 0 || message.nonResponders.length > 0 || record.lastReport !== undefined || scrutiny?.contested === true
  if (publish) {
    const data = new TextEncoder().encode(JSON.stringify(message))
    const ack = await ctx.publishReport(report.subject, data, report.msgID)
    if (!ack.duplicate) countAndLog(ctx, roundKey, record, report, previous)
    if (scrutiny?.contested) {
      const target = { chainId: ctx.chainId, contract: record.contract, requestId: record.requestId }
      const sent = await ctx.publishReport(governanceReportSubject(target), data, `${report.msgID}.governance`)
      if (!sent.duplicate) {
        ctx.metrics.contestedReports.inc()
        ctx.logger.warn({ roundKey, requestId: record.requestId, dissentCount: scrutiny.dissentCount, medianConfidenceBps: scrutiny.medianConfidenceBps }, 'contested answer reported to governance')
      }
    }
  }
  // Marked only if the record still holds what was reported; evidence that came in meanwhile is reported next.
  const marked = await ctx.store.mutate(roundKey, (c) =>
    c && !c.reported && c.state === record.state && c.observations.length === record.observations.length && c.equivocations.length === record.equivocations.length
      ? {
          ...c,
          reported: true,
          ...(publish ? { lastReport: { outcome: message.outcome, observations: record.observations.length, equivocations: record.equivocations.length } } : {}),
        }
      : undefined,
  )
  if (marked.changed && record.state !== 'open' && record.state !== 'committing') ctx.memory.known.delete(roundKey)
}

/**
 * Metrics and log lines for what this report adds: everything the first time (or when the outcome changed),
 * only the newly arrived evidence in a revision, so a revision does not count an outlier twice.
 */
function countAndLog(ctx: AggregatorContext, roundKey: string, record: RoundRecord, report: OutlierReport, previous: RoundRecord['lastReport']): void {
  const base = { roundKey, requestId: record.requestId, round: record.round }
  for (const { entry, from, index } of report.sources) {
    const seen = previous !== undefined && index >= 0 && index < (from === 'observation' ? previous.observations : previous.equivocations)
    if (seen) continue
    ctx.metrics.outliersReported.inc({ type: entry.late ? 'late-outlier' : 'outlier' })
    ctx.logger.warn({ ...base, signer: entry.signer, answer: entry.answer, reason: entry.reason, ...(entry.late ? { late: true } : {}) }, 'outlier')
  }
  if (previous) return
  for (const s of report.message.nonResponders) {
    ctx.metrics.outliersReported.inc({ type: 'non-responder' })
    ctx.logger.warn({ ...base, signer: s }, 'non-responder')
  }
}

/**
 * The chain's scrutiny of a committed resolution, after posting dissent it does not know yet (post-dissent.ts).
 * Undefined for other rounds, without a reader, or when the chain cannot be read (the report goes out without it).
 */
async function readScrutiny(ctx: AggregatorContext, roundKey: string, record: RoundRecord): Promise<Scrutiny | undefined> {
  const read = ctx.chain.readScrutiny
  if (!read || record.kind !== 'resolution' || record.state !== 'committed') return undefined
  try {
    const before = await read(record.requestId)
    const posted = await postDissent(ctx, record, before, BigInt(Math.floor(ctx.nowMs() / 1000)))
    if (!posted.posted) return before
    ctx.logger.info({ roundKey, requestId: record.requestId, tx: posted.txHash, dissenters: posted.dissenters }, 'late dissent posted on-chain (contest)')
    return await read(record.requestId)
  } catch (error) {
    ctx.metrics.chainErrors.inc({ operation: 'read-scrutiny' })
    ctx.logger.warn({ roundKey, err: (error as Error).message }, 'scrutiny not read; reporting without it')
    return undefined
  }
}
