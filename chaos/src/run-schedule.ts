/**
 * The run itself: start the services, play the schedule (questions asked by a requester, faults injected and
 * undone), wait until every request is committed or the time is up, and count from the chain.
 *
 * Questions are asked by one requester, in schedule order, straight to anvil (the run's own connection, never
 * through the RPC proxy): an RPC outage is the network's fault to survive, not the requester's. Faults run as
 * tasks of their own, each undone (restart, restore, free) after its duration. Event-loop gauges are scraped
 * from every service every 2 s and right before each kill, so a kill does not erase a block it would have shown.
 */
import { spawn } from 'node:child_process'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { MaxUint256, parseEther } from 'ethers'
import { requestResolution } from '@sibyl/contracts/requests'
import { latestTimestamp } from '@sibyl/devnet/local-network'
import type { ChaosSchedule, PlannedFault } from './plan-schedule.ts'
import { CHAOS_CHAIN_ID, CHAOS_DURABLE, DISK_NODE_INDEX, type ChaosNetwork } from './start-chaos-network.ts'
import { createQuestionBuilder } from './hostile-questions.ts'
import { createCommitWatcher } from './watch-commits.ts'
import { probeOutsiders, type OutsiderAttempts, type OutsiderCounts } from './probe-outsiders.ts'
import { residentMemoryMb, scrapeService } from './scrape-metrics.ts'
import { attributeStalls, readLoggedStalls } from './attribute-stalls.ts'
import { DEFAULT_REPORT_STALLS_OVER_MS } from '@sibyl/service-kit/metrics/monitor-event-loop'
import type { ServiceProcess } from './service-process.ts'
import { summarizeRun, type AskedRequest, type FaultCounts, type RunSummary } from './summarize-run.ts'

export type RunScheduleParameters = {
  network: ChaosNetwork
  schedule: ChaosSchedule
  quick: boolean
  startedAtMs: number
  /** Wall-clock time by which the run stops waiting and counts. */
  deadlineMs: number
  say: (line: string) => void
}

export type RunScheduleReturnType = {
  summary: RunSummary
  durations: { startupMs: number; injectionMs: number; settleMs: number; lastCommitAfterLastFaultMs: number | null }
  detail: Record<string, unknown>
}

const FEE_WEI = parseEther('1')
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)))

export async function runSchedule(p: RunScheduleParameters): Promise<RunScheduleReturnType> {
  const { network, schedule, say } = p
  const { net, cluster } = network
  const services: ServiceProcess[] = [...network.nodes.map((n) => n.process), ...network.aggregators]

  // The control for the event-loop figure (reference-probe.ts): an idle process whose stalls are the machine's.
  const referenceLog = join(dirname(services[0]!.logFile), 'reference-probe.log')
  const referenceFd = openSync(referenceLog, 'w')
  const reference = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./reference-probe.ts', import.meta.url))], { stdio: ['ignore', referenceFd, referenceFd] })
  closeSync(referenceFd)
  process.once('exit', () => reference.kill('SIGKILL'))
  say('starting 4 oracle nodes (node-4 lies) and 2 aggregators as separate processes')
  await Promise.all(network.nodes.map((n) => n.process.start()))
  await Promise.all(network.aggregators.map((a) => a.start()))
  const readyAtMs = Date.now()
  const rssAtStartMb = Object.fromEntries(network.nodes.map((n) => [n.name, residentMemoryMb(n.process.pid())]))
  say(`all services ready after ${((readyAtMs - p.startedAtMs) / 1000).toFixed(0)} s; node RSS ${JSON.stringify(rssAtStartMb)} MiB`)

  // Event-loop figures, per service, the max of every scrape.
  const maxBlock = new Map<string, number>()
  const maxDelay = new Map<string, number>()
  const maxLag = new Map<string, number>()
  let gaugeSeen = false
  const longLags: { service: string; atMs: number; lagMs: number }[] = []
  const scrape = async (s: ServiceProcess) => {
    const sample = await scrapeService(s.metricsUrl)
    if (!sample) return
    if (sample.maxBlockMs !== undefined) {
      gaugeSeen = true
      maxBlock.set(s.name, Math.max(maxBlock.get(s.name) ?? 0, sample.maxBlockMs))
      if (sample.maxDelayMs !== undefined) maxDelay.set(s.name, Math.max(maxDelay.get(s.name) ?? 0, sample.maxDelayMs))
    }
    if (sample.lagMaxMs !== undefined) {
      maxLag.set(s.name, Math.max(maxLag.get(s.name) ?? 0, sample.lagMaxMs))
      // When a long lag happened, to set beside the fault log and the questions asked.
      if (sample.lagMaxMs > 100) longLags.push({ service: s.name, atMs: Date.now() - p.startedAtMs, lagMs: Math.round(sample.lagMaxMs) })
    }
  }
  // Resident memory of every node process (a restart is a new process): first and last sample, and the peak.
  const rss = new Map<number, { name: string; pid: number; firstMb: number; lastMb: number; maxMb: number; firstAtMs: number; lastAtMs: number }>()
  const sampleRss = () => {
    for (const n of network.nodes) {
      const pid = n.process.pid()
      const mb = residentMemoryMb(pid)
      if (pid === undefined || mb === undefined) continue
      const now = Date.now() - p.startedAtMs
      const r = rss.get(pid) ?? { name: n.name, pid, firstMb: mb, lastMb: mb, maxMb: mb, firstAtMs: now, lastAtMs: now }
      rss.set(pid, { ...r, lastMb: mb, maxMb: Math.max(r.maxMb, mb), lastAtMs: now })
    }
  }
  let scraping = true
  const scraper = (async () => {
    while (scraping) {
      sampleRss()
      await Promise.all(services.map(scrape))
      await sleep(2000)
    }
  })()

  const watcher = createCommitWatcher(net.provider, net.deployment.contracts.resolutionOracle, net.deployment.deployedAtBlock)
  let watching = true
  const watch = (async () => {
    while (watching) {
      await watcher.poll().catch(() => undefined)
      await sleep(500)
    }
  })()

  // The requester: a funded wallet with the fee token approved once.
  const requester = net.deployer
  await (await net.contracts.token.mint(requester.address, FEE_WEI * 10_000n)).wait()
  await (await net.contracts.token.approve(net.deployment.contracts.resolutionOracle, MaxUint256)).wait()
  const build = createQuestionBuilder({ demoSitesUrl: network.sites.url, hostilePageUrl: network.hostile.pageUrl })

  const faults: FaultCounts = { nodeKills: 0, aggregatorKills: 0, natsServerKills: 0, rpcOutages: 0, diskFull: 0, hostilePages: 0, outsiderFloods: 0 }
  const security: OutsiderCounts = { anonymousConnectAccepted: 0, outsiderPublishAccepted: 0, outsiderConsumerPulls: 0, outsiderKvWrites: 0 }
  const attempts: OutsiderAttempts = { connects: 0, publishes: 0, pulls: 0, kvWrites: 0 }
  const faultLog: { kind: string; target: number; startMs: number; endMs: number; note?: string }[] = []
  const asked: AskedRequest[] = []
  const askErrors: string[] = []
  const windowStartMs = Date.now()
  let lastFaultEndMs = windowStartMs

  const inject = async (f: PlannedFault) => {
    await sleep(windowStartMs + f.atMs - Date.now())
    const startMs = Date.now()
    let note: string | undefined
    try {
      if (f.kind === 'nodeKill' || f.kind === 'aggregatorKill') {
        const s = f.kind === 'nodeKill' ? network.nodes[f.target]!.process : network.aggregators[f.target]!
        await scrape(s)
        await s.kill()
        f.kind === 'nodeKill' ? faults.nodeKills++ : faults.aggregatorKills++
        await sleep(f.durationMs)
        await s.start()
      } else if (f.kind === 'natsServerKill') {
        await cluster.kill(f.target)
        faults.natsServerKills++
        await sleep(f.durationMs)
        await cluster.restart(f.target)
      } else if (f.kind === 'rpcOutage') {
        network.proxy.setMode(f.target === 0 ? 'drop' : 'stall')
        faults.rpcOutages++
        note = f.target === 0 ? 'drop' : 'stall'
        await sleep(f.durationMs)
        network.proxy.setMode('pass')
      } else if (f.kind === 'diskFull') {
        if (!network.stateDisk.mounted) note = `no tmpfs: ${network.stateDisk.mountError}`
        else {
          const bytes = network.stateDisk.fill()
          faults.diskFull++
          note = `${network.nodes[DISK_NODE_INDEX]!.name}'s state disk filled with ${bytes} bytes`
          await sleep(f.durationMs)
          network.stateDisk.free()
        }
      } else if (f.kind === 'outsiderFlood') {
        const until = Date.now() + f.durationMs
        do {
          await probeOutsiders(
            {
              cluster,
              chainId: BigInt(CHAOS_CHAIN_ID),
              nodeIdentity: network.nodes[0]!.identity,
              readerIdentity: network.readerIdentity,
              victimSigner: network.nodes[1]!.signer,
              durableName: CHAOS_DURABLE,
              floodMessages: 500,
            },
            security,
            attempts,
          )
        } while (Date.now() < until)
        faults.outsiderFloods++
      }
    } catch (error) {
      note = `fault failed: ${(error as Error).message}`
    }
    const endMs = Date.now()
    lastFaultEndMs = Math.max(lastFaultEndMs, endMs)
    faultLog.push({ kind: f.kind, target: f.target, startMs: startMs - windowStartMs, endMs: endMs - windowStartMs, ...(note ? { note } : {}) })
    say(`+${((startMs - windowStartMs) / 1000).toFixed(1)} s ${f.kind} target ${f.target}${note ? ` (${note})` : ''}: done after ${((endMs - startMs) / 1000).toFixed(1)} s`)
  }
  const faultTasks = schedule.faults.map(inject)

  for (const q of schedule.questions) {
    await sleep(windowStartMs + q.atMs - Date.now())
    const question = build(q)
    try {
      const { requestId } = await requestResolution(net.contracts.token, net.contracts.oracle, requester, {
        spec: question.specJson,
        outcomes: question.outcomes,
        resolveAfter: await latestTimestamp(net.provider),
        feeWei: FEE_WEI,
      })
      asked.push({ label: question.label, requestId, truth: question.truth, submittedAtMs: Date.now(), hostile: q.hostile !== undefined })
      if (q.hostile) faults.hostilePages++
    } catch (error) {
      askErrors.push(`${question.label}: ${(error as Error).message}`)
    }
  }
  await Promise.all(faultTasks)
  const injectionEndMs = Date.now()
  say(`schedule played: ${asked.length} requests asked; waiting for the network to settle`)

  // Settle: every request committed, or the deadline.
  const pending = () => asked.filter((r) => !watcher.byRequest().has(r.requestId.toLowerCase())).length
  while (pending() > 0 && Date.now() < p.deadlineMs) await sleep(1000)
  // A moment more, so a second commit racing the first would be seen.
  await sleep(3000)
  watching = false
  await watch
  await watcher.poll()
  const settleEndMs = Date.now()
  scraping = false
  await scraper
  await Promise.all(services.map(scrape))
  sampleRss()
  const rssAtEndMb = Object.fromEntries(network.nodes.map((n) => [n.name, residentMemoryMb(n.process.pid())]))
  const stillOpen = pending()
  if (stillOpen > 0) say(`${stillOpen} request(s) without a commit at the deadline`)

  // Stop the services cleanly now that the chain has been read (the run's cleanup kills what does not stop).
  await Promise.all(services.map((s) => s.stop(5000)))
  reference.kill('SIGTERM')
  await new Promise((r) => (reference.exitCode !== null || reference.signalCode !== null ? r(undefined) : reference.once('exit', r)))

  // Each service's own stalls, less what the idle reference process was stalled at the same moments.
  const readLog = (file: string) => {
    try {
      return readFileSync(file, 'utf8')
    } catch {
      return ''
    }
  }
  const referenceStalls = readLoggedStalls(readLog(referenceLog))
  const attributed = attributeStalls({
    services: Object.fromEntries(services.map((s) => [s.name, { gaugeMs: maxBlock.get(s.name) ?? 0, stalls: readLoggedStalls(readLog(s.logFile)) }])),
    reference: referenceStalls,
    loggedOverMs: DEFAULT_REPORT_STALLS_OVER_MS,
  })

  const commits = watcher.byRequest()
  const lastCommitMs = Math.max(0, ...[...commits.values()].flat().map((c) => c.seenAtMs))
  const summary = summarizeRun({ asked, commits, faults, security, maxEventLoopBlockMs: gaugeSeen ? Math.max(0, ...Object.values(attributed.attributedMaxMsByService)) : null, originMs: p.startedAtMs })
  return {
    summary,
    durations: {
      startupMs: readyAtMs - p.startedAtMs,
      injectionMs: injectionEndMs - windowStartMs,
      settleMs: settleEndMs - injectionEndMs,
      lastCommitAfterLastFaultMs: lastCommitMs > 0 ? lastCommitMs - lastFaultEndMs : null,
    },
    detail: {
      eventLoop: {
        gauge: 'sibyl_event_loop_max_block_ms',
        gaugePresent: gaugeSeen,
        // maxEventLoopBlockMs is the largest of these: each service's own stalls less the machine's part
        // (attribute-stalls.ts), beside the raw gauges and what the idle reference process saw.
        attributedMaxBlockMsByService: attributed.attributedMaxMsByService,
        maxBlockMsByService: Object.fromEntries(maxBlock),
        rawMaxBlockMs: gaugeSeen ? Math.max(0, ...maxBlock.values()) : null,
        referenceMaxStallMs: Math.max(0, ...referenceStalls.map((r) => r.ownMs)),
        referenceStalls: referenceStalls.filter((r) => r.ownMs > 25),
        serviceStalls: attributed.stalls,
        // The wall clock, waiting for a core included: on a machine with more runnable processes than cores,
        // mostly the scheduler's doing. Reported, not held to the bound.
        wallClockDelayGauge: 'sibyl_event_loop_max_delay_ms',
        maxDelayMsByService: Object.fromEntries(maxDelay),
        // prom-client's default lag metric (max since the previous scrape): a second opinion, not the figure.
        defaultLagMaxMsByService: Object.fromEntries([...maxLag].map(([k, v]) => [k, Math.round(v)])),
        defaultLagOver100MsSamples: longLags,
      },
      nodeRssMb: { atStart: rssAtStartMb, atEnd: rssAtEndMb, byProcess: [...rss.values()] },
      starts: Object.fromEntries(services.map((s) => [s.name, s.starts()])),
      windowStartAfterMs: windowStartMs - p.startedAtMs,
      faultLog,
      outsiderAttempts: attempts,
      hostilePageHits: network.hostile.hits(),
      stateDisk: { mounted: network.stateDisk.mounted || faults.diskFull > 0, mountError: network.stateDisk.mountError ?? null },
      askErrors,
    },
  }
}
