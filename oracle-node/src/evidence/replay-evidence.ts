/**
 * Deterministic replay: re-runs a node's judgement on its stored evidence and says whether it reproduces the
 * bundle's (and so the signed) answer and confidence.
 *
 * From the stored extracted text of each source: passages (the same pure split the node used: blocks of the text
 * for HTML, the whole value for JSON), then the sentence encoder and the judge through `resolveQuestion`, with
 * the bundle's spec, chain time, abstain threshold and passages-per-source. Structured questions re-read the
 * stored raw page instead (a page over the raw cap cannot be replayed: reported, not guessed). Where the raw
 * bytes are stored, the extraction itself is checked too: the stored body must yield the stored text.
 *
 * Why it is exact on the same kind of device: the sentence encoder's vector of a text is a pure function of the
 * text (embedder.ts batches only equal token lengths, never a lone row), every later step is plain JavaScript
 * arithmetic in a fixed order with stable sorts (rank-passages.ts breaks ties by index; judge-text.ts scores
 * pairs in selection order), and the answer and confidence are integers (basis points). Between CPU and CUDA
 * the encoder's float rounding differs (~1e-6 per component), so there the comparison allows
 * CROSS_DEVICE_TOLERANCE_BPS on the confidence (the answer must still be the same).
 */
import { questionSpecSchema, type QuestionSpec, type SourceSpec } from '@sibyl/protocol/question-spec'
import { encodeAnswer } from '@sibyl/protocol/answers'
import { evidenceMismatches, type EvidenceBundle, type EvidenceExpectation } from '@sibyl/protocol/evidence-bundle'
import type { Embedder } from '../nlp/embedder.ts'
import { readFetchedSource } from '../sources/read-source.ts'
import { splitPassages } from '../sources/split-passages.ts'
import { resolveQuestion, type ResolveQuestionDependencies, type SourceDocument } from '../resolve/resolve-question.ts'
import { discoveryHost, type DiscoveryArticle } from '../resolve/resolve-by-discovery.ts'

/** Confidence difference allowed when the replay runs on another execution provider than the node did. */
export const CROSS_DEVICE_TOLERANCE_BPS = 10

export type ReplayEvidenceDependencies = {
  embedder: Pick<Embedder, 'embed'>
  judge: ResolveQuestionDependencies['judge']
}

export type ReplayEvidenceReturnType =
  | {
      ok: true
      answer: bigint
      confidenceBps: number
      outcomeProbabilitiesBps: number[]
      reason: string
      /** Answer, confidence and per-outcome probabilities equal to what the bundle records. */
      matchesBundle: boolean
      /** Judged passages and their scores against the bundle's: how many compared, largest score difference (×1e9). */
      passages: { compared: number; sameTexts: boolean; maxScoreDiffE9: number }
      /** Sources whose stored raw body was extracted again: how many, and which did not give the stored text. */
      extraction: { checked: number; mismatched: number[] }
    }
  | { ok: false; reason: string }

/** The passages the node's reader made of a source's text (extract-content.ts for HTML, read-source.ts for JSON). */
export function passagesOfText(text: string, format: SourceSpec['format']): string[] {
  return (format ?? 'html') === 'json' ? splitPassages([text]) : splitPassages(text.split('\n\n'))
}

function parseSpec(spec: string): QuestionSpec | undefined {
  try {
    const parsed = questionSpecSchema.safeParse(JSON.parse(spec))
    return parsed.success ? parsed.data : undefined
  } catch {
    return undefined
  }
}

/**
 * `expected`: the signed observation the replay is to be compared with. Given, a bundle that is not that
 * observation's evidence (another request, round, chain, contract, kind, signer or model; a spec other than the
 * on-chain one) is refused instead of replayed: replaying it would "match" an answer it was never about.
 */
export async function replayEvidence(deps: ReplayEvidenceDependencies, bundle: EvidenceBundle, expected?: EvidenceExpectation): Promise<ReplayEvidenceReturnType> {
  const { header } = bundle
  if (expected) {
    const mismatches = evidenceMismatches(header, expected)
    if (mismatches.length > 0) return { ok: false, reason: `the bundle is not the evidence of this observation: ${mismatches.join('; ')}` }
  }
  if (header.kind !== 'resolution') return { ok: false, reason: `${header.kind} bundles are not replayed (their values are checked against the stored pages by hand)` }
  const spec = parseSpec(header.spec)
  if (header.questionType === 'invalid') {
    // Nothing was judged: the node answered "unresolvable" because the spec was broken. Replay checks only that.
    const same = header.answer === -1n
    return { ok: true, answer: -1n, confidenceBps: 10_000, outcomeProbabilitiesBps: [], reason: 'invalid spec', matchesBundle: same && header.confidenceBps === 10_000, passages: { compared: 0, sameTexts: true, maxScoreDiffE9: 0 }, extraction: { checked: 0, mismatched: [] } }
  }
  if (!spec) return { ok: false, reason: 'the bundle’s spec does not parse as a question spec' }
  if (spec.type !== header.questionType) return { ok: false, reason: `the bundle says ${header.questionType}, its spec says ${spec.type}` }

  const documents: SourceDocument[] = []
  const extraction = { checked: 0, mismatched: [] as number[] }
  // A discovery question's articles come after the spec's own sources (read-discovery-question.ts).
  const articles: DiscoveryArticle[] = []
  const discovering = spec.type === 'text' && spec.discover !== undefined
  for (const source of bundle.sources) {
    if (source.failure !== '') continue
    if (discovering && source.index >= spec.sources.length) {
      articles.push({ evidenceIndex: source.index, url: source.url, source: discoveryHost(source.url), title: '', text: source.text, passages: passagesOfText(source.text, 'html') })
      continue
    }
    const sourceSpec = spec.sources[source.index]
    if (!sourceSpec) return { ok: false, reason: `source ${source.index} is not in the spec` }
    let html: string | undefined
    if (source.rawIncluded) {
      const reread = readFetchedSource(sourceSpec, { finalUrl: source.finalUrl, status: source.status, contentType: source.contentType, fetchedAtMs: source.fetchedAtMs, body: Buffer.from(source.raw) })
      extraction.checked++
      if (!reread.ok || reread.document.text !== source.text) extraction.mismatched.push(source.index)
      if (reread.ok) html = reread.html
    }
    const format = sourceSpec.format ?? 'html'
    if (spec.type !== 'text' && format === 'html' && html === undefined) {
      return { ok: false, reason: `source ${source.index} is a structured page kept only as its hash (${source.rawSize} bytes, over the raw cap): it cannot be re-read` }
    }
    documents.push({
      sourceIndex: source.index,
      text: source.text,
      passages: passagesOfText(source.text, format),
      ...(spec.type !== 'text' && html !== undefined ? { html } : {}),
      weight: sourceSpec.weight,
    })
  }

  const discovery = discovering
    ? { articles: [...documents.map((d) => ({ evidenceIndex: d.sourceIndex, url: spec.sources[d.sourceIndex]!.url, source: discoveryHost(spec.sources[d.sourceIndex]!.url), title: '', text: d.text, passages: d.passages })), ...articles] }
    : undefined
  const result = await resolveQuestion(deps, spec, documents, { minConfidenceBps: header.minConfidenceBps, nowSec: header.nowSec, topKPerSource: header.topKPerSource, ...(discovery ? { discovery } : {}) })
  const answer = encodeAnswer(result.answer)
  const probabilities = result.outcomeProbabilitiesBps ?? []

  // The scores the node recorded against the scores computed now, passage by passage.
  let compared = 0
  let sameTexts = true
  let maxScoreDiffE9 = 0
  const recomputed = new Map<string, { text: string; scores: number[] }>()
  for (const p of result.judgedPairs ?? []) {
    const key = `${p.sourceIndex}:${p.passageIndex}`
    const entry = recomputed.get(key) ?? { text: p.text, scores: [] }
    entry.scores.push(Math.round(p.support * 1e9), Math.round(p.refute * 1e9), Math.round(p.neither * 1e9), Math.round(p.logOdds * 1e9), Math.round(p.similarity * 1e9))
    recomputed.set(key, entry)
  }
  for (const source of bundle.sources) {
    for (const passage of source.passages) {
      const now = recomputed.get(`${source.index}:${passage.passageIndex}`)
      compared++
      if (!now || now.text !== passage.text) {
        sameTexts = false
        continue
      }
      const stored = passage.scores.flatMap((c) => [c.supportE9, c.refuteE9, c.neitherE9, c.logOddsE9, passage.similarityE9])
      if (stored.length !== now.scores.length) sameTexts = false
      stored.forEach((v, i) => (maxScoreDiffE9 = Math.max(maxScoreDiffE9, Math.abs(v - (now.scores[i] ?? 0)))))
    }
  }
  if (compared !== recomputed.size) sameTexts = false

  const matchesBundle =
    answer === header.answer &&
    result.confidenceBps === header.confidenceBps &&
    (header.outcomeProbabilitiesBps.length === 0 || probabilities.join(',') === header.outcomeProbabilitiesBps.join(','))
  return {
    ok: true,
    answer,
    confidenceBps: result.confidenceBps,
    outcomeProbabilitiesBps: probabilities,
    reason: result.reason,
    matchesBundle,
    passages: { compared, sameTexts, maxScoreDiffE9 },
    extraction,
  }
}

export type ReplayVerdict = { matches: boolean; answerMatches: boolean; confidenceDiffBps: number; toleranceBps: number }

/**
 * Does a replay reproduce a signed answer? The answer must be the same and the confidence within the tolerance:
 * 0 bps when the replay ran on the node's kind of device, CROSS_DEVICE_TOLERANCE_BPS across CPU and CUDA.
 */
export function compareReplay(
  replay: { answer: bigint; confidenceBps: number },
  signed: { answer: bigint; confidenceBps: number },
  devices: { node: string; replay: string },
): ReplayVerdict {
  const toleranceBps = devices.node === devices.replay ? 0 : CROSS_DEVICE_TOLERANCE_BPS
  const answerMatches = replay.answer === signed.answer
  const confidenceDiffBps = Math.abs(replay.confidenceBps - signed.confidenceBps)
  return { matches: answerMatches && confidenceDiffBps <= toleranceBps, answerMatches, confidenceDiffBps, toleranceBps }
}
