/**
 * Pool starvation through the node's real resolver (createPipelineResolver: the real source fetcher, page
 * workers and models), served by a real HTTP server on 127.0.0.1.
 *
 * The attack: a requester posts several questions whose pages each burn a page task's whole CPU budget, just
 * as an honest question with several sources is being read. The page workers are shared by every question;
 * if the honest question's page tasks run out of time while queued behind the attacker's, the honest
 * question must not be answered from whichever of its sources got through (the signing journal would make
 * that answer final for the round): it must come back as `retry`, and answer from all its sources once the
 * pool is free again.
 */
import test from 'ava'
import { pino } from 'pino'
import { ZeroAddress, ZeroHash } from 'ethers'
import { questionSpecSchema, type QuestionSpec } from '@sibyl/protocol/question-spec'
import { decodeAnswer } from '@sibyl/protocol/answers'
import { nodeConfigSchema } from '@sibyl/oracle-node/config/node-config'
import { createPipelineResolver } from '@sibyl/oracle-node/node/create-pipeline-resolver'
import type { ResolveOutcome, Resolver } from '@sibyl/oracle-node/node/resolver'
import type { ResolutionRequest } from '@sibyl/oracle-node/chain/fetch-requests'
import { createPageWorkerPool } from '@sibyl/oracle-node/isolate/create-page-worker-pool'
import type { WorkerPool } from '@sibyl/oracle-node/isolate/create-worker-pool'
import { startTestServer, type TestServer } from '@sibyl/oracle-node/sources/testing/start-test-server'
import { resolveTestModelsDir } from '@sibyl/oracle-node/testing/test-models-dir'

/** 2 MB of nested <div>s with a price in each: seconds of work in the price reader, far past a 1 s page budget. */
const block = `${'<div>'.repeat(250)}Canucks 4 Coyotes 3 Final $119.99 ${'</div>'.repeat(250)}`
const heavyPage = `<!doctype html><html><body>${block.repeat(Math.ceil(2_000_000 / block.length))}</body></html>`
const price = JSON.stringify({ data: '119.01' })
/** The honest question's other sources answer after this long (an ordinary slow site). */
const delayMs = 700
const attackers = 6
const sourcesPerAttacker = 4

let server: TestServer
let pool: WorkerPool
let resolver: Resolver
const silent = pino({ level: 'silent' })

test.before(async () => {
  server = await startTestServer((req, res) => {
    const url = req.url ?? ''
    if (url.startsWith('/heavy/')) {
      res.writeHead(200, { 'content-type': 'text/html' })
      res.end(heavyPage)
      return
    }
    if (url === '/price.json' || url.startsWith('/delayed/')) {
      const send = () => {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(price)
      }
      if (url === '/price.json') send()
      else setTimeout(send, delayMs)
      return
    }
    res.writeHead(404)
    res.end()
  })
  const config = nodeConfigSchema.parse({
    name: 'hostile-pool-starvation-test',
    chain: { rpcUrls: ['http://127.0.0.1:8545'], deploymentFile: 'deployment.json' },
    nats: { servers: ['nats://127.0.0.1:4222'] },
    key: { source: 'env', env: 'NODE_KEY' },
    stateDir: '/tmp/hostile-pool-starvation-test-state',
    // Every page is on one test host: the per-host fetch limit is not what this test is about.
    sources: { allowPrivateAddresses: true, perHostConcurrency: 64 },
    model: { modelsDir: resolveTestModelsDir(), device: 'cpu' },
    log: { level: 'silent' },
  })
  // Two workers, as on a node with two cores or more; a 1 s page budget within a 6 s question.
  pool = createPageWorkerPool({ size: 2 })
  await pool.whenReady()
  resolver = await createPipelineResolver({ config, logger: silent, pagePool: pool, questionBudget: { timeMs: 6_000, pageTaskMs: 1_000 } })
})

test.after.always(async () => {
  await Promise.all([server?.close(), pool?.close()])
})

function request(spec: QuestionSpec): ResolutionRequest {
  return { requestId: ZeroHash, requester: ZeroAddress, specHash: ZeroHash, spec: JSON.stringify(spec), outcomes: [...spec.outcomes], resolveAfter: 0, feeWei: 0n, blockNumber: 0, logIndex: 0 }
}

function priceQuestion(sources: Array<{ url: string; format?: 'html' | 'json'; jsonPath?: string }>): QuestionSpec {
  return questionSpecSchema.parse({ version: 1, type: 'numeric.threshold', question: 'Is the Kärcher K 3 priced above 100 EUR?', sources, threshold: '100', comparison: 'gt', outcomes: ['YES', 'NO'], unit: 'EUR' })
}

const honest = () =>
  priceQuestion([
    { url: `${server.origin}/price.json`, format: 'json', jsonPath: 'data' },
    ...[1, 2, 3].map((i) => ({ url: `${server.origin}/delayed/${i}.json`, format: 'json' as const, jsonPath: 'data' })),
  ])

const resolve = (spec: QuestionSpec): Promise<ResolveOutcome> => resolver(request(spec), spec, { nowSec: 1_900_000_000, logger: silent })

function describe(outcome: ResolveOutcome): string {
  if (outcome.kind !== 'observed') return `${outcome.kind}: ${outcome.reason}`
  return `observed on sources [${(outcome.evidence?.bundle.sources ?? []).map((s) => s.failure || 'ok').join(' | ')}]`
}

test.serial('questions that burn the page workers cannot make the node answer an honest question from a subset of its sources', async (t) => {
  const spec = honest()
  const honestOutcome = resolve(spec)
  // The honest question's first source is read at once; the attack lands while its other sources are in flight.
  await new Promise((r) => setTimeout(r, 100))
  const attack = Array.from({ length: attackers }, (_, q) =>
    resolve(priceQuestion(Array.from({ length: sourcesPerAttacker }, (_, s) => ({ url: `${server.origin}/heavy/${q}-${s}.html` })))),
  )
  const outcome = await honestOutcome
  t.log(`honest question under attack: ${describe(outcome)}`)
  t.is(outcome.kind, 'retry', describe(outcome))
  if (outcome.kind === 'retry') t.regex(outcome.reason, /page worker/)
  await Promise.all(attack)

  // With the pool free again, the same question is answered from all four sources.
  const calm = await resolve(spec)
  t.log(`honest question after the attack: ${describe(calm)}`)
  t.is(calm.kind, 'observed', describe(calm))
  if (calm.kind !== 'observed') return
  t.deepEqual(decodeAnswer(calm.answer, 2), { kind: 'outcome', index: 0 })
  t.deepEqual(calm.evidence?.bundle.sources.map((s) => s.failure), ['', '', '', ''])
})
