/**
 * Product pages: the node's price reader (`extractPrice`, what `numeric.threshold` questions and price feeds
 * use) on each page, compared exactly (as fixed-point integers with 2 decimals) with the annotated price. A
 * page annotated without a price is right when the reader finds none. Finding nothing is the abstention.
 */
import { extractPrice } from '@sibyl/oracle-node/resolve/extract-price'
import { decimalToFixedPoint } from '@sibyl/oracle-node/resolve/parse-decimal'
import type { AdapterResult, DatasetAdapter } from '../dataset-adapter.ts'
import { ABSTAIN, summarizeJudged, type JudgedRow } from '../metrics.ts'
import { readPageOrEmpty, text } from '../read-dataset.ts'

const NONE = 'no price'

export const productPriceHtml: DatasetAdapter = {
  name: 'product_price_html',
  folder: 'product_price_html',
  task: 'structured',
  protocol: 'extractPrice on the page; right = the annotated price exactly (2 decimals), or none when none is annotated',
  rowId: (row) => String(row.id),
  async evaluate(context, rows): Promise<AdapterResult> {
    const judged: JudgedRow[] = []
    const misses: string[] = []
    for (const row of rows) {
      const html = readPageOrEmpty(context.dataDir, context.folder, text(row.html_file), context.log)
      const annotated = row.price === null || row.price === undefined ? undefined : text(row.price)
      const gold = annotated === undefined ? NONE : decimalToFixedPoint(annotated, 2).toString()
      const result = extractPrice({ html, decimals: 2 })
      const said = result.found ? result.value.toString() : NONE
      if (said !== gold) misses.push(`${hostOf(text(row.url))}: annotated ${annotated ?? 'none'}, read ${result.found ? `${result.decimal} (${result.evidence.slice(0, 80)})` : 'none'}`)
      judged.push({ id: String(row.id), gold, forced: said, answered: result.found ? said : ABSTAIN, confidence: undefined })
    }
    const figures = summarizeJudged(judged)
    // Prices are not classes: macro-F1 and a "majority price" say nothing here.
    return { figures: { ...figures, macroF1: Number.NaN, majority: undefined }, baselines: [], extra: { misses } }
  },
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname
  } catch {
    return url
  }
}
