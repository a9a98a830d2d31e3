/**
 * The discovery adapter on a few Fool Me Twice rows the judge never saw, with the node's real encoder and
 * judge: every figure it reports is there and in range, and the rank of the gold sentence is measured
 * against the pool's own order.
 */
import test from 'ava'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { createEmbedder } from '@sibyl/oracle-node/nlp/embedder'
import { loadJudgeModel } from '@sibyl/oracle-node/resolve/load-judge-model'
import { resolveTestDataDir } from '@sibyl/oracle-node/testing/test-data-dir'
import { resolveTestModelsDir } from '@sibyl/oracle-node/testing/test-models-dir'
import { discoveryFoolMeTwice } from './datasets/discovery-fool-me-twice.ts'
import { readRows } from './read-dataset.ts'
import { loadSeenRows } from './seen-rows.ts'

const shared = resolveTestDataDir()
const hasData = existsSync(join(shared, 'fool_me_twice', 'data.jsonl'))

;(hasData ? test : test.skip)('discovery.fool_me_twice: accuracy, gold rank and interval calibration on unseen rows', async (t) => {
  const seen = loadSeenRows()
  const rows = readRows(shared, 'fool_me_twice').filter((r) => seen.why('fool_me_twice', String(r.id)) === undefined).slice(0, 4)
  const embedder = await createEmbedder({ modelsDir: resolveTestModelsDir(), executionProvider: 'cpu', batchSize: 64 })
  t.teardown(() => embedder.dispose())
  const node = { embedder, judge: loadJudgeModel(), minConfidenceBps: 6000 }
  const result = await discoveryFoolMeTwice.evaluate({ dataDir: shared, folder: 'fool_me_twice', node: async () => node, minConfidenceBps: 6000, log: () => {} }, rows)
  t.is(result.figures.n, 4)
  const extra = result.extra as Record<string, any>
  for (const key of ['goldInTop1', 'goldInTop5', 'goldMeanReciprocalRank']) t.true(extra[key] >= 0 && extra[key] <= 1, key)
  t.true(extra.goldInTop1 <= extra.goldInTop5)
  t.true(extra.randomOrder.goldInTop5 > 0 && extra.randomOrder.goldInTop5 < 1)
  t.true(extra.wordOverlapOrder.goldInTop1 >= 0 && extra.wordOverlapOrder.goldInTop1 <= extra.wordOverlapOrder.goldInTop5)
  for (const name of ['discovery', 'textJudgePool', 'textJudgeGold']) {
    const c = extra.intervals[name]
    t.is(c.n, 4, name)
    t.is(c.containsPoint, 1, `${name}: every interval holds its point`)
    t.true(c.coverage >= 0 && c.coverage <= 1, name)
    t.is(c.nominal, 0.9)
  }
  t.true(result.baselines.some((b) => b.name === 'text judge, pool as one page'))
})
