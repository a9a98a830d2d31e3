/**
 * Request on-chain to commit, end to end, with the real parts as an operator runs them: anvil with the
 * contracts, nats-server with JetStream, the demo's local source sites, n oracle nodes and one aggregator,
 * each its own `sibyl` process (so each one's memory is its own). 200 requests (the demo's questions in turn,
 * each asked with its own wording; since the demo has discovery questions, two of its eight read up to 40
 * articles each) are opened at once; a request's latency is the time from its
 * `requestResolution` receipt to the first poll (every 50 ms) that sees its `ReportCommitted` event.
 *
 * Throughput is requests over the time from the first receipt to the last commit seen. Memory is each
 * service's peak resident set (VmHWM in /proc) summed over its process tree (a node's worker processes
 * included), read after the load: `mem.nodeRssMb` is the largest node's. CPU time counts the tree too.
 * Latencies include everything a node does (chain polling every 200 ms, fetching the pages, extraction,
 * the sentence encoder, the judge, signing, journaling, publishing) and everything the aggregator does
 * (verification, the KV round record, the quorum, simulation, the commit transaction, mined by anvil on
 * arrival). On this 2-core machine all n + 1 services, anvil and nats-server share the two cores.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Interface, NonceManager, parseEther, type InterfaceAbi } from 'ethers'
import { localWallet, setBalance, startLocalNetwork, type LocalNetwork } from '@sibyl/devnet/local-network'
import { requestParams } from '@sibyl/contracts/requests'
import { resolutionOracleAbi } from '@sibyl/contracts/generated/ResolutionOracle'
import { startDemoSites, type DemoSites } from '@sibyl/devnet/serve-demo-sites'
import { buildDemoQuestions } from '@sibyl/devnet/demo-questions'
import { processTreeCpuMs, processTreeMemoryMb } from '@sibyl/service-kit/metrics/process-tree'
import { startNatsServer, type NatsServer } from '@sibyl/devnet/start-nats-server'
import type { BenchSection, BenchTable } from '../section.ts'

const oracleInterface = new Interface(resolutionOracleAbi as unknown as InterfaceAbi)
const committedTopic = oracleInterface.getEvent('ReportCommitted')!.topicHash
const SIBYL_BIN = new URL('../../cli/bin/sibyl.js', import.meta.url).pathname
const AIM_P95_MS = 5000

type Service = { name: string; child: ChildProcess; ready: Promise<void> }

function spawnService(name: string, args: string[], env: Record<string, string>, readyMessage: string): Service {
  // SIBYL_BENCH_NODE_FLAGS: Node.js flags for every service (e.g. `--cpu-prof --cpu-prof-dir=DIR`, which NODE_OPTIONS refuses).
  const flags = (process.env.SIBYL_BENCH_NODE_FLAGS ?? '').split(' ').filter((f) => f !== '')
  const child = spawn(process.execPath, [...flags, SIBYL_BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)))
  const ready = new Promise<void>((resolve, reject) => {
    let buffer = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      if (process.env.SIBYL_BENCH_LOG_DIR) appendFileSync(join(process.env.SIBYL_BENCH_LOG_DIR, `${name}.log`), chunk)
      buffer = (buffer + chunk.toString()).slice(-100_000)
      if (buffer.includes(readyMessage)) resolve()
    })
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before it was ready: ${stderr.trim().slice(-1000)}`)))
  })
  ready.catch(() => undefined)
  return { name, child, ready }
}

/** CPU time (user + system, ms) of a service with its worker processes; see process-tree.ts. */
const cpuMs = (pid: number) => processTreeCpuMs(pid)

/** Peak resident set of a service, in MiB: the sum of each member's peak over its process tree (an upper bound). */
const peakRssMb = (pid: number) => processTreeMemoryMb(pid, 'VmHWM')

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

async function stopService(s: Service): Promise<void> {
  if (s.child.exitCode !== null || s.child.signalCode !== null) return
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => s.child.kill('SIGKILL'), 10_000)
    s.child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    s.child.kill('SIGTERM')
  })
}

export type E2eRun = { n: number; requests: number; embeddingCache: boolean; p50Ms: number; p95Ms: number; maxMs: number; requestsPerSec: number; committed: number; nodeRssMb: number; aggregatorRssMb: number; nodeCpuMsPerRequest: number; aggregatorCpuMsPerRequest: number }

export async function runE2e(n: number, requests: number, log: (m: string) => void, embeddingCache = true): Promise<E2eRun> {
  const workDir = mkdtempSync(join(tmpdir(), 'sibyl-bench-e2e-'))
  let net: LocalNetwork | undefined
  let nats: NatsServer | undefined
  let sites: DemoSites | undefined
  const services: Service[] = []
  try {
    ;[net, nats, sites] = await Promise.all([
      startLocalNetwork({ operators: n, config: { disputeWindowSec: 3600 } }),
      startNatsServer({ storeDir: join(workDir, 'nats') }),
      startDemoSites(),
    ])
    const deploymentFile = join(workDir, 'deployment.json')
    writeFileSync(deploymentFile, JSON.stringify(net.deployment))
    const env: Record<string, string> = {}
    for (const op of net.operators) {
      const name = `node-${op.index + 1}`
      mkdirSync(join(workDir, name))
      const config = {
        name,
        chain: { rpcUrls: [net.anvil.rpcUrl], deploymentFile, confirmations: 0, pollIntervalMs: 200 },
        nats: { servers: [nats.url] },
        key: { source: 'env', env: 'NODE_KEY' },
        stateDir: join(workDir, name),
        sources: { allowPrivateAddresses: true },
        model: { device: 'cpu', ...(embeddingCache ? {} : { embeddingCacheEntries: 0 }) },
        maxConcurrentRequests: 16,
        log: { level: 'info' },
      }
      writeFileSync(join(workDir, `${name}.json`), JSON.stringify(config))
      services.push(spawnService(name, ['node', '--config', join(workDir, `${name}.json`)], { NODE_KEY: op.signer.privateKey }, 'oracle node started'))
    }
    const aggregatorWallet = localWallet('bench aggregator', 0)
    await setBalance(net.provider, aggregatorWallet.address, parseEther('1000'))
    writeFileSync(
      join(workDir, 'aggregator.json'),
      JSON.stringify({
        name: 'bench-aggregator',
        chain: { rpcUrls: [net.anvil.rpcUrl], deploymentFile, pollIntervalMs: 200 },
        nats: { servers: [nats.url] },
        key: { source: 'env', env: 'AGGREGATOR_KEY' },
        rounds: { sweepIntervalMs: 200, maxConcurrentCommits: 32 },
        log: { level: process.env.SIBYL_BENCH_LOG_DIR ? 'debug' : 'info' },
      }),
    )
    services.push(spawnService('aggregator', ['aggregator', '--config', join(workDir, 'aggregator.json')], { AGGREGATOR_KEY: aggregatorWallet.privateKey }, 'aggregator started'))
    log(`e2e n=${n}: waiting for ${n} nodes and the aggregator to start`)
    await Promise.all(services.map((s) => s.ready))

    // The requester: funded, its fees approved once, then every request sent without waiting in between.
    const requester = localWallet('bench e2e requester', n, net.provider)
    await setBalance(net.provider, requester.address, parseEther('1000'))
    const feeWei = 10n ** 17n
    await (await net.contracts.token.getFunction('mint')(requester.address, feeWei * BigInt(requests))).wait()
    const sender = new NonceManager(requester)
    const token = net.contracts.token.connect(sender) as typeof net.contracts.token
    const oracle = net.contracts.oracle.connect(sender) as typeof net.contracts.oracle
    await (await token.getFunction('approve')(net.deployment.contracts.resolutionOracle, feeWei * BigInt(requests))).wait()
    const only = onlyQuestionKeys()
    const questions = buildDemoQuestions(sites.url).filter((q) => only.length === 0 || only.includes(q.key))
    if (questions.length === 0) throw new RangeError(`SIBYL_BENCH_E2E_QUESTIONS names no demo question: ${only.join(', ')}`)
    const block = await net.provider.getBlock('latest')
    const fromBlock = block!.number
    const resolveAfter = block!.timestamp

    const nodes = services.filter((s) => s.name !== 'aggregator')
    const aggregatorService = services.find((s) => s.name === 'aggregator')!
    const cpuBefore = nodes.map((s) => cpuMs(s.child.pid!))
    const aggregatorCpuBefore = cpuMs(aggregatorService.child.pid!)
    log(`e2e n=${n}: opening ${requests} requests at once`)
    const openedAtMs = new Map<string, number>()
    const committedAtMs = new Map<string, number>()
    const sends = []
    for (let i = 0; i < requests; i++) {
      const q = questions[i % questions.length]!
      const spec = JSON.stringify({ ...q.spec, question: `${q.spec.question} (bench ${n}/${i})` })
      sends.push(oracle.getFunction('requestResolution')(requestParams({ spec, outcomes: [...q.outcomes], resolveAfter, feeWei, callbackGasLimit: 0 })))
    }
    const txs = await Promise.all(sends)
    await Promise.all(
      txs.map(async (tx) => {
        const receipt = await tx.wait()
        const now = Date.now()
        for (const l of receipt!.logs) {
          const parsed = l.address.toLowerCase() === net!.deployment.contracts.resolutionOracle.toLowerCase() ? oracleInterface.parseLog(l) : null
          if (parsed?.name === 'ResolutionRequested') openedAtMs.set(parsed.args.getValue('requestId') as string, now)
        }
      }),
    )
    const firstOpenedMs = Math.min(...openedAtMs.values())

    // Watch for commits; bounded by a generous deadline so a broken run ends with what it has.
    const deadlineMs = Date.now() + Math.max(120_000, requests * n * 400)
    let next = fromBlock
    while (committedAtMs.size < openedAtMs.size && Date.now() < deadlineMs) {
      const head = await net.provider.getBlockNumber()
      if (head >= next) {
        const logs = await net.provider.getLogs({ address: net.deployment.contracts.resolutionOracle, topics: [committedTopic], fromBlock: next, toBlock: head })
        const now = Date.now()
        for (const l of logs) {
          const id = oracleInterface.parseLog(l)!.args.getValue('requestId') as string
          if (!committedAtMs.has(id)) committedAtMs.set(id, now)
        }
        next = head + 1
      }
      await new Promise((r) => setTimeout(r, 50))
    }
    const latencies = [...committedAtMs].map(([id, at]) => at - (openedAtMs.get(id) ?? at)).sort((a, b) => a - b)
    const lastCommitMs = Math.max(...committedAtMs.values())
    const nodeCpuMs = nodes.map((s, i) => cpuMs(s.child.pid!) - cpuBefore[i]!)
    const nodeCpuMsPerRequest = Math.round(nodeCpuMs.reduce((a, b) => a + b, 0) / nodes.length / Math.max(1, committedAtMs.size))
    const aggregatorCpuMsPerRequest = Math.round((cpuMs(aggregatorService.child.pid!) - aggregatorCpuBefore) / Math.max(1, committedAtMs.size))
    const nodeRssMb = Math.max(...services.filter((s) => s.name !== 'aggregator').map((s) => peakRssMb(s.child.pid!)))
    const aggregatorRssMb = peakRssMb(services.find((s) => s.name === 'aggregator')!.child.pid!)
    return {
      n,
      requests,
      embeddingCache,
      committed: committedAtMs.size,
      p50Ms: percentile(latencies, 50),
      p95Ms: percentile(latencies, 95),
      maxMs: latencies[latencies.length - 1] ?? NaN,
      requestsPerSec: Math.round((committedAtMs.size / ((lastCommitMs - firstOpenedMs) / 1000)) * 100) / 100,
      nodeRssMb,
      aggregatorRssMb,
      nodeCpuMsPerRequest,
      aggregatorCpuMsPerRequest,
    }
  } finally {
    await Promise.all(services.map(stopService))
    await Promise.all([net?.stop(), nats?.stop(), sites?.close()])
    rmSync(workDir, { recursive: true, force: true })
  }
}

/**
 * SIBYL_BENCH_E2E_QUESTIONS: some of the demo's questions by key (comma-separated), e.g. the five the section
 * asked before the demo grew discovery questions (each of those reads up to 40 articles), to compare with older runs.
 */
function onlyQuestionKeys(): string[] {
  return (process.env.SIBYL_BENCH_E2E_QUESTIONS ?? '').split(',').filter((k) => k !== '')
}

export const e2eSection: BenchSection = {
  name: 'e2e',
  title: 'End to end: request on-chain to commit',
  run: async ({ quick, log }) => {
    const requests = quick ? 12 : 200
    const runs: E2eRun[] = []
    // SIBYL_BENCH_E2E_ONLY_N4=1: the n = 4 run alone (no n = 7, no cache-off run).
    const n4Only = process.env.SIBYL_BENCH_E2E_ONLY_N4 === '1'
    for (const n of n4Only ? [4] : [4, 7]) runs.push(await runE2e(n, requests, log))
    // The same requests with the nodes' embedding cache off: what a node pays when every page and word is new.
    const cold = n4Only ? undefined : await runE2e(4, quick ? 12 : 50, log, false)
    const figures: Record<string, number> = {}
    for (const r of runs) {
      figures[`e2e.n${r.n}.p50Ms`] = r.p50Ms
      figures[`e2e.n${r.n}.p95Ms`] = r.p95Ms
      figures[`e2e.n${r.n}.requestsPerSec`] = r.requestsPerSec
      figures[`e2e.n${r.n}.committed`] = r.committed
      figures[`e2e.n${r.n}.nodeCpuMsPerRequest`] = r.nodeCpuMsPerRequest
      figures[`e2e.n${r.n}.aggregatorCpuMsPerRequest`] = r.aggregatorCpuMsPerRequest
    }
    if (cold) {
      figures['e2e.n4.cacheOff.p50Ms'] = cold.p50Ms
      figures['e2e.n4.cacheOff.p95Ms'] = cold.p95Ms
      figures['e2e.n4.cacheOff.requestsPerSec'] = cold.requestsPerSec
      figures['e2e.n4.cacheOff.nodeCpuMsPerRequest'] = cold.nodeCpuMsPerRequest
    }
    const n4 = runs[0]!
    figures['mem.nodeRssMb'] = n4.nodeRssMb
    figures['mem.aggregatorRssMb'] = n4.aggregatorRssMb
    const table: BenchTable = {
      columns: ['n', 'embedding cache', 'requests', 'committed', 'p50 ms', 'p95 ms', 'max ms', 'requests/s', 'node CPU ms/request', 'aggregator CPU ms/request', 'node peak RSS MiB', 'aggregator peak RSS MiB'],
      rows: [...runs, ...(cold ? [cold] : [])].map((r) => [r.n, r.embeddingCache ? 'on' : 'off', r.requests, r.committed, r.p50Ms, r.p95Ms, r.maxMs, r.requestsPerSec, r.nodeCpuMsPerRequest, r.aggregatorCpuMsPerRequest, r.nodeRssMb, r.aggregatorRssMb]),
    }
    return {
      figures,
      tables: [{ title: `Requests opened at once (${onlyQuestionKeys().join(', ') || "the demo's questions"}, each worded anew), each node and the aggregator its own process`, table }],
      aims: [
        { label: 'e2e p95 at n = 4', value: `${n4.p95Ms} ms`, aim: `< ${AIM_P95_MS} ms`, met: n4.p95Ms < AIM_P95_MS && n4.committed === n4.requests },
        ...runs.map((r) => ({ label: `every request committed at n = ${r.n}`, value: `${r.committed}/${r.requests}`, aim: 'all', met: r.committed === r.requests })),
      ],
      notes: [
        'Latency: requestResolution receipt to the first 50 ms poll that sees ReportCommitted; memory: VmHWM after the load, summed over the process tree of each service (worker processes included; mem.* from the n = 4 run).',
        'CPU ms/request: CPU time each service (with its worker processes) used during the load, per committed request (node figure: the mean over nodes). With n + 1 services on 2 cores, latency is mostly queueing for CPU; one core per node would give a node this much CPU per request.',
        'Chainlink reports about 40 s from trigger to chain; UMA liveness is 2 hours.',
      ],
    }
  },
}
