/**
 * Product pages: the node's price reader (`extractPrice`, what `numeric.threshold` questions and price feeds
 * use) on each page, given the page's address as a node has it, compared exactly (as fixed-point integers
 * with 2 decimals) with the annotated price. A page annotated without a price is right when the reader finds
 * none. Finding nothing is the abstention.
 *
 * The locale column: a row whose annotation kept the page's own separator (annotated "24.99" on a page
 * showing "$24.990", see price-conventions.ts) is not scored literally. It leaves the main figures and is
 * counted in `extra.locale`, scored against the amount the page shows in its conventions: right, wrong or
 * abstained. Nothing is silently a hit or a miss.
 */
import { extractPrice } from '@sibyl/oracle-node/resolve/extract-price'
import { decimalToFixedPoint } from '@sibyl/oracle-node/resolve/parse-decimal'
import type { AdapterResult, DatasetAdapter } from '../dataset-adapter.ts'
import { ABSTAIN, summarizeJudged, type JudgedRow } from '../metrics.ts'
import { readAnnotationInPageConventions } from '../price-conventions.ts'
import { readPageOrEmpty, text } from '../read-dataset.ts'

const NONE = 'no price'

/** Rows scored in the page's conventions, apart from the main figures. */
export type LocaleColumn = { n: number; right: number; wrong: number; abstained: number; rows: string[] }

export const productPriceHtml: DatasetAdapter = {
  name: 'product_price_html',
  folder: 'product_price_html',
  task: 'structured',
  protocol:
    'extractPrice on the page (with its URL); right = the annotated price exactly (2 decimals), or none when none is annotated; rows whose annotation kept the page\'s separator are scored in the page\'s conventions in their own column (extra.locale)',
  rowId: (row) => String(row.id),
  async evaluate(context, rows): Promise<AdapterResult> {
    const judged: JudgedRow[] = []
    const misses: string[] = []
    const locale: LocaleColumn = { n: 0, right: 0, wrong: 0, abstained: 0, rows: [] }
    for (const row of rows) {
      const html = readPageOrEmpty(context.dataDir, context.folder, text(row.html_file), context.log)
      const url = text(row.url)
      const annotated = row.price === null || row.price === undefined ? undefined : text(row.price)
      const result = extractPrice({ html, decimals: 2, url })
      const said = result.found ? result.value.toString() : NONE
      const read = result.found ? `${result.decimal} (${result.evidence.slice(0, 80)})` : `none (${result.reason.slice(0, 80)})`
      const conventions = annotated === undefined ? undefined : readAnnotationInPageConventions({ annotation: annotated, html, url, currency: row.currency === null ? null : text(row.currency) })
      if (conventions?.keptPageSeparator) {
        const gold = decimalToFixedPoint(conventions.gold, 2).toString()
        locale.n++
        if (!result.found) locale.abstained++
        else if (said === gold) locale.right++
        else locale.wrong++
        locale.rows.push(`${hostOf(url)}: annotated ${annotated}, page shows ${conventions.shown} (= ${conventions.gold}), read ${read}`)
        continue
      }
      const gold = annotated === undefined ? NONE : decimalToFixedPoint(annotated, 2).toString()
      if (said !== gold) misses.push(`${hostOf(url)}: annotated ${annotated ?? 'none'}, read ${read}`)
      judged.push({ id: String(row.id), gold, forced: said, answered: result.found ? said : ABSTAIN, confidence: undefined })
    }
    const figures = summarizeJudged(judged)
    // Prices are not classes: macro-F1 and a "majority price" say nothing here.
    return { figures: { ...figures, macroF1: Number.NaN, majority: undefined }, baselines: [], extra: { locale, misses } }
  },
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname
  } catch {
    return url
  }
}
