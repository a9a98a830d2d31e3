/**
 * Labelled claim/evidence pairs from shared/data for training and measuring the text judge (judge-lab only;
 * the node never reads these).
 *
 * Split rule (fixed before any feature was written; never changed after looking at results):
 *   test  <=>  parseInt(sha256(`sibyl-judge:<dataset>:<group key>`).hex[0..8], 16) % 5 < 2   (about 40 %)
 * with group key = `group` for fever_symmetric (an original FEVER pair and its symmetric counterparts share
 * it, so they never straddle the split), the claim id for fool_me_twice and climate_fever, the premise for
 * mnli_dev_matched and the caption id for snli_subset (pairs sharing a premise stay together). The rule was
 * first applied to fever_symmetric and fool_me_twice only (the other three were training-only); it was then
 * extended unchanged to all five so that every dataset has held-out rows to report.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

export type JudgeLabel = 'support' | 'refute' | 'neither'
export type JudgeSplit = 'train' | 'test'

export type JudgePair = {
  dataset: 'fever_symmetric' | 'fool_me_twice' | 'climate_fever' | 'mnli_dev_matched' | 'snli_subset'
  id: string
  /** Rows sharing a group are always on the same side of the split (and in the same CV fold). */
  group: string
  /** The id of the dataset row (data.jsonl) the pair comes from. */
  rowId: string
  split: JudgeSplit
  claim: string
  /** The gold evidence (FM2: its sentences joined with a space). */
  evidence: string
  label: JudgeLabel
  /** FM2 only: the retrieved sentences of the same page (gold ones included), for ranking and relevance. */
  retrieved?: string[]
  /** FM2 only: the gold evidence sentences. */
  goldSentences?: string[]
}

export function splitOf(dataset: string, groupKey: string): JudgeSplit {
  const h = createHash('sha256').update(`sibyl-judge:${dataset}:${groupKey}`).digest('hex')
  return Number.parseInt(h.slice(0, 8), 16) % 5 < 2 ? 'test' : 'train'
}

function readJsonl(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
}

const NLI: Record<string, JudgeLabel> = { entailment: 'support', contradiction: 'refute', neutral: 'neither' }
const FACT: Record<string, JudgeLabel> = { SUPPORTS: 'support', REFUTES: 'refute', NOT_ENOUGH_INFO: 'neither' }

/** Every pair, each tagged with its split. */
export function loadJudgeDataset(dataDir: string): JudgePair[] {
  const pairs: JudgePair[] = []
  for (const r of readJsonl(join(dataDir, 'fever_symmetric', 'data.jsonl'))) {
    const group = String(r.group)
    pairs.push({
      dataset: 'fever_symmetric',
      id: String(r.id),
      rowId: String(r.id),
      group,
      split: splitOf('fever_symmetric', group),
      claim: String(r.claim),
      evidence: String(r.evidence),
      label: FACT[String(r.label)]!,
    })
  }
  for (const r of readJsonl(join(dataDir, 'fool_me_twice', 'data.jsonl'))) {
    const gold = (r.gold_evidence as { text: string }[]).map((e) => e.text)
    const retrieved = (r.retrieved_evidence as { text: string }[]).map((e) => e.text)
    pairs.push({
      dataset: 'fool_me_twice',
      id: String(r.id),
      rowId: String(r.id),
      group: String(r.id),
      split: splitOf('fool_me_twice', String(r.id)),
      claim: String(r.claim),
      evidence: gold.join(' '),
      label: FACT[String(r.label)]!,
      retrieved,
      goldSentences: gold,
    })
  }
  for (const r of readJsonl(join(dataDir, 'climate_fever', 'data.jsonl'))) {
    for (const [i, e] of (r.evidences as { text: string; label: string }[]).entries()) {
      const label = FACT[e.label]
      if (!label) continue
      const group = String(r.id)
      pairs.push({ dataset: 'climate_fever', id: `${r.id}:${i}`, rowId: group, group, split: splitOf('climate_fever', group), claim: String(r.claim), evidence: e.text, label })
    }
  }
  for (const dataset of ['mnli_dev_matched', 'snli_subset'] as const) {
    for (const r of readJsonl(join(dataDir, dataset, 'data.jsonl'))) {
      const label = NLI[String(r.label)]
      if (!label) continue
      const group = String(r.caption_id ?? r.premise)
      pairs.push({ dataset, id: String(r.id), rowId: String(r.id), group, split: splitOf(dataset, group), claim: String(r.hypothesis), evidence: String(r.premise), label })
    }
  }
  return pairs
}
