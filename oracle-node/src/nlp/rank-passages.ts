/**
 * Ranks passages by cosine similarity to a query. The embedder returns L2-normalised vectors, so cosine is
 * the dot product.
 */
import type { Embedder } from './embedder.ts'

export type RankedPassage = {
  /** Index into the `passages` given. */
  index: number
  passage: string
  /** Cosine similarity, -1..1. */
  score: number
}

export type RankPassagesReturnType = RankedPassage[]

/** The `topK` passages most similar to `query`, best first (ties keep input order). */
export async function rankPassages(
  embedder: Pick<Embedder, 'embed'>,
  query: string,
  passages: readonly string[],
  topK: number,
): Promise<RankPassagesReturnType> {
  if (passages.length === 0 || topK <= 0) return []
  const [queryVector, ...passageVectors] = await embedder.embed([query, ...passages])
  const scored = passageVectors.map((v, index) => ({ index, passage: passages[index]!, score: dot(queryVector!, v) }))
  scored.sort((a, b) => b.score - a.score || a.index - b.index)
  return scored.slice(0, topK)
}

/** Dot product; the cosine of two L2-normalised vectors. */
export function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) sum += a[i]! * b[i]!
  return sum
}
