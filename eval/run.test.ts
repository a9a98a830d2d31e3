/**
 * The evaluation runs unchanged on another folder of the shared layout with other rows: a temporary folder
 * gets a few rows (and their pages) copied from ../shared/data at test time, most under new ids (rows the
 * node never saw, like the held-out part), one under its original id from the judge's training rows (which
 * must be left out), plus a folder no adapter knows. `npm run eval -- --data DIR` is then run on it.
 */
import test from 'ava'
import { execFile } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { readJudgeTrainingRows } from './judge-training-rows.ts'
import { resolveTestDataDir } from '@sibyl/oracle-node/testing/test-data-dir'
import { readRows, type Row } from './read-dataset.ts'

const repoRoot = fileURLToPath(new URL('..', import.meta.url))
const shared = resolveTestDataDir()
const hasShared = ['fever_symmetric', 'sports_boxscore_html', 'product_price_html', 'article_extraction_html', 'forecastbench_resolved_markets'].every((d) =>
  existsSync(join(shared, d, 'data.jsonl')),
)

function copyRows(target: string, dataset: string, rows: Row[]): void {
  mkdirSync(join(target, dataset), { recursive: true })
  copyFileSync(join(shared, dataset, 'SOURCE.md'), join(target, dataset, 'SOURCE.md'))
  for (const row of rows) {
    if (typeof row.html_file === 'string') {
      mkdirSync(dirname(join(target, dataset, row.html_file)), { recursive: true })
      copyFileSync(join(shared, dataset, row.html_file), join(target, dataset, row.html_file))
    }
  }
  writeFileSync(join(target, dataset, 'data.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n')
}

const renamed = (rows: Row[]) => rows.map((r) => ({ ...r, id: `other-${String(r.id)}` }))

;(hasShared ? test : test.skip)('npm run eval -- --data DIR: runs on another folder of the same layout, leaves seen rows out', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sibyl-eval-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const data = join(dir, 'data')
  const trainedFever = readJudgeTrainingRows().get('fever_symmetric') ?? new Set<string>()
  const fever = readRows(shared, 'fever_symmetric')
  const seenRow = fever.find((r) => trainedFever.has(String(r.id)))!
  copyRows(data, 'fever_symmetric', [...renamed(fever.filter((r) => !trainedFever.has(String(r.id))).slice(0, 3)), seenRow])
  copyRows(data, 'sports_boxscore_html', renamed(readRows(shared, 'sports_boxscore_html').filter((r) => r.kind === 'game').slice(0, 1)))
  copyRows(data, 'product_price_html', renamed(readRows(shared, 'product_price_html').slice(0, 2)))
  copyRows(data, 'article_extraction_html', renamed(readRows(shared, 'article_extraction_html').slice(0, 1)))
  copyRows(data, 'forecastbench_resolved_markets', renamed(readRows(shared, 'forecastbench_resolved_markets').slice(0, 6)))
  mkdirSync(join(data, 'not_a_dataset'))
  writeFileSync(join(data, 'not_a_dataset', 'data.jsonl'), '{"id":"x"}\n')

  const out = join(dir, 'out.json')
  const { stdout } = await promisify(execFile)(process.execPath, ['--import=tsx', 'eval/run.ts', '--data', data, '--out', out], {
    cwd: repoRoot,
    timeout: 60_000,
  })
  t.log(stdout)
  const result = JSON.parse(readFileSync(out, 'utf8')) as Record<string, any>

  t.like(result.fever_symmetric, { rows: 'held-out', n: 3, seenRowsLeftOut: 1 })
  for (const key of ['accuracy', 'macroF1', 'abstainRate']) t.true(result.fever_symmetric[key] >= 0 && result.fever_symmetric[key] <= 1, key)
  t.is(result.fever_symmetric.majority.accuracy >= 1 / 3, true)
  // The reader is exact on this page (resolve-sports-winner.test.ts): winner and score right.
  t.like(result.sports_boxscore_html, { rows: 'held-out', n: 1, accuracy: 1, abstainRate: 0 })
  t.is(result.product_price_html.n, 2)
  t.is(result.article_extraction_html.n, 1)
  t.true(result.article_extraction_html.macroF1 > 0.5)
  t.is(result.article_extraction_html.baselines[0].name, '@mozilla/readability')
  t.true(result.forecastbench_resolved_markets.n >= 1 && result.forecastbench_resolved_markets.n <= 6)
  t.deepEqual(result.meta.unknownFolders, ['not_a_dataset'])
  t.true(result.meta.missingDatasets.includes('wice'))
  t.regex(stdout, /Held-out rows/)
})

/**
 * A full run over every text dataset of a generated folder keeps no state from one dataset to the next that
 * can break another: with a small embedding cache, texts cached for earlier datasets are evicted while wice
 * (hundreds of sentences a row) is judged. This failed with "TypeError: Cannot read properties of undefined
 * (reading 'length')" on wice when the cache emptied itself in the middle of a call.
 */
;(hasShared && ['wice', 'snli_subset', 'mnli_dev_matched', 'climate_fever', 'fool_me_twice'].every((d) => existsSync(join(shared, d, 'data.jsonl'))) ? test : test.skip)(
  'a full run on a generated folder: every text dataset gets figures, wice after the others included',
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'sibyl-eval-full-'))
    t.teardown(() => rmSync(dir, { recursive: true, force: true }))
    const data = join(dir, 'data')
    const trained = readJudgeTrainingRows()
    const unseen = (dataset: string, n: number) => renamed(readRows(shared, dataset).filter((r) => !(trained.get(dataset)?.has(String(r.id)) ?? false)).slice(0, n))
    for (const dataset of ['fever_symmetric', 'fool_me_twice', 'climate_fever', 'mnli_dev_matched', 'snli_subset']) copyRows(data, dataset, unseen(dataset, 4))
    copyRows(data, 'wice', renamed(readRows(shared, 'wice').slice(0, 3)))
    const out = join(dir, 'out.json')
    const { stderr } = await promisify(execFile)(process.execPath, ['--import=tsx', 'eval/run.ts', '--data', data, '--out', out, '--cache-entries', '64'], {
      cwd: repoRoot,
      timeout: 120_000,
    })
    const result = JSON.parse(readFileSync(out, 'utf8')) as Record<string, any>
    for (const dataset of ['fever_symmetric', 'fool_me_twice', 'climate_fever', 'mnli_dev_matched', 'snli_subset', 'wice']) {
      t.is(result[dataset].error, undefined, `${dataset}: ${result[dataset].error} ${stderr}`)
      t.true(result[dataset].n >= 3, `${dataset} has figures`)
    }
    t.is(result.wice.n, 3)
  },
)
