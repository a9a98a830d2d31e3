/**
 * A bounded least-recently-used cache in front of an embedder. A node embeds the same texts again and again:
 * the words the judge compares, the boilerplate of a site, the article several markets cite. The encoder is a
 * pure function of the text, so a cached vector is the vector; only texts not seen recently reach the model,
 * in one call. Bounded by entries (a 512-d vector is 2 KiB), so memory stays flat however long the node runs.
 */
import type { Embedder } from './embedder.ts'

export type CacheEmbeddingsParameters = {
  /** Vectors kept; 0 turns the cache off. */
  maxEntries: number
}

export type EmbeddingCacheStats = { hits: number; misses: number; size: number }

export function cacheEmbeddings<E extends Pick<Embedder, 'embed'>>(embedder: E, { maxEntries }: CacheEmbeddingsParameters): E & { cacheStats: () => EmbeddingCacheStats } {
  // A Map iterates in insertion order: re-inserting on a hit makes the first key the least recently used.
  const cache = new Map<string, Float32Array>()
  let hits = 0
  let misses = 0
  const embed = async (texts: readonly string[]): Promise<Float32Array[]> => {
    if (maxEntries <= 0) return embedder.embed(texts)
    const out = new Array<Float32Array>(texts.length)
    const missing: string[] = []
    const missingIndex = new Map<string, number[]>()
    texts.forEach((text, i) => {
      const hit = cache.get(text)
      if (hit) {
        cache.delete(text)
        cache.set(text, hit)
        out[i] = hit
        hits++
        return
      }
      const waiting = missingIndex.get(text)
      if (waiting) waiting.push(i)
      else {
        missingIndex.set(text, [i])
        missing.push(text)
      }
    })
    misses += missing.length
    if (missing.length > 0) {
      const vectors = await embedder.embed(missing)
      missing.forEach((text, k) => {
        const vector = vectors[k]!
        for (const i of missingIndex.get(text)!) out[i] = vector
        cache.set(text, vector)
      })
      while (cache.size > maxEntries) cache.delete(cache.keys().next().value!)
    }
    return out
  }
  return { ...embedder, embed, cacheStats: () => ({ hits, misses, size: cache.size }) }
}
