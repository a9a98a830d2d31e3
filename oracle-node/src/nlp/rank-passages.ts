/**
 * Ranks passage vectors by cosine similarity to a query vector. It takes vectors, not an embedder, so the
 * caller embeds once (the judge embeds the query and every source's passages in one call) and ranks slices.
 */
import { dot } from './dot.ts'

export type RankedPassage = {
  /** Index into the `passageVectors` given. */
  index: number
  /** Cosine similarity to the query, -1..1 (the vectors are L2-normalised). */
  score: number
}

export type RankPassagesReturnType = RankedPassage[]

/** The `topK` passages most similar to the query, best first (ties keep input order). */
export function rankPassages(queryVector: Float32Array, passageVectors: readonly Float32Array[], topK: number): RankPassagesReturnType {
  if (passageVectors.length === 0 || topK <= 0) return []
  const scored = passageVectors.map((vector, index) => ({ index, score: dot(queryVector, vector) }))
  scored.sort((a, b) => b.score - a.score || a.index - b.index)
  return scored.slice(0, topK)
}
