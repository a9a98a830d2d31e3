import test from 'ava'
import { createEmbedder } from '../nlp/embedder.ts'
import { resolveTestModelsDir } from '../testing/test-models-dir.ts'
import { createWorkerEmbedder } from './create-worker-embedder.ts'

const init = { modelsDir: resolveTestModelsDir(), modelCacheDir: null, executionProvider: 'cpu' as const }

test('the encoder on its own thread gives exactly the vectors it gives on the main thread', async (t) => {
  const [inThread, onWorker] = await Promise.all([createEmbedder(init), createWorkerEmbedder(init)])
  try {
    t.is(onWorker.modelId, inThread.modelId)
    t.is(onWorker.modelHash, inThread.modelHash)
    t.is(onWorker.dimensions, inThread.dimensions)
    const texts = ['The bridge was approved by the council.', 'Gulls nest on the island.', 'The museum stayed closed in March.', '']
    const [a, b] = await Promise.all([inThread.embed(texts), onWorker.embed(texts)])
    t.is(b.length, texts.length)
    b.forEach((vector, i) => t.deepEqual(Array.from(vector), Array.from(a[i]!), `text ${i}`))
    t.deepEqual(await onWorker.embed([]), [])
  } finally {
    await Promise.all([inThread.dispose(), onWorker.dispose()])
  }
})

test('the encoder in a worker process gives the same vectors, each in a buffer of its own (the cache keeps them)', async (t) => {
  const [inThread, inProcess] = await Promise.all([createEmbedder(init), createWorkerEmbedder(init, { isolation: 'process' })])
  try {
    const texts = ['The bridge was approved by the council.', 'Gulls nest on the island.', 'The museum stayed closed in March.']
    const [a, b] = await Promise.all([inThread.embed(texts), inProcess.embed(texts)])
    b.forEach((vector, i) => {
      t.deepEqual(Array.from(vector), Array.from(a[i]!), `text ${i}`)
      // Red before: a view into the whole message's buffer, which a cached vector would keep alive.
      t.is(vector.buffer.byteLength, vector.byteLength, `text ${i}: its own buffer`)
    })
  } finally {
    await Promise.all([inThread.dispose(), inProcess.dispose()])
  }
})
