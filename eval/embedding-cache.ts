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
      if (missing.length === 0) return texts.map((t) => cache.get(t)!)
      const vectors = await embedder.embed(missing)
      const fresh = new Map(missing.map((t, i) => [t, vectors[i]!]))
      // The answer is read before any eviction: texts cached by earlier calls (earlier datasets of a full run)
      // must not vanish when this call fills the cache. (They did: a full run failed on wice with a TypeError.)
      const answer = texts.map((t) => fresh.get(t) ?? cache.get(t)!)
      if (cache.size + missing.length > maxEntries) cache.clear()
      for (const [t, v] of fresh) if (cache.size < maxEntries) cache.set(t, v)
      return answer
    },
  }
}
