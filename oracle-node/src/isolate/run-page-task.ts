/**
 * The work a page worker does for one fetched source: decode and extract the document (HTML parse or
 * bounded JSON parse, read-source.ts) and, for a structured question, read this source's vote (the game's
 * result or the number, vote-source.ts). Only what the main thread needs comes back: the extracted text and
 * passages and the vote, never the page or the parsed JSON, so that nothing large or deep is cloned onto the
 * event loop's thread. A pure function of its input, so it runs the same in a test or a worker.
 */
import type { QuestionSpec } from '@sibyl/protocol/question-spec'
import type { ExtractedDocument } from '../sources/extract-content.ts'
import { readFetchedSource, type FetchedBody } from '../sources/read-source.ts'
import { voteSource, type SourceVote } from '../resolve/vote-source.ts'

export type PageTask = {
  spec: QuestionSpec
  sourceIndex: number
  nowSec: number
  /** The body as served; the worker gets its own copy (or the buffer, transferred). */
  raw: Omit<FetchedBody, 'body'> & { body: Uint8Array }
}

export type PageTaskResult =
  | { ok: true; charset: string; document: ExtractedDocument; vote?: SourceVote }
  | { ok: false; reason: 'bad_json' | 'json_path' | 'empty_document'; message: string }

export function runPageTask({ spec, sourceIndex, nowSec, raw }: PageTask): PageTaskResult {
  const source = spec.sources[sourceIndex]
  if (source === undefined) return { ok: false, reason: 'empty_document', message: `no source ${sourceIndex} in the spec` }
  const body = Buffer.from(raw.body.buffer, raw.body.byteOffset, raw.body.byteLength)
  const read = readFetchedSource(source, { ...raw, body })
  if (!read.ok) {
    // readFetchedSource fails only after the fetch, with one of these reasons.
    const reason = read.reason === 'bad_json' || read.reason === 'json_path' ? read.reason : 'empty_document'
    return { ok: false, reason, message: read.message }
  }
  const result: PageTaskResult = { ok: true, charset: read.charset, document: read.document }
  if (spec.type !== 'text') {
    result.vote = voteSource(spec, { sourceIndex, text: read.document.text, ...(read.html === undefined ? {} : { html: read.html }), ...(read.value === undefined ? {} : { json: read.value }) }, { nowSec })
  }
  return result
}
