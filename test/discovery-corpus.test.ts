/**
 * Discovery over the demo's news corpus (feeds/demo/news/), served by the real demo sites on 127.0.0.1 and read
 * by the node's real fetcher, page workers, sentence encoder and judge.
 *
 * What must hold: the wire story that six outlets ran (with small edits) is one independent story, not six; the
 * one outlet that says the opposite (the Ridgeback Record) is outweighed by the independent reports that
 * agree; articles outside the window (a preview saying the vote was delayed) are never read; and through the
 * node's resolver the evidence bundle binds the interval, the articles read and every feed looked at.
 */
import test from 'ava'
import { pino } from 'pino'
import { ZeroAddress, ZeroHash } from 'ethers'
import { decodeEvidenceBundle } from '@sibyl/protocol/evidence-bundle'
import type { QuestionSpec } from '@sibyl/protocol/question-spec'
import { nodeConfigSchema } from '@sibyl/oracle-node/config/node-config'
import { createPipelineResolver } from '@sibyl/oracle-node/node/create-pipeline-resolver'
import type { Resolver } from '@sibyl/oracle-node/node/resolver'
import type { ResolutionRequest } from '@sibyl/oracle-node/chain/fetch-requests'
import { createPageWorkerPool } from '@sibyl/oracle-node/isolate/create-page-worker-pool'
import type { WorkerPool } from '@sibyl/oracle-node/isolate/create-worker-pool'
import { createWorkerEmbedder } from '@sibyl/oracle-node/isolate/create-worker-embedder'
import { createWorkerPairJudge } from '@sibyl/oracle-node/isolate/create-worker-pair-judge'
import { loadPipelineJudge } from '@sibyl/oracle-node/node/pipeline-models'
import { createSourceFetcher } from '@sibyl/oracle-node/sources/create-source-fetcher'
import { readDiscoveryQuestion } from '@sibyl/oracle-node/sources/discovery/read-discovery-question'
import { resolveByDiscovery } from '@sibyl/oracle-node/resolve/resolve-by-discovery'
import { resolveTestModelsDir } from '@sibyl/oracle-node/testing/test-models-dir'
import { startDemoSites, type DemoSites } from '@sibyl/devnet/serve-demo-sites'
import { findDemoQuestion } from '@sibyl/devnet/demo-questions'

const silent = pino({ level: 'silent' })
let sites: DemoSites
let pool: WorkerPool
let resolver: Resolver
let models: { embedder: Awaited<ReturnType<typeof createWorkerEmbedder>>; judge: Parameters<typeof resolveByDiscovery>[0]['judge']; close(): Promise<void> }

test.before(async () => {
  sites = await startDemoSites()
  pool = createPageWorkerPool()
  await pool.whenReady()
  const config = nodeConfigSchema.parse({
    name: 'discovery-corpus-test',
    chain: { rpcUrls: ['http://127.0.0.1:8545'], deploymentFile: 'deployment.json' },
    nats: { servers: ['nats://127.0.0.1:4222'] },
    key: { source: 'env', env: 'NODE_KEY' },
    stateDir: '/tmp/discovery-corpus-test-state',
    sources: { allowPrivateAddresses: true },
    model: { modelsDir: resolveTestModelsDir(), device: 'cpu' },
    log: { level: 'silent' },
  })
  resolver = await createPipelineResolver({ config, logger: silent, pagePool: pool })
  const embedder = await createWorkerEmbedder({ modelsDir: resolveTestModelsDir(), modelId: config.model.embeddingModel, allowRemoteModels: false, executionProvider: 'cpu', batchSize: 32 }, { logger: silent })
  const loaded = loadPipelineJudge().judge
  const files = loaded.pairJudgeFiles
  const pairJudge = files ? createWorkerPairJudge({ ...files, executionProvider: 'cpu' }, { logger: silent }) : undefined
  models = {
    embedder,
    judge: pairJudge ? { ...loaded, pairJudge } : loaded,
    close: async () => {
      await embedder.dispose()
      await pairJudge?.dispose()
    },
  }
})

test.after.always(async () => {
  await Promise.all([sites?.close(), pool?.close(), models?.close().catch(() => undefined)])
})

function request(spec: QuestionSpec): ResolutionRequest {
  return { requestId: ZeroHash, requester: ZeroAddress, specHash: ZeroHash, spec: JSON.stringify(spec), outcomes: [...spec.outcomes], resolveAfter: 0, feeWei: 0n, blockNumber: 0, logIndex: 0 }
}

test.serial('syndicated copies count once, and the contradicting outlet is outweighed by independent agreement', async (t) => {
  const { spec } = findDemoQuestion(sites.url, 'dredging-approved')
  if (spec.type !== 'text' || !spec.discover) return t.fail('dredging-approved is a discovery question')
  const fetcher = createSourceFetcher({}, { allowPrivateAddresses: true })
  const nowSec = 1742000000
  const read = await readDiscoveryQuestion({ fetcher, pool }, { spec: { ...spec, discover: spec.discover }, nowSec, specDocuments: [] })
  t.true(read.readable >= 20, `${read.readable} articles read; failed: ${read.reads.flatMap((r) => (r.ok ? [] : [`${r.reason}: ${r.message}`])).join(' | ')}`)
  // Nothing outside the window was read: the preview that says the vote was delayed is dated March 3.
  t.false(read.input.articles.some((a) => a.url.includes('dredging-vote-delayed')))
  t.true(read.input.articles.every((a) => a.publishedSec === undefined || (a.publishedSec >= spec.discover!.window.from && a.publishedSec <= spec.discover!.window.to)))
  t.is(read.report.length, 8)
  t.true(read.report.every((f) => f.failure === ''), JSON.stringify(read.report.filter((f) => f.failure !== '')))

  const result = await resolveByDiscovery({ embedder: models.embedder, judge: models.judge }, spec, read.input, { minConfidenceBps: 6000, nowSec })
  t.log(result.reason, result.confidenceInterval)
  // The six copies of the wire story are one group.
  const wire = result.groups.filter((g) => g.members.some((m) => m.includes('wire-gullwing-dredging-approved')))
  t.is(wire.length, 1, JSON.stringify(wire.map((g) => g.members)))
  t.is(wire[0]!.memberCount, 6)
  // The Ridgeback Record's report is judged, and loses: the answer is YES, above the node's floor.
  const ridgeback = result.groups.filter((g) => g.members.some((m) => m.includes('/ridgeback-record/') && /rejected|dead/.test(m)))
  t.true(ridgeback.length >= 1)
  t.true(ridgeback.some((g) => g.verdict !== undefined && g.verdict.outcomeProbabilitiesBps[1]! > g.verdict.outcomeProbabilitiesBps[0]!), JSON.stringify(ridgeback))
  const agreeing = result.groups.filter((g) => g.verdict !== undefined && g.verdict.outcomeProbabilitiesBps[0]! > g.verdict.outcomeProbabilitiesBps[1]!)
  t.true(agreeing.length > ridgeback.length, `${agreeing.length} agreeing independent stories`)
  t.deepEqual(result.answer, { kind: 'outcome', index: 0 })
  t.true(result.confidenceBps >= 6000)
  const [low, high] = result.confidenceInterval
  t.true(low <= result.confidenceBps && result.confidenceBps <= high)
  // Counted by articles, the wire story alone would be six votes; counted by stories it is one.
  t.true(result.groups.length < result.articlesRead)
})

test.serial('through the node: the evidence bundle binds the interval, the articles read and the feeds looked at', async (t) => {
  const { spec } = findDemoQuestion(sites.url, 'dredging-approved')
  const outcome = await resolver(request(spec), spec, { nowSec: 1742000000, logger: silent })
  if (outcome.kind !== 'observed') return t.fail(`${outcome.kind}: ${outcome.reason}`)
  t.is(outcome.answer, 0n)
  const bundle = decodeEvidenceBundle(outcome.evidence!.bytes)
  t.is(bundle.header.articlesRead, outcome.articlesRead)
  t.true((outcome.articlesRead ?? 0) >= 20)
  t.deepEqual(bundle.header.confidenceIntervalBps, outcome.confidenceInterval)
  t.is(bundle.header.discovery?.length, 8)
  t.true(bundle.header.discovery!.every((f) => f.origin === 'spec' && f.failure === ''))
  // One record per article read, after the spec's own sources (none here).
  t.is(bundle.sources.length, spec.type === 'text' ? Math.min(spec.discover!.maxArticles, 200) : 0)
  t.true(bundle.sources.some((s) => s.passages.length > 0))
})
