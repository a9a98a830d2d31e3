/**
 * Builds the evidence bundle of one observation (protocol/src/evidence-bundle.ts) from what the node read and
 * what its judge computed: per source the response as served (raw bytes up to the cap, else their hash), the
 * extracted text, the passages scored and every score, or the values a structured reader extracted; and in the
 * header the question, the models, the judge's parameters and the judge's own answer.
 *
 * The answer recorded is the judge's. A node that signs something else (the demo's lying node) still carries
 * a bundle whose header, and whose replay, say what its judge concluded: that disagreement is the proof.
 */
import { ZeroHash } from 'ethers'
import { BaseError } from '@sibyl/protocol/errors'
import jsSha3 from 'js-sha3'
import {
  EVIDENCE_BUNDLE_VERSION,
  encodeEvidenceBundle,
  evidenceLimits,
  toE9,
  type EvidenceBundle,
  type EvidenceHeader,
  type EvidencePassage,
  type EvidenceSource,
} from '@sibyl/protocol/evidence-bundle'
import type { ReadSourceReturnType } from '../sources/read-source.ts'
import type { JudgedPair } from '../resolve/judge-text.ts'
import type { ResolveQuestionReturnType } from '../resolve/resolve-question.ts'
import { encodeAnswer } from '@sibyl/protocol/answers'

/** keccak256 of a page's bytes; js-sha3 hashes large buffers several times faster than ethers' keccak. */
export function keccakBytes(bytes: Uint8Array): string {
  return `0x${jsSha3.keccak256(bytes)}`
}

export type BuildEvidenceSourcesParameters = {
  reads: readonly ReadSourceReturnType[]
  /** text questions: every pair the judge scored. */
  judgedPairs?: readonly JudgedPair[]
  /** structured questions: each source's vote. */
  votes?: ResolveQuestionReturnType['votes']
  /** Raw bytes kept per source (default and maximum: evidenceLimits.maxRawBytesPerSource). */
  maxRawBytes?: number
}

function passagesOf(pairs: readonly JudgedPair[], sourceIndex: number): EvidencePassage[] {
  const byPassage = new Map<number, EvidencePassage>()
  for (const p of pairs) {
    if (p.sourceIndex !== sourceIndex) continue
    let entry = byPassage.get(p.passageIndex)
    if (!entry) byPassage.set(p.passageIndex, (entry = { passageIndex: p.passageIndex, text: p.text, similarityE9: toE9(p.similarity), scores: [] }))
    entry.scores.push({ outcomeIndex: p.outcomeIndex, supportE9: toE9(p.support), refuteE9: toE9(p.refute), neitherE9: toE9(p.neither), logOddsE9: toE9(p.logOdds) })
  }
  return [...byPassage.values()].slice(0, evidenceLimits.maxPassagesPerSource)
}

/** One record per source, in spec order. */
export function buildEvidenceSources({ reads, judgedPairs = [], votes = [], maxRawBytes }: BuildEvidenceSourcesParameters): EvidenceSource[] {
  const cap = Math.min(maxRawBytes ?? evidenceLimits.maxRawBytesPerSource, evidenceLimits.maxRawBytesPerSource)
  // The spec's sources, then (discovery questions) the articles read.
  return reads.slice(0, evidenceLimits.maxSources + evidenceLimits.maxArticles).map((read, index) => {
    const raw = read.ok ? read.raw : 'raw' in read ? read.raw : undefined
    const body = raw?.body
    const rawIncluded = body !== undefined && body.length <= cap
    return {
      index,
      url: read.ok ? read.source.url : read.url,
      finalUrl: raw?.finalUrl ?? '',
      failure: read.ok ? '' : `${read.reason}: ${read.message}`.slice(0, 500),
      fetchedAtMs: raw?.fetchedAtMs ?? 0,
      status: raw?.status ?? (!read.ok && 'status' in read && typeof read.status === 'number' ? read.status : 0),
      contentType: raw?.contentType ?? '',
      charset: read.ok ? read.charset : '',
      rawHash: body === undefined ? ZeroHash : keccakBytes(body),
      rawSize: body?.length ?? 0,
      raw: rawIncluded ? body : new Uint8Array(),
      rawIncluded,
      text: read.ok ? read.document.text : '',
      passages: passagesOf(judgedPairs, index),
      values: votes
        .filter((v) => v.sourceIndex === index)
        .slice(0, evidenceLimits.maxValuesPerSource)
        .map((v) => ({ answer: encodeAnswer(v.answer), value: v.value ?? '', detail: v.detail.slice(0, 1000) })),
    }
  })
}

export type BuildEvidenceBundleParameters = {
  header: Omit<EvidenceHeader, 'version'>
  sources: EvidenceSource[]
}

export type BuildEvidenceBundleReturnType = { bundle: EvidenceBundle; bytes: Uint8Array }

/**
 * The bundle and its canonical bytes. Over the size bound, the largest raw bodies are dropped (their hash and
 * extracted text stay) until it fits; what still does not fit (text alone over 16 MiB) throws: a bug or a
 * hostile page past every fetch bound, and the node then does not sign.
 */
export function buildEvidenceBundle({ header, sources }: BuildEvidenceBundleParameters): BuildEvidenceBundleReturnType {
  const bundle: EvidenceBundle = { header: { version: EVIDENCE_BUNDLE_VERSION, ...header }, sources: sources.map((s) => ({ ...s })) }
  for (;;) {
    const bytes = encodeEvidenceBundle(bundle)
    if (bytes.length <= evidenceLimits.maxBundleBytes) return { bundle, bytes }
    const largest = bundle.sources.filter((s) => s.rawIncluded).sort((a, b) => b.raw.length - a.raw.length)[0]
    if (!largest) throw new EvidenceTooLargeError(`The evidence bundle is ${bytes.length} bytes without any raw page, over the ${evidenceLimits.maxBundleBytes}-byte bound.`)
    largest.raw = new Uint8Array()
    largest.rawIncluded = false
  }
}

export class EvidenceTooLargeError extends BaseError {
  override name = 'EvidenceTooLargeError' as const
}
