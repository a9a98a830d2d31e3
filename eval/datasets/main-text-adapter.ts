/**
 * Main-text extraction scored as the article-extraction benchmarks score it: bag-of-tokens F1 of the
 * extracted text against the annotated article text, per page, averaged over pages. The node's extractor
 * (`extractDocument`, what every text question reads) next to @mozilla/readability on linkedom, on the same
 * pages. Reported as: macroF1 = mean per-page token F1; accuracy = share of pages with token F1 >= 0.9;
 * abstainRate = share of pages with no text extracted.
 */
import { Readability } from '@mozilla/readability'
import { parseHTML } from 'linkedom'
import { extractDocument } from '@sibyl/oracle-node/sources/extract-content'
import { tokenF1 } from '@sibyl/oracle-node/sources/testing/token-f1'
import type { AdapterResult, BaselineFigures, DatasetAdapter } from '../dataset-adapter.ts'
import { mean, type JudgedFigures } from '../metrics.ts'
import { readPageOrEmpty, text, type Row } from '../read-dataset.ts'

export const GOOD_PAGE_F1 = 0.9

type PageScore = { id: string; f1: number; precision: number; recall: number; empty: boolean }

function figuresOf(scores: readonly PageScore[]): JudgedFigures {
  const n = scores.length
  return {
    n,
    accuracy: n === 0 ? Number.NaN : scores.filter((s) => s.f1 >= GOOD_PAGE_F1).length / n,
    macroF1: mean(scores.map((s) => s.f1)),
    abstainRate: n === 0 ? Number.NaN : scores.filter((s) => s.empty).length / n,
    answeredAccuracy: Number.NaN,
    answered: scores.filter((s) => !s.empty).length,
    ece: Number.NaN,
    majority: undefined,
    scoredOn: 'forced',
  }
}

function score(id: string, extracted: string, gold: string): PageScore {
  const f = tokenF1(extracted, gold)
  return { id, ...f, empty: extracted.trim() === '' }
}

export function createMainTextAdapter(p: { name: string; folder: string; protocol: string; gold: (row: Row) => string }): DatasetAdapter {
  return {
    name: p.name,
    folder: p.folder,
    task: 'main text',
    protocol: p.protocol,
    rowId: (row) => String(row.id),
    async evaluate(context, rows): Promise<AdapterResult> {
      const ours: PageScore[] = []
      const library: PageScore[] = []
      for (const row of rows) {
        const id = String(row.id)
        const html = readPageOrEmpty(context.dataDir, context.folder, text(row.html_file), context.log)
        const gold = p.gold(row)
        ours.push(score(id, extractDocument(html).text, gold))
        let baselineText = ''
        try {
          const { document } = parseHTML(html)
          // linkedom's Document is close enough to the DOM for Readability; the types differ.
          baselineText = new Readability(document as unknown as ConstructorParameters<typeof Readability>[0]).parse()?.textContent ?? ''
        } catch {
          baselineText = ''
        }
        library.push(score(id, baselineText, gold))
      }
      const baseline = figuresOf(library)
      const readability: BaselineFigures = { name: '@mozilla/readability', accuracy: baseline.accuracy, macroF1: baseline.macroF1, abstainRate: baseline.abstainRate }
      const worst = [...ours].sort((a, b) => a.f1 - b.f1).slice(0, 3)
      return {
        figures: figuresOf(ours),
        baselines: [readability],
        extra: {
          tokenF1: mean(ours.map((s) => s.f1)),
          precision: mean(ours.map((s) => s.precision)),
          recall: mean(ours.map((s) => s.recall)),
          readabilityTokenF1: baseline.macroF1,
          readabilityPrecision: mean(library.map((s) => s.precision)),
          readabilityRecall: mean(library.map((s) => s.recall)),
          worstPages: worst.map((s) => ({ id: s.id.slice(0, 24), f1: round3(s.f1), precision: round3(s.precision), recall: round3(s.recall) })),
        },
      }
    },
  }
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000
}
