/**
 * npm run chaos [-- --quick] [-- --seed N] [-- --loop-bound-advisory]
 *
 * Starts the devnet as separate processes (start-chaos-network.ts), asks questions with known true answers at
 * seeded times while injecting seeded faults (plan-schedule.ts), waits for the network to settle, then counts
 * from the chain: commits per request, answers against truth. Writes chaos/results/latest.json and exits non-zero
 * with a one-line reason when an invariant is broken. Every process it started is killed on exit, on SIGINT /
 * SIGTERM and on failure, and the tmpfs is unmounted.
 */
import type { ChildProcess } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { planSchedule, type ChaosSchedule } from './plan-schedule.ts'
import { startChaosNetwork, type ChaosNetwork } from './start-chaos-network.ts'
import { runSchedule } from './run-schedule.ts'
import { brokenInvariants } from './summarize-run.ts'
import type { ServiceCrash } from './service-process.ts'

const repoRoot = fileURLToPath(new URL('../..', import.meta.url))
const resultsDir = join(repoRoot, 'chaos', 'results')
const DEFAULT_SEED = 15

const children = new Set<ChildProcess>()
let network: ChaosNetwork | undefined
let workDir: string | undefined

/** Synchronous, so it also runs from a signal handler and from process 'exit'. */
function killEverything(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  children.clear()
  network?.stateDisk.unmount()
  if (workDir) {
    try {
      mkdirSync(resultsDir, { recursive: true })
      rmSync(join(resultsDir, 'logs'), { recursive: true, force: true })
      cpSync(join(workDir, 'logs'), join(resultsDir, 'logs'), { recursive: true })
    } catch {
      // No logs yet.
    }
    rmSync(workDir, { recursive: true, force: true })
    workDir = undefined
  }
}

function say(line: string): void {
  process.stdout.write(`chaos: ${line}\n`)
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean', default: false }, seed: { type: 'string' }, 'loop-bound-advisory': { type: 'boolean', default: false } },
    strict: true,
  })
  const seed = values.seed === undefined ? DEFAULT_SEED : Number(values.seed)
  if (!Number.isSafeInteger(seed) || seed < 0) {
    say(`--seed must be a non-negative integer, got ${values.seed}`)
    return 2
  }
  const quick = values.quick ?? false
  const startedAtMs = Date.now()
  // The quick run must end (results written) well inside 6 minutes; the full one has the time it needs.
  const budgetMs = quick ? 330_000 : 45 * 60_000
  const schedule: ChaosSchedule = planSchedule({ seed, quick, nodes: 4, aggregators: 2, natsServers: 3 })
  say(`seed ${seed} (${quick ? 'quick' : 'full'} run): ${schedule.questions.length} questions over ${schedule.windowMs / 1000} s; faults:`)
  for (const f of schedule.faults) say(`  +${(f.atMs / 1000).toFixed(1)} s ${f.kind} target ${f.target} for ${(f.durationMs / 1000).toFixed(1)} s`)

  workDir = mkdtempSync(join(tmpdir(), 'sibyl-chaos-'))
  const crashes: ServiceCrash[] = []
  const onCrash = (crash: ServiceCrash) => {
    crashes.push(crash)
    say(`${crash.name} exited on its own (code ${crash.code}, signal ${crash.signal}); restarting it. Last line: ${crash.lastLines.at(-1)?.slice(0, 200) ?? ''}`)
  }
  network = await startChaosNetwork({ workDir, repoRoot, nodes: 4, aggregators: 2, onSpawn: (c) => children.add(c), onCrash, onStep: say })
  const outcome = await runSchedule({ network, schedule, quick, startedAtMs, deadlineMs: startedAtMs + budgetMs, say })
  const totalMs = Date.now() - startedAtMs
  const result = { seed, quick, ...outcome.summary, durations: { ...outcome.durations, totalMs }, detail: { ...outcome.detail, crashes: crashes.map((c) => ({ ...c, atMs: c.atMs - startedAtMs })) }, schedule }
  mkdirSync(resultsDir, { recursive: true })
  writeFileSync(join(resultsDir, 'latest.json'), JSON.stringify(result, null, 2) + '\n')
  // Kept beside it: the last run of each kind (a quick run after a full one keeps the full one's figures).
  writeFileSync(join(resultsDir, `${quick ? 'quick' : 'full'}.json`), JSON.stringify(result, null, 2) + '\n')
  const s = outcome.summary
  say(`${s.requests} requests: committed once ${s.committedOnce}, wrong ${s.wrongCommits}, duplicate ${s.duplicateCommits}, lost ${s.lostRequests}; p95 commit ${s.p95CommitAfterFaultsMs} ms; max event-loop block ${s.maxEventLoopBlockMs} ms; ${(totalMs / 1000).toFixed(0)} s`)
  say(`faults ${JSON.stringify(s.faults)}; security ${JSON.stringify(s.security)}; results in chaos/results/latest.json`)
  const loopBound = values['loop-bound-advisory'] ? 'advisory' : 'enforced'
  const broken = brokenInvariants(s, quick ? 20 : 200, { loopBound })
  if (loopBound === 'advisory' && s.maxEventLoopBlockMs !== null && s.maxEventLoopBlockMs > 100) {
    say(`note: maxEventLoopBlockMs=${s.maxEventLoopBlockMs} is over the 100 ms bound (reported, not failed on: --loop-bound-advisory)`)
  }
  if (broken.length > 0) {
    say(`invariant broken: ${broken.join('; ')}`)
    return 1
  }
  say('every invariant holds')
  return 0
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    say(`${signal}: killing every process this run started`)
    killEverything()
    process.exit(signal === 'SIGINT' ? 130 : 143)
  })
}
process.once('exit', killEverything)

const code = await main().catch((error: unknown) => {
  say(`run aborted: ${(error as Error).message}`)
  return 1
})
if (network) {
  // Stop what the network started in-process (servers, proxy), then every child.
  await network.close().catch(() => undefined)
}
killEverything()
process.exit(code)
