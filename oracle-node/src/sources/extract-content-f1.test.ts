/**
 * Main-content extraction measured against annotated article text (bag-of-tokens F1, mean over pages),
 * next to @mozilla/readability on linkedom as the baseline. Prints both; run alone with
 *   npx ava oracle-node/src/sources/extract-content-f1.test.ts --verbose
 *
 * Tuning discipline: every heuristic in extract-content.ts was tuned on article_extraction_html only.
 * readability_news_html is HELD OUT: it is only reported, never looked at to change the extractor.
 * Its labels are Readability.js's own output (see its SOURCE.md), so the baseline scores ~1.0 there by
 * construction; against it we assert an absolute floor, not parity.
 */
import test from 'ava'
import { Readability } from '@mozilla/readability'
import { parseHTML } from 'linkedom'
import { readFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { extractDocument } from './extract-content.ts'
import { hasSharedDataset, sharedDataDir } from './testing/shared-data-dir.ts'
import { tokenF1 } from './testing/token-f1.ts'

type Row = { id: string; html_file: string; article_body?: string; expected_text?: string }

function measure(dataset: string): { pages: number; ours: number; readability: number; worst: string } {
  const dir = `${sharedDataDir()}/${dataset}`
  const rows = readFileSync(`${dir}/data.jsonl`, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Row)
  let ours = 0
  let baseline = 0
  let worst = { id: '', f1: 2 }
  for (const row of rows) {
    const html = gunzipSync(readFileSync(`${dir}/${row.html_file}`)).toString('utf8')
    const gold = row.article_body ?? row.expected_text ?? ''
    const oursF1 = tokenF1(extractDocument(html).text, gold).f1
    const { document } = parseHTML(html)
    // linkedom's Document is close enough to the DOM for Readability; the types differ.
    const article = new Readability(document as unknown as ConstructorParameters<typeof Readability>[0]).parse()
    ours += oursF1
    baseline += tokenF1(article?.textContent ?? '', gold).f1
    if (oursF1 < worst.f1) worst = { id: row.id, f1: oursF1 }
  }
  return { pages: rows.length, ours: ours / rows.length, readability: baseline / rows.length, worst: `${worst.id.slice(0, 16)} ${worst.f1.toFixed(3)}` }
}

const report = (name: string, r: ReturnType<typeof measure>) =>
  `${name}: ${r.pages} pages, token F1 ours ${r.ours.toFixed(4)} vs readability ${r.readability.toFixed(4)} (our worst page: ${r.worst})`

// Margin: one page of 20 going from perfect to poor (F1 1.0 -> 0.6) moves the mean by 0.02. Parity within
// one bad page is what we ask of a hand-written extractor; we measured well above parity when written.
const marginF1 = 0.02

;(hasSharedDataset('article_extraction_html') ? test : test.skip)('article_extraction_html (tuning set): ours >= readability - 0.02', (t) => {
  const r = measure('article_extraction_html')
  t.log(report('article_extraction_html (tuning set)', r))
  t.true(r.ours >= r.readability - marginF1, report('article_extraction_html', r))
})

;(hasSharedDataset('readability_news_html') ? test : test.skip)('readability_news_html (held out, labels are Readability output): ours >= 0.90', (t) => {
  const r = measure('readability_news_html')
  t.log(report('readability_news_html (held out)', r))
  t.true(r.ours >= 0.9, report('readability_news_html', r))
})
