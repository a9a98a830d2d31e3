/**
 * The evidence figures of BENCHMARKS.md: `npx tsx devnet/src/demo/measure-evidence.ts [--runs N]`.
 * Runs the demo scenario on a fresh demo network (4 nodes, one lying, npm-installed model, CPU) N times (default
 * 1) and reports, per demo question: the bundle size of each node (bytes, median and max), the time the node
 * took to store it (local write + object store put, from the node's `evidence stored` log line), and the time
 * a replay of each bundle takes on a replayer that has its models loaded (plus the one-time model load). Prints
 * one JSON line.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { parseArgs } from 'node:util'
import { pino } from 'pino'
import { decodeEvidenceBundle } from '@sibyl/protocol/evidence-bundle'
import { createReplayer } from '@sibyl/oracle-node/evidence/create-replayer'
import { resolveModelCacheDir } from '@sibyl/oracle-node/nlp/model-cache-dir'
import { startDemoNetwork } from '../start-demo-network.ts'
import { runDemo } from './run-demo.ts'

type Stored = { requestId: string; bytes: number; storeMs: number }

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length === 0 ? 0 : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}

async function measureOnce() {
  const stored: Stored[] = []
  let pending = ''
  const capture = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const lines = (pending + chunk.toString('utf8')).split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines) {
        if (!line.includes('"evidence stored"')) continue
        try {
          const entry = JSON.parse(line) as { requestId: string; bytes: number; storeMs: number }
          stored.push({ requestId: entry.requestId.toLowerCase(), bytes: entry.bytes, storeMs: entry.storeMs })
        } catch {
          // Not a line of ours.
        }
      }
      done()
    },
  })
  const progress = (line: string) => process.stderr.write(`${line}\n`)
  // No feed: the figures are the questions' (feeds carry no bundle yet).
  const network = await startDemoNetwork({ disputeWindowSec: 5, feed: false, onStep: progress, createLogger: (component) => pino({ level: component.startsWith('node-') ? 'info' : 'silent' }, capture) })
  try {
    const summary = await runDemo({ network, onEvent: (e) => progress(`${e.subject}: ${e.text}`) })
    const replayer = createReplayer({ modelCacheDir: resolveModelCacheDir({ env: process.env, homeDir: homedir() }) })
    const loadStarted = performance.now()
    // The first text replay loads the encoder: timed apart from the replays themselves.
    const replays: { requestId: string; ms: number; ok: boolean }[] = []
    let modelLoadMs = 0
    for (const node of network.nodes) {
      const dir = join(node.config.stateDir, 'evidence')
      for (const file of readdirSync(dir).filter((f) => f.endsWith('.bin'))) {
        const bundle = decodeEvidenceBundle(readFileSync(join(dir, file)))
        const first = modelLoadMs === 0 && bundle.header.questionType === 'text'
        const replay = await replayer.replay(bundle)
        if (first) {
          modelLoadMs = performance.now() - loadStarted
          const again = await replayer.replay(bundle)
          replays.push({ requestId: bundle.header.requestId.toLowerCase(), ms: again.replayMs, ok: again.ok })
        } else replays.push({ requestId: bundle.header.requestId.toLowerCase(), ms: replay.replayMs, ok: replay.ok })
      }
    }
    await replayer.close()
    return {
      ok: summary.ok,
      modelLoadMs,
      questions: summary.questions.map((q) => {
        const id = q.requestId?.toLowerCase()
        const mine = stored.filter((s) => s.requestId === id)
        const replayed = replays.filter((r) => r.requestId === id)
        return { key: q.key, evidence: q.evidence, bytes: mine.map((s) => s.bytes), storeMs: mine.map((s) => s.storeMs), replayMs: replayed.map((r) => r.ms) }
      }),
    }
  } finally {
    await network.stop()
  }
}

const { values } = parseArgs({ options: { runs: { type: 'string' } } })
const runs = Number(values.runs ?? 1)
const results: Awaited<ReturnType<typeof measureOnce>>[] = []
for (let i = 0; i < runs; i++) results.push(await measureOnce())
const keys = results[0]!.questions.map((q) => q.key)
const round = (x: number) => Math.round(x * 10) / 10
const table = keys.map((key) => {
  const all = results.map((r) => r.questions.find((q) => q.key === key)!)
  const bytes = all.flatMap((q) => q.bytes)
  const store = all.flatMap((q) => q.storeMs)
  const replay = all.flatMap((q) => q.replayMs)
  return {
    key,
    bundles: bytes.length,
    bytesMedian: median(bytes),
    bytesMax: Math.max(...bytes),
    storeMsMedian: round(median(store)),
    storeMsMax: round(Math.max(...store)),
    replayMsMedian: round(median(replay)),
    replayMsMax: round(Math.max(...replay)),
  }
})
process.stdout.write(`${JSON.stringify({ runs, ok: results.every((r) => r.ok), modelLoadMs: results.map((r) => Math.round(r.modelLoadMs)), table })}\n`)
