/**
 * Resolution quality on labelled data nobody here wrote.
 *
 *   npm run eval -- [--data DIR] [--models DIR] [--quick | --limit N] [--only a,b] [--out FILE] [--judge logistic] [--cache-entries N]
 *
 * Runs the node's own resolution code over every dataset folder of DIR (default ../shared/data) that an
 * adapter in eval/datasets/ knows, in the shared layout (data.jsonl + SOURCE.md, gzipped pages under html/).
 * Prints a table and writes the figures as JSON (default eval/results/latest.json; a --quick or --limit run
 * writes eval/results/quick.json instead, so it never replaces a full run's figures). Rows the node was
 * trained or developed on are never in the figures (seen-rows.ts). See EVALUATION.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, isAbsolute, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { nodeConfigSchema } from '@sibyl/oracle-node/config/node-config'
import { availableParallelism } from 'node:os'
import { ADAPTERS } from './adapters.ts'
import { evaluate, type DatasetFigures, type EvaluationReport } from './evaluate.ts'
import { loadSeenRows } from './seen-rows.ts'

const repoRoot = fileURLToPath(new URL('..', import.meta.url))
const QUICK_LIMIT = 15

type Options = { dataDir: string; modelsDir: string; limit: number | undefined; only: string[] | undefined; out: string; cacheEntries: number | undefined; judge: 'default' | 'logistic' }

function parseArgs(argv: readonly string[]): Options {
  const value = (name: string) => {
    const i = argv.indexOf(name)
    if (i < 0) return undefined
    const v = argv[i + 1]
    if (v === undefined || v.startsWith('--')) throw new Error(`${name} needs a value`)
    return v
  }
  const known = new Set(['--data', '--models', '--limit', '--only', '--out', '--quick', '--cache-entries', '--judge'])
  for (const a of argv) if (a.startsWith('--') && !known.has(a)) throw new Error(`unknown option ${a}`)
  const limitText = value('--limit')
  const limit = limitText !== undefined ? Number(limitText) : argv.includes('--quick') ? QUICK_LIMIT : undefined
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new Error(`--limit must be a positive integer, got ${limitText}`)
  const cacheText = value('--cache-entries')
  const cacheEntries = cacheText === undefined ? undefined : Number(cacheText)
  if (cacheEntries !== undefined && (!Number.isInteger(cacheEntries) || cacheEntries < 1)) throw new Error(`--cache-entries must be a positive integer, got ${cacheText}`)
  const judge = value('--judge') ?? 'default'
  if (judge !== 'default' && judge !== 'logistic') throw new Error(`--judge is default (what judge-model.json names) or logistic, got ${judge}`)
  const only = value('--only')?.split(',').map((s) => s.trim()).filter((s) => s !== '')
  const defaultOut = limit === undefined && only === undefined ? 'eval/results/latest.json' : 'eval/results/quick.json'
  return {
    dataDir: resolve(repoRoot, value('--data') ?? '../shared/data'),
    modelsDir: resolve(repoRoot, value('--models') ?? '../shared/models'),
    limit,
    only,
    out: resolve(repoRoot, value('--out') ?? defaultOut),
    cacheEntries,
    judge,
  }
}

/** A path as it may be written into results: relative to the repo root. */
function portable(path: string): string {
  const r = relative(repoRoot, path)
  return isAbsolute(r) ? path : r
}

const pct = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? '—' : `${(100 * v).toFixed(1)}`)
const num = (v: number | null | undefined, digits = 3) => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits))

function tableLines(report: EvaluationReport): string[] {
  const header = ['dataset', 'task', 'n', 'acc %', 'macro-F1 %', 'majority %', 'baseline', 'abstain %', 'acc answered %', 'ECE', 'rows/s', 'own column']
  const cells = (name: string, f: DatasetFigures, task: string) => {
    const baseline = f.baselines.filter((b) => !b.name.startsWith('majority')).map((b) => `${b.name}: acc ${pct(b.accuracy)} F1 ${pct(b.macroF1)}`).join('; ')
    return [
      name,
      task,
      String(f.n),
      pct(f.accuracy),
      pct(f.macroF1),
      f.majority ? `${pct(f.majority.accuracy)} (${f.majority.label})` : '—',
      baseline || '—',
      pct(f.abstainRate),
      f.answeredAccuracy !== null ? `${pct(f.answeredAccuracy)} (${f.answered})` : '—',
      num(f.ece),
      f.rowsPerSecond > 0 ? f.rowsPerSecond.toFixed(1) : '—',
      ownColumn(f.extra),
    ]
  }
  const heldOut: string[][] = []
  const development: string[][] = []
  for (const [name, d] of Object.entries(report.datasets)) {
    if (d.rows === 'held-out') heldOut.push(cells(name, d, d.task))
    if (d.development) development.push(cells(name, d.development, d.task))
  }
  const all = [header, ...heldOut, ...development]
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]!.length)))
  const fmt = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join(' | ').trimEnd()
  const rule = widths.map((w) => '-'.repeat(w)).join('-|-')
  const out = ['Held-out rows (never trained or tuned on):', fmt(header), rule, ...heldOut.map(fmt)]
  if (development.length > 0) {
    out.push('', 'Development rows (the code was trained or written against these rows; NOT held-out figures):', fmt(header), rule, ...development.map(fmt))
  }
  const coverage = Object.entries(report.datasets).filter(([, d]) => d.rows === 'held-out' && Array.isArray(d.extra.coverage))
  if (coverage.length > 0) {
    const thresholds = (coverage[0]![1].extra.coverage as { threshold: number }[]).map((c) => c.threshold)
    const head = ['abstain option (held-out): at confidence >=', ...thresholds.map((th) => `${Math.round(th * 10_000)} bps`)]
    const body = coverage.map(([name, d]) => [
      name,
      ...(d.extra.coverage as { abstainRate: number; answeredAccuracy: number; answered: number }[]).map((c) =>
        c.answered > 0 ? `${pct(c.answeredAccuracy)} % of ${c.answered} (${pct(c.abstainRate)} % abstain)` : `— (100 % abstain)`,
      ),
    ])
    const w = head.map((_, i) => Math.max(...[head, ...body].map((r) => r[i]!.length)))
    const f = (r: string[]) => r.map((c, i) => c.padEnd(w[i]!)).join(' | ').trimEnd()
    out.push('', f(head), w.map((x) => '-'.repeat(x)).join('-|-'), ...body.map(f))
  }
  return out
}

/**
 * Rows a dataset scores apart from its main figures: product prices whose annotation kept the page's own
 * separator (right / n in the page's conventions, wrong and abstained named); sports declines for a stated
 * ambiguity and decoys answered; discovery, the gold sentence's rank and the intervals' coverage.
 */
function ownColumn(extra: Record<string, unknown>): string {
  const locale = extra.locale as { n: number; right: number; wrong: number; abstained: number } | undefined
  if (typeof extra.goldInTop5 === 'number') {
    // discovery.fool_me_twice: retrieval of the gold sentence and the coverage of the confidence intervals.
    const random = extra.randomOrder as { goldInTop5: number } | undefined
    const intervals = extra.intervals as { discovery?: { coverage: number; nominal: number } } | undefined
    return `gold in top 5 ${pct(extra.goldInTop5)} % (random order ${pct(random?.goldInTop5)} %); interval coverage ${pct(intervals?.discovery?.coverage)} % at ${pct(intervals?.discovery?.nominal)} %`
  }
  if (locale) return `locale ${locale.right}/${locale.n} right (${locale.wrong} wrong, ${locale.abstained} abstained)`
  if (typeof extra.decoys === 'number') {
    const ambiguous = typeof extra.declinedAmbiguous === 'number' ? `declined as ambiguous ${extra.declinedAmbiguous}, ` : ''
    return `${ambiguous}decoys answered ${String(extra.decoysAnswered)}/${extra.decoys}`
  }
  return '—'
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2))
  const adapters = options.only ? ADAPTERS.filter((a) => options.only!.includes(a.name)) : ADAPTERS
  if (options.only && adapters.length !== options.only.length) {
    throw new Error(`unknown dataset in --only; known: ${ADAPTERS.map((a) => a.name).join(', ')}`)
  }
  const minConfidenceBps = nodeConfigSchema.shape.model.parse(undefined).minConfidenceBps
  const log = (line: string) => process.stderr.write(`${line}\n`)
  log(`data ${portable(options.dataDir)}, threshold ${minConfidenceBps} bps${options.limit ? `, at most ${options.limit} rows per dataset` : ''}`)
  const report = await evaluate({
    dataDir: options.dataDir,
    modelsDir: options.modelsDir,
    adapters,
    knownFolders: ADAPTERS.map((a) => a.folder),
    seen: loadSeenRows(),
    minConfidenceBps,
    ...(options.limit !== undefined ? { limit: options.limit } : {}),
    ...(options.cacheEntries !== undefined ? { embeddingCacheEntries: options.cacheEntries } : {}),
    pairJudge: options.judge !== 'logistic',
    log,
  })
  const result = {
    meta: {
      command: ['npm run eval', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2).map((a) => (isAbsolute(a) ? portable(a) : a))] : [])].join(' '),
      data: portable(options.dataDir),
      limitPerDataset: options.limit ?? null,
      minConfidenceBps,
      embedding: report.embedding ?? null,
      judge: report.judge ?? null,
      wallSeconds: Math.round(report.seconds * 10) / 10,
      unknownFolders: report.unknownFolders,
      missingDatasets: report.missing,
      cpus: availableParallelism(),
    },
    ...report.datasets,
  }
  mkdirSync(dirname(options.out), { recursive: true })
  writeFileSync(options.out, `${JSON.stringify(result, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`)
  process.stdout.write(`${tableLines(report).join('\n')}\n\n`)
  if (report.unknownFolders.length > 0) process.stdout.write(`not evaluated (no adapter): ${report.unknownFolders.join(', ')}\n`)
  if (report.missing.length > 0) process.stdout.write(`absent from the data folder: ${report.missing.join(', ')}\n`)
  const failed = Object.entries(report.datasets).filter(([, d]) => d.error !== undefined)
  for (const [name, d] of failed) process.stdout.write(`FAILED ${name}: ${d.error}\n`)
  if (failed.length > 0) process.exitCode = 1
  process.stdout.write(`wall time ${report.seconds.toFixed(1)} s; figures written to ${portable(options.out)}\n`)
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
  process.exitCode = 1
})
