/**
 * The outcome judge's throughput (oracle-node/src/resolve/judge-text.ts) on real claims: each fool_me_twice
 * claim is asked as a yes/no question against two sources, its gold Wikipedia evidence sentences and the
 * sentences retrieved from the same page. A pair is one (hypothesis, passage) the judge scores after ranking;
 * the time includes everything `judgeText` does (ranking embeddings, pair scoring by the pair model or pair
 * features and the logistic judge, combining). With a pair model, its throughput alone is measured as well.
 */
import { createEmbedder } from '@sibyl/oracle-node/nlp/embedder'
import { resolveTestModelsDir } from '@sibyl/oracle-node/testing/test-models-dir'
import { buildHypotheses, judgeText, type JudgeDocument } from '@sibyl/oracle-node/resolve/judge-text'
import { loadJudgeModel } from '@sibyl/oracle-node/resolve/load-judge-model'
import { resolveTestDataDir } from '@sibyl/oracle-node/testing/test-data-dir'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { formatRate, measureInterleaved, spread } from '../measure.ts'
import type { BenchSection } from '../section.ts'

const TOP_K = 4
const OUTCOMES = ['YES', 'NO'] as const

type Question = { question: string; documents: JudgeDocument[]; pairs: number }

function loadQuestions(dataDir: string, count: number): Question[] {
  const rows = readFileSync(join(dataDir, 'fool_me_twice', 'data.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { claim: string; gold_evidence: { text: string }[]; retrieved_evidence: { text: string }[] })
  const questions = rows.slice(0, count).map((r) => {
    const documents: JudgeDocument[] = [
      { sourceIndex: 0, passages: r.gold_evidence.map((e) => e.text).filter((t) => t.trim() !== ''), weight: 10 },
      { sourceIndex: 1, passages: r.retrieved_evidence.map((e) => e.text).filter((t) => t.trim() !== ''), weight: 5 },
    ]
    const statements = buildHypotheses(r.claim, OUTCOMES).statements.length
    return { question: r.claim, documents, pairs: statements * documents.reduce((n, d) => n + Math.min(TOP_K, d.passages.length), 0) }
  })
  if (questions.length < count) throw new RangeError(`only ${questions.length} fool_me_twice rows, ${count} wanted`)
  return questions
}

export const nlpJudgeSection: BenchSection = {
  name: 'nlp-judge',
  title: 'Outcome judge',
  run: async ({ quick, log }) => {
    const count = quick ? 16 : 64
    const repetitions = quick ? 2 : 3
    const questions = loadQuestions(resolveTestDataDir(), count)
    const pairs = questions.reduce((n, q) => n + q.pairs, 0)
    const embedder = await createEmbedder({ modelsDir: resolveTestModelsDir(), executionProvider: 'cpu' })
    const judge = loadJudgeModel()

    const answered = new Set<number>()
    const unit = async (k: number) => {
      const q = questions[k]!
      const result = await judgeText({ embedder, judge, question: q.question, outcomes: OUTCOMES, documents: q.documents, minConfidenceBps: 6_000, topKPerSource: TOP_K })
      if (result.answer.kind === 'outcome') answered.add(k)
      return q.pairs
    }
    log(`nlp-judge: ${questions.length} questions, ${pairs} pairs per pass; ${repetitions} repetitions`)
    const result = await measureInterleaved({
      contenders: [{ name: 'judge', unit }],
      repetitions,
      unitsPerRepetition: questions.length,
      onRepetition: (rep, rates) => log(`nlp-judge: repetition ${rep + 1}: ${formatRate(rates.judge!)} pairs/s`),
    })
    await embedder.dispose()

    // The pair model alone (no ranking, no combination): every selected (hypothesis, passage) pair of all
    // questions in one batched call, as judgeText makes it, when judge-model.json names a pair judge.
    let modelPairsPerSec: number | undefined
    if (judge.pairJudge) {
      const modelPairs = questions.flatMap((q) =>
        q.documents.flatMap((d) => d.passages.slice(0, TOP_K).map((premise) => ({ premise, hypothesis: buildHypotheses(q.question, OUTCOMES).statements[0]!.statement }))),
      )
      await judge.pairJudge.judgePairs(modelPairs.slice(0, 8)) // starts the session outside the timing
      const rates: number[] = []
      for (let rep = 0; rep < repetitions; rep++) {
        const t0 = performance.now()
        await judge.pairJudge.judgePairs(modelPairs)
        rates.push(modelPairs.length / ((performance.now() - t0) / 1000))
        log(`nlp-judge: pair model alone, repetition ${rep + 1}: ${formatRate(rates[rep]!)} pairs/s (${modelPairs.length} pairs, ${judge.pairJudge.device()})`)
      }
      modelPairsPerSec = rates.sort((a, b) => a - b)[Math.floor(rates.length / 2)]!
    }

    const textPairsPerSec = result.medians.judge!
    const questionsPerSec = (textPairsPerSec * questions.length) / pairs
    return {
      // `pairsPerSec` is the judge model itself (CPU, a batch of pairs per call), as issue 16 defines the figure;
      // `textPairsPerSec` is judgeText end to end. Until 5 December 2026 `pairsPerSec` named the end-to-end figure and
      // the model's was `modelPairsPerSec` (BENCHMARKS.md, "Outcome judge").
      figures: {
        ...(modelPairsPerSec !== undefined ? { 'nlp.judge.pairsPerSec': Math.round(modelPairsPerSec * 10) / 10 } : {}),
        'nlp.judge.textPairsPerSec': Math.round(textPairsPerSec * 10) / 10,
        'nlp.judge.questionsPerSec': Math.round(questionsPerSec * 100) / 100,
      },
      tables: [
        {
          title: 'judgeText throughput',
          table: {
            columns: ['pairs/s', 'questions/s', 'pairs per question', 'answered (not abstained)', 'spread'],
            rows: [[formatRate(textPairsPerSec), questionsPerSec.toFixed(2), (pairs / questions.length).toFixed(1), `${answered.size}/${questions.length}`, `${Math.round(spread(result.rates.judge!) * 100)}%`]],
          },
        },
      ],
      notes: [
        `${questions.length} fool_me_twice claims as yes/no questions, 2 sources each (gold evidence, retrieved sentences), top ${TOP_K} passages per source; embedder batch size ${embedder.batchSize}, CPU.`,
        judge.pairJudge
          ? `Judge: the pair model (${String(judge.model.pairJudge?.training.arch)}${judge.model.pairJudge?.training.quantized ? ', 8-bit' : ''}, ONNX, on ${judge.pairJudge.device()}: one pair per call on the CPU, batches of one shape on CUDA); pairsPerSec is the pair model alone on the selected pairs, textPairsPerSec judgeText end to end (ranking embeddings included).`
          : 'Judge: the logistic judge over pair features (no pair model, so no pairsPerSec).',
      ],
    }
  },
}
