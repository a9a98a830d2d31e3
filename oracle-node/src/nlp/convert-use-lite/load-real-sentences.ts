/**
 * Test and script helper: a fixed, deterministic set of real sentences from ../shared/data (claims and
 * evidence from CLIMATE-FEVER and FEVER-symmetric, MNLI and SNLI pairs, and forecasting questions with their
 * long, markup-laden backgrounds, which run past the model's 128 tokens). The node never reads it.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

type Row = Record<string, unknown>

function readRows(dataDir: string, name: string, limit: number): Row[] {
  const lines = readFileSync(join(dataDir, name, 'data.jsonl'), 'utf8').split('\n').filter((l) => l.trim() !== '')
  return lines.slice(0, limit).map((l) => JSON.parse(l) as Row)
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined)

/** Up to `limit` distinct sentences, always the same ones in the same order for the same data. */
export function loadRealSentences(dataDir: string, limit = 400): string[] {
  const out: string[] = []
  const add = (v: unknown) => {
    const t = text(v)
    if (t !== undefined && !out.includes(t)) out.push(t)
  }
  for (const row of readRows(dataDir, 'climate_fever', 70)) {
    add(row.claim)
    const evidences = Array.isArray(row.evidences) ? (row.evidences as Row[]) : []
    add(evidences[0]?.text)
  }
  for (const row of readRows(dataDir, 'fever_symmetric', 45)) {
    add(row.claim)
    add(row.evidence)
  }
  for (const row of readRows(dataDir, 'mnli_dev_matched', 50)) {
    add(row.premise)
    add(row.hypothesis)
  }
  for (const row of readRows(dataDir, 'snli_subset', 40)) {
    add(row.premise)
    add(row.hypothesis)
  }
  for (const row of readRows(dataDir, 'forecastbench_resolved_markets', 30)) {
    add(row.question)
    // Backgrounds are long and full of markup and odd whitespace: good for truncation and normalisation.
    const background = text(row.background)
    if (background !== undefined) add(background.slice(0, 2000))
  }
  return out.slice(0, limit)
}
