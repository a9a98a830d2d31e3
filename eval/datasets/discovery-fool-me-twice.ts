/**
 * Discovery on Fool Me Twice: each claim's gold evidence sentences and the ten sentences the authors
 * retrieved from the same Wikipedia page (distractors) become the pool of articles a node discovered, one
 * sentence an article. The node's judgeArticles ranks the pool, groups copies, judges the best and weighs
 * them; the figures are its accuracy (best outcome, SUPPORTS = YES), how often a gold sentence ranks among
 * the first k of the pool (goldInTop1 / goldInTop5, beside the expectation of a random order and the rank
 * by shared words with the claim), and
 * the calibration of its confidence intervals (interval-calibration.ts). For comparison, the same rows are
 * asked through the text judge with the whole pool as one page (as fool_me_twice_retrieved) and with the
 * gold sentences alone (as fool_me_twice), with the calibration of those intervals too.
 */
import { questionSpecSchema } from '@sibyl/protocol/question-spec'
import { judgeArticles, type ArticleInput } from '@sibyl/oracle-node/resolve/analysis/judge-articles'
import { resolveQuestion } from '@sibyl/oracle-node/resolve/resolve-question'
import { DEFAULT_INTERVAL_LEVEL } from '@sibyl/oracle-node/resolve/analysis/bootstrap-interval'
import type { AdapterResult, DatasetAdapter, NodeParts } from '../dataset-adapter.ts'
import { intervalCalibration, type IntervalRow } from '../interval-calibration.ts'
import { ABSTAIN, classify, coverageAt, summarizeJudged, type JudgedRow } from '../metrics.ts'
import { text, type Row } from '../read-dataset.ts'
import { COVERAGE_THRESHOLDS } from './text-judge-adapter.ts'

const TOP_K = [1, 5] as const
const label = (row: Row) => ({ SUPPORTS: 'SUPPORTS', REFUTES: 'REFUTES' })[text(row.label)]
const sentences = (value: unknown) => (Array.isArray(value) ? value.map((e) => text((e as { text?: unknown }).text)).filter((s) => s !== '') : [])

type Verdict = { forced: string; answered: string; confidence: number; interval: [number, number] }

export const discoveryFoolMeTwice: DatasetAdapter = {
  name: 'discovery.fool_me_twice',
  folder: 'fool_me_twice',
  task: 'claim verification',
  protocol: 'judgeArticles over the gold + 10 retrieved sentences as discovered articles (one sentence each); SUPPORTS = YES; best outcome scored',
  rowId: (row) => String(row.id),
  async evaluate(context, rows): Promise<AdapterResult> {
    const node = await context.node()
    const discovered: JudgedRow[] = []
    const onePage: JudgedRow[] = []
    const intervals = { discovery: [] as IntervalRow[], textJudgePool: [] as IntervalRow[], textJudgeGold: [] as IntervalRow[] }
    const goldRanks: number[] = []
    const randomTopK = TOP_K.map(() => 0)
    const lexicalRanks: number[] = []
    for (const row of rows) {
      const gold = label(row)
      if (gold === undefined) continue
      const goldSentences = new Set(sentences(row.gold_evidence))
      const pool = [...new Set([...sentences(row.retrieved_evidence), ...goldSentences])]
      const page = encodeURIComponent(text(row.wikipedia_page) || 'page')
      const articles: ArticleInput[] = pool.map((s, k) => ({ url: `https://en.wikipedia.org/wiki/${page}#s${k}`, source: 'en.wikipedia.org', text: s }))
      const question = `${text(row.claim).replace(/\s+/g, ' ').trim().replace(/[.?!\s]+$/, '')}?`
      const map = (v: string) => (v === 'YES' ? 'SUPPORTS' : v === 'NO' ? 'REFUTES' : ABSTAIN)

      const r = await judgeArticles({ embedder: node.embedder, judge: node.judge }, { question, outcomes: ['YES', 'NO'], articles, minConfidenceBps: node.minConfidenceBps })
      const [pYes = 0, pNo = 0] = r.outcomeProbabilitiesBps
      const forced = map(pYes >= pNo ? 'YES' : 'NO')
      const answered = r.answer.kind === 'outcome' ? map(r.answer.index === 0 ? 'YES' : 'NO') : ABSTAIN
      discovered.push({ id: String(row.id), gold, forced, answered, confidence: r.confidenceBps / 10_000 })
      intervals.discovery.push({ confidence: r.confidenceBps / 10_000, interval: [r.confidenceInterval[0] / 10_000, r.confidenceInterval[1] / 10_000], correct: forced === gold })

      // Where the first gold sentence ranks among the pool's groups, by the encoder's similarity.
      const ranked = [...r.groups].sort((a, b) => b.similarity - a.similarity)
      const goldUrls = new Set(articles.filter((a) => goldSentences.has(a.text!)).map((a) => a.url))
      const rank = ranked.findIndex((g) => g.members.some((m) => goldUrls.has(m)))
      goldRanks.push(rank < 0 ? Number.POSITIVE_INFINITY : rank + 1)
      TOP_K.forEach((k, i) => (randomTopK[i]! += randomHit(pool.length, goldUrls.size, k)))
      lexicalRanks.push(lexicalGoldRank(question, pool, goldSentences))

      const viaPage = await askOnePage(node, question, pool)
      onePage.push({ id: String(row.id), gold, forced: map(viaPage.forced), answered: map(viaPage.answered), confidence: viaPage.confidence })
      intervals.textJudgePool.push({ confidence: viaPage.confidence, interval: viaPage.interval, correct: map(viaPage.forced) === gold })
      const viaGold = await askOnePage(node, question, [...goldSentences])
      intervals.textJudgeGold.push({ confidence: viaGold.confidence, interval: viaGold.interval, correct: map(viaGold.forced) === gold })
    }
    const figures = summarizeJudged(discovered)
    const pagePredicted = classify(onePage.map((j) => j.gold), onePage.map((j) => j.forced))
    const n = goldRanks.length
    const topK = Object.fromEntries(TOP_K.map((k) => [`goldInTop${k}`, n === 0 ? Number.NaN : goldRanks.filter((g) => g <= k).length / n]))
    const randomK = Object.fromEntries(TOP_K.map((k, i) => [`goldInTop${k}`, n === 0 ? Number.NaN : randomTopK[i]! / n]))
    const lexicalK = Object.fromEntries(TOP_K.map((k) => [`goldInTop${k}`, n === 0 ? Number.NaN : lexicalRanks.filter((g) => g <= k).length / n]))
    const nominal = DEFAULT_INTERVAL_LEVEL
    return {
      figures,
      baselines: [
        ...(figures.majority ? [{ name: `majority (${figures.majority.label})`, accuracy: figures.majority.accuracy, macroF1: figures.majority.macroF1 }] : []),
        { name: 'text judge, pool as one page', accuracy: pagePredicted.accuracy, macroF1: pagePredicted.macroF1 },
      ],
      extra: {
        ...topK,
        goldMeanReciprocalRank: n === 0 ? Number.NaN : goldRanks.reduce((a, g) => a + (Number.isFinite(g) ? 1 / g : 0), 0) / n,
        randomOrder: randomK,
        wordOverlapOrder: lexicalK,
        coverage: coverageAt(discovered, COVERAGE_THRESHOLDS),
        intervals: {
          discovery: intervalCalibration(intervals.discovery, { nominal }),
          textJudgePool: intervalCalibration(intervals.textJudgePool, { nominal }),
          textJudgeGold: intervalCalibration(intervals.textJudgeGold, { nominal }),
        },
      },
    }
  },
}

/** The text judge through the node's entry point, the passages as one page (as ask-yes-no.ts), with its interval. */
async function askOnePage(node: NodeParts, question: string, passages: readonly string[]): Promise<Verdict> {
  const spec = questionSpecSchema.safeParse({ version: 1, type: 'text', question, sources: [{ url: 'https://en.wikipedia.org/', weight: 10 }], outcomes: ['YES', 'NO'] })
  if (!spec.success) return { forced: ABSTAIN, answered: ABSTAIN, confidence: Number.NaN, interval: [Number.NaN, Number.NaN] }
  const r = await resolveQuestion({ embedder: node.embedder, judge: node.judge }, spec.data, [{ sourceIndex: 0, text: '', passages, weight: 10 }], { minConfidenceBps: node.minConfidenceBps, nowSec: Math.floor(Date.now() / 1000) })
  const [pYes = 0, pNo = 0] = r.outcomeProbabilitiesBps ?? []
  return {
    forced: pYes >= pNo ? 'YES' : 'NO',
    answered: r.answer.kind === 'outcome' ? (r.answer.index === 0 ? 'YES' : 'NO') : ABSTAIN,
    confidence: Math.max(pYes, pNo) / 10_000,
    interval: [r.confidenceInterval[0] / 10_000, r.confidenceInterval[1] / 10_000],
  }
}

/**
 * The rank of the first gold sentence when the pool is ordered by the share of the claim's words of four
 * letters or more that each sentence contains (ties in pool order): the baseline the encoder must beat.
 */
function lexicalGoldRank(question: string, pool: readonly string[], gold: ReadonlySet<string>): number {
  const words = (t: string) => new Set([...t.toLowerCase().matchAll(/[\p{L}\p{N}]{4,}/gu)].map((m) => m[0]))
  const asked = words(question)
  const scored = pool.map((sentence, index) => {
    const own = words(sentence)
    let shared = 0
    for (const w of asked) if (own.has(w)) shared++
    return { sentence, index, score: asked.size === 0 ? 0 : shared / asked.size }
  })
  scored.sort((a, b) => b.score - a.score || a.index - b.index)
  const rank = scored.findIndex((s) => gold.has(s.sentence))
  return rank < 0 ? Number.POSITIVE_INFINITY : rank + 1
}

/** P(at least one of `gold` items among the first k of a random order of n): 1 − C(n−g, k) / C(n, k). */
function randomHit(n: number, gold: number, k: number): number {
  if (gold <= 0) return 0
  let miss = 1
  for (let i = 0; i < Math.min(k, n); i++) miss *= Math.max(0, n - gold - i) / (n - i)
  return 1 - miss
}
