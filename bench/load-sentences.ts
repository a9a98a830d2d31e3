/**
 * Real English sentences for the embedding benchmark: Wikipedia evidence sentences of climate_fever and
 * fool_me_twice in the shared data folder, taken alternately from the two, in file order, without repeats.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

function readJsonl(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
}

function texts(list: unknown): string[] {
  return Array.isArray(list) ? list.map((e) => String((e as { text?: unknown }).text ?? '')).filter((t) => t.trim() !== '') : []
}

export function loadSentences(dataDir: string, count: number): string[] {
  const climate = readJsonl(join(dataDir, 'climate_fever', 'data.jsonl')).flatMap((r) => texts(r.evidences))
  const fm2 = readJsonl(join(dataDir, 'fool_me_twice', 'data.jsonl')).flatMap((r) => [...texts(r.gold_evidence), ...texts(r.retrieved_evidence)])
  const seen = new Set<string>()
  const out: string[] = []
  for (let i = 0; out.length < count && (i < climate.length || i < fm2.length); i++) {
    for (const s of [climate[i], fm2[i]]) {
      if (s !== undefined && !seen.has(s) && out.length < count) {
        seen.add(s)
        out.push(s)
      }
    }
  }
  if (out.length < count) throw new RangeError(`only ${out.length} distinct sentences in the shared data, ${count} wanted`)
  return out
}
