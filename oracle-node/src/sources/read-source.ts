/**
 * Reads one source of a question spec: fetch it under the fetcher's policy with the content types its
 * format allows, decode the text with its declared charset, extract the document (main text, or the
 * spec's selectors, or the value at its JSON path), and return the evidence: EXACTLY the UTF-8 bytes of
 * the text that will be judged, so the evidence hash a node signs covers what it judged and nothing else.
 *
 * For `format: 'html'` the spec's jsonPath is ignored; for `format: 'json'` its selectors are.
 *
 * What was fetched comes back too (`raw`: the body as served, after Content-Encoding, with its status, type
 * and time), for the evidence bundle; `readFetchedSource` is the same extraction on bytes already in hand, so
 * a replay can check that a stored body yields the stored text.
 */
import type { SourceSpec } from '@sibyl/protocol/question-spec'
import type { SourceFetcher } from './create-source-fetcher.ts'
import { decodeText } from './decode-text.ts'
import { extractDocument, type ExtractDocumentOptions, type ExtractedDocument } from './extract-content.ts'
import { extractJsonPath } from './extract-json.ts'
import { parseJsonBounded } from './parse-json-bounded.ts'
import { htmlContentTypes, jsonContentTypes, type FetchSourceFailure } from './fetch-source.ts'
import { splitPassages } from './split-passages.ts'

export type ReadSourceOptions = {
  /** Limits for HTML extraction (selectors come from the source spec). */
  extract?: Omit<ExtractDocumentOptions, 'selectors'>
  /** Cap on the text of a JSON value (a path may select a whole subtree). */
  maxJsonTextChars?: number
}

/** What a source answered, as served (decompressed), before any decoding: what the evidence bundle keeps. */
export type FetchedBody = {
  finalUrl: string
  status: number
  contentType: string
  fetchedAtMs: number
  body: Buffer
}

export type ReadSourceSuccess = {
  ok: true
  source: SourceSpec
  finalUrl: string
  fetchedAtMs: number
  /** The response as served (status, type, time, body bytes). */
  raw: FetchedBody
  /** Content-Type as served, and the charset the body was decoded with. */
  contentType: string
  charset: string
  document: ExtractedDocument
  /** UTF-8 bytes of document.text: what is judged, and what the evidence hash covers. */
  evidenceBytes: Buffer
  /** json sources: the value at jsonPath (or the whole document), as parsed. */
  value?: unknown
  /**
   * html sources: the whole page as decoded text, for structured readers (scores, prices, JSON-LD). A
   * caller that judges from it must hash it as that source's evidence instead of evidenceBytes.
   */
  html?: string
}

export type ReadSourceFailure =
  | FetchSourceFailure
  /** Fetched, but nothing to judge came out of it: `raw` is what was fetched. */
  | { ok: false; url: string; reason: 'bad_json' | 'json_path' | 'empty_document'; message: string; raw?: FetchedBody }
  /**
   * Not read within the question's budget (sources, bytes, time), or its page worker failed: this source
   * alone is dropped, the question's other sources still count.
   */
  | { ok: false; url: string; reason: 'budget_exceeded' | 'worker_failed'; message: string; raw?: FetchedBody }

export type ReadSourceReturnType = ReadSourceSuccess | ReadSourceFailure

/**
 * The text of a JSON value as a judge reads it: strings as they are, numbers in JavaScript's shortest
 * round-trip form (JSON.parse has already made them doubles: a price like "119.01" survives, integers
 * beyond 2^53 do not — an on-chain integer feed should publish them as strings), the rest as JSON.
 */
function jsonValueText(value: unknown, maxChars: number): string {
  if (typeof value === 'string') return value.slice(0, maxChars)
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value)
  return JSON.stringify(value).slice(0, maxChars)
}

function readJson(
  source: SourceSpec,
  text: string,
  maxChars: number,
): { ok: true; document: ExtractedDocument; value: unknown } | { ok: false; url: string; reason: 'bad_json' | 'json_path'; message: string } {
  // Bounded in depth: a million nested arrays would overflow every walk after the parse (a RangeError).
  const bounded = parseJsonBounded(text)
  if (!bounded.ok) return { ok: false, url: source.url, reason: 'bad_json', message: bounded.message }
  const parsed = bounded.value
  let value = parsed
  if (source.jsonPath !== undefined) {
    const picked = extractJsonPath(parsed, source.jsonPath)
    if (!picked.ok) return { ok: false, url: source.url, reason: 'json_path', message: `${source.jsonPath}: ${picked.reason}: ${picked.message}` }
    value = picked.value
  }
  const valueText = jsonValueText(value, maxChars).trim()
  return { ok: true, value, document: { title: '', text: valueText, passages: splitPassages([valueText]) } }
}

export async function readSource(
  fetcher: Pick<SourceFetcher, 'fetch'>,
  source: SourceSpec,
  options: ReadSourceOptions = {},
): Promise<ReadSourceReturnType> {
  const format = source.format ?? 'html'
  const allowedContentTypes = format === 'json' ? jsonContentTypes : htmlContentTypes
  const fetched = await fetcher.fetch(source.url, { allowedContentTypes })
  if (!fetched.ok) return fetched
  const { finalUrl, status, contentType, fetchedAtMs, body } = fetched
  return readFetchedSource(source, { finalUrl, status, contentType, fetchedAtMs, body }, options)
}

/** Decodes and extracts a body already fetched for `source` (a pure function of its arguments). */
export function readFetchedSource(source: SourceSpec, raw: FetchedBody, options: ReadSourceOptions = {}): ReadSourceReturnType {
  const format = source.format ?? 'html'
  // JSON is UTF-8 (RFC 8259); an HTML page may declare its charset in a header or a <meta>.
  const decoded = format === 'json' ? decodeText(raw.body, undefined) : decodeText(raw.body, raw.contentType, { sniffHtmlMeta: true })

  let document: ExtractedDocument
  let value: unknown
  if (format === 'json') {
    const read = readJson(source, decoded.text, options.maxJsonTextChars ?? 200_000)
    if (!read.ok) return { ...read, raw }
    document = read.document
    value = read.value
  } else {
    document = extractDocument(decoded.text, source.selectors ? { ...options.extract, selectors: source.selectors } : { ...options.extract })
  }
  if (document.text.length === 0) {
    const what = format === 'json' ? 'the JSON value is empty' : source.selectors ? 'the selectors matched no text' : 'no main text found'
    return { ok: false, url: source.url, reason: 'empty_document', message: what, raw }
  }

  const result: ReadSourceSuccess = {
    ok: true,
    source,
    finalUrl: raw.finalUrl,
    fetchedAtMs: raw.fetchedAtMs,
    raw,
    contentType: raw.contentType,
    charset: decoded.charset,
    document,
    evidenceBytes: Buffer.from(document.text, 'utf8'),
  }
  if (format === 'json') result.value = value
  else result.html = decoded.text
  return result
}
