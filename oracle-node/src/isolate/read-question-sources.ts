/**
 * Reads every source of one question under one budget, with the page work off the main thread.
 *
 * The budget is the question's, not each source's: at most `maxSources` sources are read (the rest fail as
 * `budget_exceeded`), their bodies together are capped at `maxTotalBytes` (each source gets an equal share,
 * never more than the fetcher's own cap), and one wall-clock deadline `timeMs` covers every fetch, retry,
 * queue wait and page task of the question. A requester who names a slow, huge or hostile page therefore
 * costs a node a bounded amount of time, bytes and CPU per question, and cannot stall its event loop: the
 * parse, the extraction and the structured readers run in a page worker that is terminated when its task
 * overruns.
 *
 * Each source fails or succeeds on its own; one hostile source never takes the question's other sources
 * with it. A source whose page task failed because the node was short of page workers (it timed out waiting
 * for one, or none could take it) is listed in `starvedSources`: that says nothing about the source, and a
 * caller must not decide the question without it. The question's tasks share one group in the pool, so
 * they take turns with other questions' tasks instead of queueing behind all of them.
 */
import type { QuestionSpec } from '@sibyl/protocol/question-spec'
import type { SourceFetcher } from '../sources/create-source-fetcher.ts'
import { htmlContentTypes, jsonContentTypes } from '../sources/fetch-source.ts'
import type { FetchedBody, ReadSourceReturnType } from '../sources/read-source.ts'
import type { SourceDocument } from '../resolve/resolve-question.ts'
import { isPoolShortage, type WorkerPool } from './create-worker-pool.ts'
import type { PageTask, PageTaskResult } from './run-page-task.ts'

export type QuestionBudget = {
  /** Sources read per question; the spec allows more than a node may want to pay for. */
  maxSources: number
  /** Body bytes of all the question's sources together. */
  maxTotalBytes: number
  /** One deadline for the whole question: fetches, retries, queueing and page work. */
  timeMs: number
  /** CPU budget of one source's page task (further capped by the time the question has left). */
  pageTaskMs: number
}

export const defaultQuestionBudget: Readonly<QuestionBudget> = Object.freeze({
  maxSources: 8,
  maxTotalBytes: 24 * 1024 * 1024,
  timeMs: 20_000,
  pageTaskMs: 5_000,
})

export type ReadQuestionSourcesDependencies = {
  fetcher: Pick<SourceFetcher, 'fetch' | 'policy'>
  pool: Pick<WorkerPool, 'run'>
  /** Wall clock in ms, the one the fetcher's deadline is read on (Date.now unless a test injects one). */
  nowMs?: () => number
}

export type ReadQuestionSourcesReturnType = {
  /** One per spec source, in spec order (what the evidence bundle records). */
  reads: ReadSourceReturnType[]
  /** The sources that gave something to judge, each with its structured vote already read. */
  documents: SourceDocument[]
  /** Indexes of sources that failed for want of a page worker, not through any fault of their own. */
  starvedSources: number[]
  /** The pool group of this question's tasks; pass it to the question's later tasks (the evidence bundle). */
  group: symbol
}

export async function readQuestionSources(
  { fetcher, pool, nowMs = Date.now }: ReadQuestionSourcesDependencies,
  spec: QuestionSpec,
  { nowSec, budget = defaultQuestionBudget }: { nowSec: number; budget?: QuestionBudget },
): Promise<ReadQuestionSourcesReturnType> {
  const deadlineAtMs = nowMs() + budget.timeMs
  const group = Symbol('question')
  const counted = Math.min(spec.sources.length, budget.maxSources)
  const maxBytes = Math.max(1, Math.min(fetcher.policy.maxBytes, Math.floor(budget.maxTotalBytes / Math.max(1, counted))))

  const readOne = async (sourceIndex: number): Promise<{ read: ReadSourceReturnType; document?: SourceDocument; starved?: true }> => {
    const source = spec.sources[sourceIndex]!
    if (sourceIndex >= budget.maxSources) {
      return { read: { ok: false, url: source.url, reason: 'budget_exceeded', message: `budget exceeded: only the first ${budget.maxSources} sources of a question are read` } }
    }
    const format = source.format ?? 'html'
    const fetched = await fetcher.fetch(source.url, { allowedContentTypes: format === 'json' ? jsonContentTypes : htmlContentTypes, maxBytes, deadlineAtMs })
    if (!fetched.ok) return { read: fetched }
    const raw: FetchedBody = { finalUrl: fetched.finalUrl, status: fetched.status, contentType: fetched.contentType, fetchedAtMs: fetched.fetchedAtMs, body: fetched.body }
    const leftMs = deadlineAtMs - nowMs()
    if (leftMs < 1) return { read: { ok: false, url: source.url, reason: 'budget_exceeded', message: 'budget exceeded: no time left to read the page', raw } }
    // The worker gets its own copy (moved, not cloned); the node keeps the body for the evidence bundle.
    const copy = new Uint8Array(raw.body)
    const task: PageTask & { kind: 'read' } = { kind: 'read', spec, sourceIndex, nowSec, raw: { finalUrl: raw.finalUrl, status: raw.status, contentType: raw.contentType, fetchedAtMs: raw.fetchedAtMs, body: copy } }
    const ran = await pool.run<PageTaskResult>(task, { timeoutMs: budget.pageTaskMs, maxTotalMs: leftMs, group, transfer: [copy.buffer as ArrayBuffer] })
    if (!ran.ok) {
      const reason = ran.reason === 'budget_exceeded' || ran.reason === 'queue_timeout' ? 'budget_exceeded' : 'worker_failed'
      return { read: { ok: false, url: source.url, reason, message: ran.message, raw }, ...(isPoolShortage(ran.reason) ? { starved: true as const } : {}) }
    }
    const page = ran.value
    if (!page.ok) return { read: { ok: false, url: source.url, reason: page.reason, message: page.message, raw } }
    const read: ReadSourceReturnType = {
      ok: true,
      source,
      finalUrl: raw.finalUrl,
      fetchedAtMs: raw.fetchedAtMs,
      raw,
      contentType: raw.contentType,
      charset: page.charset,
      document: page.document,
      evidenceBytes: Buffer.from(page.document.text, 'utf8'),
    }
    const document: SourceDocument = {
      sourceIndex,
      text: page.document.text,
      passages: page.document.passages,
      weight: source.weight,
      ...(page.vote === undefined ? {} : { vote: page.vote }),
    }
    return { read, document }
  }

  const settled = await Promise.all(
    spec.sources.map((source, sourceIndex) =>
      // A bug in one source's path is that source's failure, not the question's.
      readOne(sourceIndex).catch((e: unknown) => ({ read: { ok: false, url: source.url, reason: 'worker_failed', message: `unexpected: ${String((e as Error)?.message ?? e).slice(0, 300)}` } as ReadSourceReturnType })),
    ),
  )
  return {
    reads: settled.map((s) => s.read),
    documents: settled.flatMap((s) => ('document' in s && s.document ? [s.document] : [])),
    starvedSources: settled.flatMap((s, sourceIndex) => ('starved' in s && s.starved ? [sourceIndex] : [])),
    group,
  }
}
