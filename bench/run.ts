/**
 * Sibyl's benchmarks. Speed and cost are measured here, never by timed tests.
 *
 *   npm run bench                       # every section, full counts
 *   npm run bench -- --quick            # every section, smaller counts (under 3 minutes)
 *   npm run bench -- --only verify,gas  # some sections; their keys are merged into the existing results
 *
 * Prints one markdown table per section and the aims met or missed, and writes
 * bench/results/latest.json (flat `dotted.key` -> number) and bench/results/latest-meta.json (when, where,
 * how: machine, counts mode, per-section duration). Needs `npm run build` first (the gas section deploys the
 * contracts) and the shared models and data folders beside the repository.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { gasSection } from './sections/gas.ts'
import { nlpEmbedSection } from './sections/nlp-embed.ts'
import { nlpJudgeSection } from './sections/nlp-judge.ts'
import { verifySection } from './sections/verify.ts'
import { e2eSection } from './sections/e2e.ts'
import { explorerSection } from './sections/explorer.ts'
import type { BenchAim, BenchSection, BenchTable, SectionResult } from './section.ts'

/** Run order. A section that loads the machine heavily goes last so it does not disturb the others. */
const SECTIONS: BenchSection[] = [verifySection, nlpEmbedSection, nlpJudgeSection, gasSection, explorerSection, e2eSection]

const args = process.argv.slice(2)
const quick = args.includes('--quick')
const onlyIndex = args.indexOf('--only')
const only = onlyIndex >= 0 ? (args[onlyIndex + 1] ?? '').split(',').filter(Boolean) : undefined
const unknown = args.filter((a, i) => a !== '--quick' && a !== '--only' && !(onlyIndex >= 0 && i === onlyIndex + 1))
if (unknown.length > 0 || (only !== undefined && only.length === 0)) {
  process.stderr.write(`usage: npm run bench [-- --quick] [--only ${SECTIONS.map((s) => s.name).join(',')}]\n`)
  process.exit(2)
}
const missing = (only ?? []).filter((name) => !SECTIONS.some((s) => s.name === name))
if (missing.length > 0) {
  process.stderr.write(`unknown section(s): ${missing.join(', ')}; known: ${SECTIONS.map((s) => s.name).join(', ')}\n`)
  process.exit(2)
}
const selected = SECTIONS.filter((s) => only === undefined || only.includes(s.name))

const log = (message: string) => process.stderr.write(`${message}\n`)
const out = (text: string) => process.stdout.write(`${text}\n`)

const startedAt = new Date()
const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  logicalCores: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  platform: `${process.platform}-${process.arch}`,
  loadAverage1mAtStart: Math.round(loadavg()[0]! * 100) / 100,
}
out(`# Sibyl benchmarks (${quick ? 'quick' : 'full'}), ${startedAt.toISOString()}`)
out(`Machine: ${machine.cpu}, ${machine.logicalCores} logical cores, ${machine.memoryGiB} GiB, Node ${machine.node}; load average ${machine.loadAverage1mAtStart} at start.`)

const figures: Record<string, number> = {}
const aims: BenchAim[] = []
const sectionsMeta: Record<string, { durationS: number; quick: boolean; finishedAt: string; loadAverage1mAtEnd: number }> = {}
const failures: string[] = []
for (const section of selected) {
  const t0 = performance.now()
  log(`== ${section.name}`)
  let result: SectionResult
  try {
    result = await section.run({ quick, log })
  } catch (error) {
    failures.push(section.name)
    log(`${section.name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
    continue
  }
  const durationS = Math.round((performance.now() - t0) / 100) / 10
  sectionsMeta[section.name] = { durationS, quick, finishedAt: new Date().toISOString(), loadAverage1mAtEnd: Math.round(loadavg()[0]! * 100) / 100 }
  for (const [key, value] of Object.entries(result.figures)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${section.name}: figure ${key} is not a finite number`)
    if (key in figures) throw new Error(`${section.name}: figure ${key} is also given by another section`)
    figures[key] = value
  }
  aims.push(...(result.aims ?? []))
  out('')
  out(`## ${section.title} (${durationS} s)`)
  for (const { title, table } of result.tables) {
    out('')
    out(`${title}:`)
    out('')
    out(markdownTable(table))
  }
  for (const note of result.notes ?? []) out(`- ${note}`)
}

if (aims.length > 0) {
  out('')
  out('## Aims')
  out('')
  out(markdownTable({ columns: ['aim', 'measured', 'target', ''], rows: aims.map((a) => [a.label, a.value, a.aim, a.met ? 'met' : 'MISSED']) }))
}

const resultsDir = new URL('./results/', import.meta.url)
mkdirSync(resultsDir, { recursive: true })
const latestFile = new URL('latest.json', resultsDir)
const metaFile = new URL('latest-meta.json', resultsDir)
// A partial run (--only) updates its own keys and keeps the rest; a full run starts afresh.
const previous = only !== undefined && existsSync(latestFile) ? (JSON.parse(readFileSync(latestFile, 'utf8')) as Record<string, number>) : {}
const previousMeta = only !== undefined && existsSync(metaFile) ? (JSON.parse(readFileSync(metaFile, 'utf8')) as { sections?: Record<string, unknown> }) : {}
const merged = { ...previous, ...figures }
writeFileSync(latestFile, `${JSON.stringify(Object.fromEntries(Object.entries(merged).sort(([a], [b]) => a.localeCompare(b))), null, 2)}\n`)
writeFileSync(
  metaFile,
  `${JSON.stringify({ finishedAt: new Date().toISOString(), quick, machine, sections: { ...(previousMeta.sections ?? {}), ...sectionsMeta } }, null, 2)}\n`,
)
const totalS = Math.round((Date.now() - startedAt.getTime()) / 100) / 10
out('')
out(`Wrote bench/results/latest.json (${Object.keys(merged).length} keys) in ${totalS} s.`)
if (failures.length > 0) {
  log(`failed sections: ${failures.join(', ')}`)
  process.exitCode = 1
}

function markdownTable(table: BenchTable): string {
  const numeric = table.columns.map((_, c) => table.rows.every((r) => r[c] === '' || /^[-\d.,x%]+$/.test(String(r[c]))))
  return [
    `| ${table.columns.join(' | ')} |`,
    `|${table.columns.map((_, c) => (numeric[c] ? '---:' : '---')).join('|')}|`,
    ...table.rows.map((r) => `| ${r.map(String).join(' | ')} |`),
  ].join('\n')
}
