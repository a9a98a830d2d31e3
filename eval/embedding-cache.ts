/**
 * The node's embedder behind a text -> vector cache for one evaluation run: the same sentence or word is
 * embedded once however many rows share it (SNLI premises, common words). The vectors are the embedder's
 * own, so answers are unchanged; only time is saved. Bounded: the cache is emptied when it is full.
 */
import type { Embedder } from '@sibyl/oracle-node/nlp/embedder'

export function withEmbeddingCache(embedder: Pick<Embedder, 'embed'>, maxEntries = 100_000): Pick<Embedder, 'embed'> {
  const cache = new Map<string, Float32Array>()
  return {
    async embed(texts) {
      const missing = [...new Set(texts.filter((t) => !cache.has(t)))]
      if (missing.length > 0) {
        const vectors = await embedder.embed(missing)
        if (cache.size + missing.length > maxEntries) cache.clear()
        missing.forEach((t, i) => cache.set(t, vectors[i]!))
        // Vectors for this call come from `vectors` when the cache was just cleared.
        const fresh = new Map(missing.map((t, i) => [t, vectors[i]!]))
        return texts.map((t) => fresh.get(t) ?? cache.get(t)!)
      }
      return texts.map((t) => cache.get(t)!)
    },
  }
}
