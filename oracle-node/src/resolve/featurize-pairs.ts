/**
 * Features for many (claim, evidence) pairs at once: every distinct sentence and word is embedded once, in
 * the embedder's batches, then `extractPairFeatures` runs per pair. Shared by the judge and its training
 * script so both compute exactly the same numbers.
 */
import type { Slicer } from '@sibyl/service-kit/time/slice-work'
import type { Embedder } from '../nlp/embedder.ts'
import { cleanText, extractPairFeatures, wordsToEmbed, type Lexicon } from './extract-pair-features.ts'

export type FeaturizePairsParameters = {
  embedder: Pick<Embedder, 'embed'>
  lexicon: Lexicon
  pairs: readonly { claim: string; evidence: string }[]
  /** Optional cache of text -> vector shared across calls (a training run, one request). */
  cache?: Map<string, Float32Array>
  /** Pauses between pairs, so a node's event loop keeps its turns (none: one run). */
  slicer?: Slicer
}

export type FeaturizePairsReturnType = number[][]

export async function featurizePairs(parameters: FeaturizePairsParameters): Promise<FeaturizePairsReturnType> {
  const { embedder, lexicon, pairs } = parameters
  const cache = parameters.cache ?? new Map<string, Float32Array>()
  const wanted = new Set<string>()
  for (const p of pairs) {
    wanted.add(cleanText(p.claim))
    wanted.add(cleanText(p.evidence))
    for (const w of wordsToEmbed(p.claim, p.evidence)) wanted.add(w)
  }
  const missing = [...wanted].filter((t) => !cache.has(t))
  const vectors = await embedder.embed(missing)
  missing.forEach((t, i) => cache.set(t, vectors[i]!))
  const out: FeaturizePairsReturnType = []
  for (const p of pairs) {
    out.push(
      extractPairFeatures({
        claim: p.claim,
        evidence: p.evidence,
        claimVector: cache.get(cleanText(p.claim))!,
        evidenceVector: cache.get(cleanText(p.evidence))!,
        lexicon,
        wordVectors: cache,
      }),
    )
    if (parameters.slicer) await parameters.slicer.pause()
  }
  return out
}
