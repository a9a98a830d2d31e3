import test from 'ava'
import { withEmbeddingCache } from './embedding-cache.ts'

/** A counting embedder: the vector of a text is [its length, call number]. */
function countingEmbedder() {
  const calls: string[][] = []
  return {
    calls,
    embedder: {
      async embed(texts: readonly string[]) {
        calls.push([...texts])
        return texts.map((t) => Float32Array.from([t.length, calls.length]))
      },
    },
  }
}

test('a text cached before a call that fills the cache still gets its vector (the wice TypeError of a full run)', async (t) => {
  const { embedder } = countingEmbedder()
  const cached = withEmbeddingCache(embedder, 3)
  await cached.embed(['a', 'bb'])
  // 'a' is cached, 'ccc' and 'dddd' are new: 2 + 2 > 3 empties the cache in the middle of this call.
  const vectors = await cached.embed(['a', 'ccc', 'dddd'])
  t.is(vectors.length, 3)
  for (const v of vectors) t.truthy(v, 'every text has a vector')
  t.deepEqual([...vectors[0]!], [1, 1])
  t.deepEqual([...vectors[1]!], [3, 2])
  t.deepEqual([...vectors[2]!], [4, 2])
})

test('each text is embedded once while the cache has room, and the cache stays bounded', async (t) => {
  const { embedder, calls } = countingEmbedder()
  const cached = withEmbeddingCache(embedder, 4)
  await cached.embed(['a', 'b'])
  await cached.embed(['a', 'b', 'c'])
  t.deepEqual(calls, [['a', 'b'], ['c']])
  await cached.embed(['d', 'e', 'f'])
  const again = await cached.embed(['a', 'f'])
  t.deepEqual([...again[1]!], [1, 3], 'f came from the cache')
  t.is(calls.length, 4, 'a was evicted and embedded again, f was not')
})
