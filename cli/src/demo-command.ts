/**
 * sibyl demo [--once] [--nodes N] [--liars N] [--dispute-window SEC] [--models-dir DIR] [--questions K,...] [--keep]
 * The whole network on this machine in one command: nats-server, anvil, the contracts, staked operators, the
 * demo's source sites, the nodes (one lying), an aggregator; then markets resolved end to end.
 */
import type { ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
// The keys only (a small module): the network and its models are loaded when the demo runs, not for --help.
import { DEMO_QUESTION_KEYS as QUESTION_KEYS, type DemoQuestionKey as QuestionKey } from '@sibyl/devnet/demo-questions'
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, parseCommandArgs, type Command, type CommandIo } from './io.ts'

/** How long a stopping node or aggregator of the demo waits for its work in hand (their configs' stopGraceMs). */
const DEMO_STOP_GRACE_MS = 2000

const usage = `Usage: sibyl demo [--once] [--nodes N] [--liars N] [--dispute-window SEC] [--models-dir DIR] [--questions K,...] [--explorer-port P] [--keep]

Starts a whole Sibyl network on this machine: nats-server with JetStream (in a temporary folder), anvil with
the contracts deployed, N staked and registered operators, the demo's fictional news, sports and price sites
(served from feeds/demo/sites), N oracle nodes (the last --liars of them lying) and an aggregator. Then it opens an
example PredictionMarket per demo question, asks for their resolution and follows each request: observations
in, outliers, the committed answer and its transaction, the dispute window, finality and the winner's payout;
and it reads the NWC / USD feed through AggregatorV3Interface before and after the price moves.

It waits for what it checks, for at most a bound it prints before waiting: 120 s for each commit and feed
round, 60 s after a commit for every node's observation, the aggregator's round deadline + 30 s for an
outlier report (a liar that answers after the round was reported is named in a later report, marked late).

  --once                run non-interactively and exit: progress on stderr, one JSON summary line on stdout;
                        exit 0 only when every question reached its expected final answer and every lying node
                        was reported: as an outlier where it answered, as silent where it reached a request
                        only after its commit (default dispute window 5 s)
  --nodes N             oracle nodes (default 4)
  --liars N             lying nodes among them (default 1)
  --dispute-window SEC  the oracle's dispute window (default 30, or 5 with --once)
  --models-dir DIR      the nodes' models folder (default: none; the model installed from npm is used)
  --questions K,...     a subset of: ${QUESTION_KEYS.join(', ')}
  --explorer-port P     the port of the explorer (web app and JSON API on 127.0.0.1; default a free port)
  --keep                keep the working folder (node and aggregator logs, state, NATS store) after exit

The explorer starts with the network and its URL is printed: the requests, their nodes' answers, the feed,
operators and disputes, live. Without --once the network and the explorer keep running after the summary (also
without a terminal, standard input closed), so you can look around; Ctrl-C or SIGTERM stops them and every
process it started.
`

function positiveInt(value: string | undefined, fallback: number, min: number, max: number, name: string): number | string {
  if (value === undefined) return fallback
  if (!/^[0-9]+$/.test(value) || Number(value) < min || Number(value) > max) return `${name} must be an integer from ${min} to ${max}`
  return Number(value)
}

async function run(args: string[], io: CommandIo): Promise<number> {
  const commandStartedMs = Date.now()
  const cli = parseCommandArgs(
    args,
    {
      once: { type: 'boolean' },
      nodes: { type: 'string' },
      liars: { type: 'string' },
      'dispute-window': { type: 'string' },
      'models-dir': { type: 'string' },
      questions: { type: 'string' },
      'explorer-port': { type: 'string' },
      keep: { type: 'boolean' },
    },
    usage,
    io,
  )
  if ('exitCode' in cli) return cli.exitCode
  const { values } = cli
  const once = values.once ?? false
  const nodes = positiveInt(values.nodes, 4, 1, 31, '--nodes')
  const liars = positiveInt(values.liars, 1, 0, 31, '--liars')
  const disputeWindowSec = positiveInt(values['dispute-window'], once ? 5 : 30, 1, 24 * 3600, '--dispute-window')
  const questions = values.questions?.split(',').map((q) => q.trim())
  const explorerPort = positiveInt(values['explorer-port'], 0, 1, 65_535, '--explorer-port')
  const problems = [nodes, liars, disputeWindowSec, explorerPort].filter((v): v is string => typeof v === 'string')
  if (typeof nodes === 'number' && typeof liars === 'number' && liars >= nodes) problems.push('--liars must be fewer than --nodes')
  const unknown = questions?.filter((q) => !(QUESTION_KEYS as readonly string[]).includes(q)) ?? []
  if (unknown.length > 0) problems.push(`unknown question(s): ${unknown.join(', ')}`)
  if (problems.length > 0) {
    io.stderr.write(`sibyl demo: ${problems.join('; ')}\n\n${usage}`)
    return EXIT_USAGE
  }

  // Loaded here, not at the top: the models and their runtime are heavy and `--help` should not pay for them.
  const [{ destination }, { createLogger: createServiceLogger }, { startDemoNetwork }, { runDemo }, { createDemoView }] = await Promise.all([
    import('pino'),
    import('@sibyl/service-kit/log/create-logger'),
    import('@sibyl/devnet/start-demo-network'),
    import('@sibyl/devnet/demo/run-demo'),
    import('@sibyl/devnet/demo/demo-view'),
  ])

  // Progress goes where a person watches; with --once stdout carries only the JSON line.
  const out = (once ? io.stderr : io.stdout) as CommandIo['stdout'] & { isTTY?: boolean; columns?: number }
  const colorAllowed = io.env.NO_COLOR === undefined || io.env.NO_COLOR === ''
  const view = createDemoView({ stream: out, ...(colorAllowed ? {} : { color: false }), disputeWindowSec: disputeWindowSec as number })

  const workDir = mkdtempSync(join(tmpdir(), 'sibyl-demo-'))
  const logDir = join(workDir, 'logs')
  mkdirSync(logDir, { recursive: true })
  const createLogger = (component: string) =>
    createServiceLogger({ level: 'info', bindings: { component }, destination: destination({ dest: join(logDir, `${component}.log`), sync: true }) })

  // Every child process is killed when this process exits, whatever the reason; a signal stops things in order.
  const children = new Set<ChildProcess>()
  const killChildren = () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
  const controller = new AbortController()
  let interrupted = false
  const onSignal = () => {
    if (controller.signal.aborted) {
      // A second Ctrl-C: stop waiting for a clean shutdown.
      killChildren()
      process.exit(130)
    }
    interrupted = true
    controller.abort()
    view.note('\nstopping…')
  }
  process.on('exit', killChildren)
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)

  let network: Awaited<ReturnType<typeof startDemoNetwork>> | undefined
  let explorer: { url: string; close: () => Promise<void> } | undefined
  let ok = false
  let finished = false
  let keepWorkDir = values.keep ?? false
  try {
    view.note(`Sibyl demo: ${nodes} oracle nodes (${liars} lying), dispute window ${disputeWindowSec} s`)
    network = await startDemoNetwork({
      operators: nodes as number,
      lyingNodes: liars as number,
      disputeWindowSec: disputeWindowSec as number,
      ...(values['models-dir'] ? { modelsDir: values['models-dir'] } : {}),
      workDir,
      createLogger,
      onSpawn: (child) => children.add(child),
      // The working folder goes with the demo (unless --keep): a round in hand or a commit in flight has nothing to
      // be finished for, so a stop does not wait on them for the services' default 10 and 20 s.
      ...(keepWorkDir ? {} : { nodeOverrides: { stopGraceMs: DEMO_STOP_GRACE_MS }, aggregatorOverrides: { stopGraceMs: DEMO_STOP_GRACE_MS } }),
      signal: controller.signal,
      onStep: (text) => view.step(text),
    })
    view.step(`network up in ${((Date.now() - commandStartedMs) / 1000).toFixed(1)} s: anvil ${network.net.anvil.rpcUrl}, NATS ${network.natsUrl}, sites ${network.sites.url}`)
    // The explorer reads what the scenario does, live: the chain, and NATS as the network's read-only identity.
    const { startDemoExplorer } = await import('@sibyl/explorer/start-demo-explorer')
    explorer = await startDemoExplorer({ network, port: explorerPort as number, logger: createLogger('explorer'), warn: (text) => view.note(text) })
    view.step(`explorer ${explorer.url}`)
    let lastState: Parameters<typeof view.update>[0] | undefined
    const summary = await runDemo({
      network,
      ...(questions ? { questions: questions as QuestionKey[] } : {}),
      signal: controller.signal,
      onChange: (state) => {
        lastState = state
        view.update(state)
      },
      onEvent: (event) => view.event(event),
    })
    ok = summary.ok
    finished = true
    view.finish(summary, lastState!)
    if (once) {
      io.stdout.write(`${JSON.stringify({ ...summary, elapsedMs: Date.now() - commandStartedMs, scenarioMs: summary.elapsedMs })}\n`)
    } else if (!controller.signal.aborted) {
      view.note(
        [
          '',
          'The network keeps running; Ctrl-C stops it.',
          ...[
            [`anvil (chain ${network.net.deployment.chainId})`, network.net.anvil.rpcUrl],
            ['NATS', network.natsUrl],
            ['explorer', explorer.url],
            ['demo sites', `${network.sites.url}/news/  /sports/  /prices/`],
            ['deployment', network.deploymentFile],
            ['logs', logDir],
          ].map(([name, value]) => `  ${name!.padEnd(22)}${value}`),
        ].join('\n'),
      )
      await new Promise<void>((resolve) => controller.signal.addEventListener('abort', () => resolve(), { once: true }))
    }
  } catch (error) {
    const message = (error as Error).message
    if (!interrupted) {
      keepWorkDir = true
      io.stderr.write(`sibyl demo: ${message}\n`)
    }
    if (once) io.stdout.write(`${JSON.stringify({ ok: false, error: interrupted ? 'interrupted' : message.split('\n')[0], elapsedMs: Date.now() - commandStartedMs })}\n`)
  } finally {
    await explorer?.close().catch(() => undefined)
    await network?.stop().catch(() => undefined)
    killChildren()
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    process.off('exit', killChildren)
    if (once && !ok && !interrupted) keepWorkDir = true
    if (keepWorkDir) io.stderr.write(`sibyl demo: logs and state kept in ${workDir}\n`)
    else rmSync(workDir, { recursive: true, force: true })
  }
  // Ctrl-C is how the interactive demo ends; before the summary it is an interruption.
  if (interrupted && !finished) return 130
  return ok ? EXIT_OK : EXIT_FAILED
}

export const demoCommand: Command = { name: 'demo', summary: 'run a whole network on this machine and resolve demo markets end to end', usage, run }
