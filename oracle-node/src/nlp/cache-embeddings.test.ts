import test from 'ava'
import { cacheEmbeddings } from './cache-embeddings.ts'

/** A stand-in encoder that records what reaches it (a unit test of the cache alone). */
function countingEmbedder() {
  const calls: string[][] = []
  return {
    calls,
    embed: async (texts: readonly string[]) => {
      calls.push([...texts])
      return texts.map((t) => Float32Array.from([t.length, t.charCodeAt(0) || 0]))
    },
  }
}

test('only unseen texts reach the encoder, once each, and results keep the input order', async (t) => {
  const inner = countingEmbedder()
  const cached = cacheEmbeddings(inner, { maxEntries: 100 })
  const first = await cached.embed(['alpha', 'be', 'alpha', 'gamma'])
  t.deepEqual(inner.calls, [['alpha', 'be', 'gamma']])
  t.deepEqual(first.map((v) => v[0]), [5, 2, 5, 5])
  const second = await cached.embed(['gamma', 'delta', 'be'])
  t.deepEqual(inner.calls[1], ['delta'])
  t.deepEqual(second.map((v) => v[0]), [5, 5, 2])
  t.deepEqual(cached.cacheStats(), { hits: 2, misses: 4, size: 4 })
})

test('bounded: the least recently used text goes first', async (t) => {
  const inner = countingEmbedder()
  const cached = cacheEmbeddings(inner, { maxEntries: 2 })
  await cached.embed(['a', 'b'])
  await cached.embed(['a']) // a is now the most recent
  await cached.embed(['c']) // evicts b
  await cached.embed(['a', 'b'])
  t.deepEqual(inner.calls.at(-1), ['b'])
  t.is(cached.cacheStats().size, 2)
})

test('maxEntries 0 passes everything through', async (t) => {
  const inner = countingEmbedder()
  const cached = cacheEmbeddings(inner, { maxEntries: 0 })
  await cached.embed(['a'])
  await cached.embed(['a'])
  t.is(inner.calls.length, 2)
})
