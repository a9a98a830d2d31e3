/**
 * The explorer's web app in a real headless Chromium (Debian's `chromium`, driven by playwright-core; nothing
 * downloads a browser), against the real explorer (chain and NATS indexers, HTTP server, the app freshly built
 * by Vite) over one real devnet: anvil with the contracts, a secured JetStream bus, 4 oracle nodes with the
 * test models (the last one lying) reporting the demo feed, and the aggregator. The demo's scenario runs to the
 * end (every question final, two feed rounds); then one more question is committed and disputed while the
 * disputes page is open.
 *
 * One devnet for the whole file, so the tests are serial and in this order. Each saves a screenshot under
 * test/.output/explorer/.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import test from 'ava'
import { parseEther } from 'ethers'
import { pino } from 'pino'
import { chromium, type Browser, type Page } from 'playwright-core'
import { build } from 'vite'
import type { DemoNetwork } from '@sibyl/devnet/start-demo-network'
import { startE2eNetwork } from '@sibyl/devnet/start-e2e-network'
import { askThroughMarket, demoQuestion } from '@sibyl/devnet/ask-through-market'
import { fundedWallet, waitForCommit } from '@sibyl/devnet/demo-markets'
import { buildDemoQuestions } from '@sibyl/devnet/demo-questions'
import { runDemo } from '@sibyl/devnet/demo/run-demo'
import type { DemoSummary } from '@sibyl/devnet/demo/demo-state'
import { startDemoExplorer } from '@sibyl/explorer/start-demo-explorer'
import type { StartedExplorer } from '@sibyl/explorer/start-explorer'
import { formatUnits, shortHex } from '@sibyl/explorer/web/format/format'
import { pollUntil } from '@sibyl/service-kit/time/poll-until'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
/** Short, so the demo's questions finalize soon; long enough to dispute in right after a commit on a loaded machine. */
const DISPUTE_WINDOW_SEC = 45
const OUTPUT_DIR = fileURLToPath(new URL('./.output/explorer/', import.meta.url))
const EXPLORER_DIR = fileURLToPath(new URL('../explorer/', import.meta.url))

let network: DemoNetwork
let explorer: StartedExplorer
let browser: Browser
let summary: DemoSummary
let staticDir: string

test.before(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium package (or set CHROMIUM_PATH)`)
  mkdirSync(OUTPUT_DIR, { recursive: true })
  // The app as it is now, not a stale explorer/dist: Vite builds it into a temporary folder the server serves.
  staticDir = mkdtempSync(join(tmpdir(), 'sibyl-explorer-app-'))
  await build({ configFile: join(EXPLORER_DIR, 'vite.config.ts'), root: EXPLORER_DIR, logLevel: 'warn', build: { outDir: staticDir, emptyOutDir: true } })
  network = await startE2eNetwork({ operators: 4, lyingNodes: 1, disputeWindowSec: DISPUTE_WINDOW_SEC, feed: true })
  explorer = await startDemoExplorer({ network, port: 0, staticDir, logger: pino({ level: 'silent' }) })
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
})

test.after.always(async () => {
  await browser?.close()
  await explorer?.close()
  await network?.stop()
  if (staticDir) rmSync(staticDir, { recursive: true, force: true })
})

async function openPage(hash: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1360, height: 1000 } })
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(error.message))
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text())
  })
  // Anything but this server is a failure: the app must need no network beyond its own origin.
  const origin = new URL(explorer.url).origin
  page.on('request', (request) => {
    if (!request.url().startsWith(`${origin}/`) && !request.url().startsWith('data:')) errors.push(`external request: ${request.url()}`)
  })
  await page.goto(new URL(hash, explorer.url).href)
  ;(page as Page & { errors: string[] }).errors = errors
  return page
}

const pageErrors = (page: Page) => (page as Page & { errors: string[] }).errors

/** The text of each cell (th and td) of each row that `rows` matches, as the page shows them now. */
function tableCells(page: Page, rows: string): Promise<string[][]> {
  return page.locator(rows).evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('th, td'), (cell: { textContent: string | null }) => (cell.textContent ?? '').trim())))
}

/** Polls a table until `ok` holds for its cells; on time-out, fails with what the page showed last and a screenshot. */
async function waitForTable(page: Page, what: string, rows: string, ok: (cells: string[][]) => boolean, timeoutMs: number): Promise<string[][]> {
  let last: string[][] = []
  try {
    return await pollUntil(what, async () => {
      last = await tableCells(page, rows)
      return ok(last) ? last : undefined
    }, { timeoutMs, everyMs: 250 })
  } catch (error) {
    await page.screenshot({ path: join(OUTPUT_DIR, `failed-${what.replace(/[^a-z0-9]+/gi, '-').slice(0, 40)}.png`), fullPage: true }).catch(() => undefined)
    throw new Error(`${(error as Error).message}\nthe page showed: ${JSON.stringify(last)}`)
  }
}

test.serial('the request list shows every demo question with its final answer', async (t) => {
  t.timeout(420_000)
  summary = await runDemo({ network, observationTimeoutMs: 60_000, reportTimeoutMs: 60_000 })
  t.true(
    summary.questions.every((q) => q.final !== undefined),
    `the demo did not finalize every question: ${JSON.stringify(summary.questions.map((q) => [q.key, q.final]))}`,
  )
  const questions = buildDemoQuestions(network.sites.url)
  const page = await openPage('/')
  // Every question's row: its text, its final answer's label and the status "final", as the reader sees them.
  const expected = summary.questions.map((q) => ({ question: questions.find((d) => d.key === q.key)!.spec.question, answer: q.final! }))
  await waitForTable(page, 'every demo question with its final answer in the list', 'table.requests tbody tr', (shown) => expected.every((r) => shown.some((cells) => cells[0] === r.question && cells[2] === r.answer && cells[3] === 'final')), 30_000)
  const text = await page.locator('main').innerText()
  for (const r of expected) t.true(text.includes(r.question) && text.includes(r.answer), r.question)
  // The acceptance check's words: a team, a football draw and a mayor.
  for (const words of ['Port Alder Gulls', 'Draw', 'Priya Castellanos']) t.true(text.includes(words), words)
  await page.screenshot({ path: join(OUTPUT_DIR, 'requests.png'), fullPage: true })
  // Landmarks and headers a screen reader navigates by; the first Tab reaches the skip link.
  t.is(await page.locator('main').count(), 1)
  t.is(await page.locator('nav[aria-label="Main"] a[aria-current="page"]').innerText(), 'Requests')
  t.is(await page.locator('table.requests thead th[scope="col"]').count(), 8)
  t.is(await page.locator('table.requests tbody th[scope="row"]').count(), await page.locator('table.requests tbody tr').count())
  await page.keyboard.press('Tab')
  t.is(await page.evaluate('document.activeElement && document.activeElement.textContent'), 'Skip to content')
  // The filter is a labelled control; choosing "final" keeps every demo question.
  await page.getByLabel('Status').focus()
  await page.getByLabel('Status').selectOption('final')
  await pollUntil('the filter in the address', async () => new URL(page.url()).hash === '#/?status=final', { timeoutMs: 5_000, everyMs: 100 })
  // Only final requests, every demo question among them.
  await waitForTable(page, 'the final requests only', 'table.requests tbody tr', (rows) => rows.length >= expected.length && rows.every((cells) => cells[3] === 'final') && expected.every((r) => rows.some((cells) => cells[0] === r.question)), 10_000)
  // The keyboard focus stays on the filter that was used.
  t.is(await page.evaluate('document.activeElement && document.activeElement.id'), 'status-filter')
  await page.screenshot({ path: join(OUTPUT_DIR, 'requests-final.png'), fullPage: true })
  t.deepEqual(pageErrors(page), [])
  await page.close()
})

test.serial('a request page lists each node answer with the lying node marked as an outlier (and the operators page counts it)', async (t) => {
  t.timeout(120_000)
  const hockey = summary.questions.find((q) => q.key === 'hockey-winner')!
  const page = await openPage(`/#/requests/${hockey.requestId!.toLowerCase()}`)
  const liar = network.liars[0]!.toLowerCase()
  const honest = network.nodes.filter((n) => !n.lying).map((n) => n.operator.signer.address.toLowerCase())
  // Four rows; the liar reads "outlier" whenever its dissent arrived (before or after the commit).
  await waitForTable(
    page,
    'four node rows, the liar an outlier and three agreeing',
    'table.nodes tbody tr',
    // Cells: signer, operator, answer, confidence, status, ...
    (rows) => rows.length === 4 && /outlier/.test(rows.find((cells) => cells[0] === shortHex(liar))?.[4] ?? '') && rows.filter((cells) => cells[4] === 'agreed').length === 3,
    90_000,
  )
  const rows = page.locator('table.nodes tbody tr')
  t.is(await rows.count(), 4)
  const liarRow = rows.filter({ has: page.locator('th', { hasText: shortHex(liar) }) })
  t.regex(await liarRow.locator('.badge').innerText(), /outlier/)
  t.is(await liarRow.locator('td').nth(1).innerText(), 'Ridgeback Miners', 'the liar answers the next outcome')
  for (const signer of honest) {
    const row = rows.filter({ has: page.locator('th', { hasText: shortHex(signer) }) })
    t.is(await row.locator('.badge').innerText(), 'agreed', signer)
    t.is(await row.locator('td').nth(1).innerText(), 'Port Alder Gulls', signer)
  }
  // The facts: the final answer and the commit and finalize transactions in full.
  const facts = await page.locator('dl.facts').first().innerText()
  t.true(facts.includes(hockey.commitTx!.toLowerCase()), 'commit tx shown')
  t.true(facts.includes(hockey.finalizeTx!.toLowerCase()), 'finalize tx shown')
  t.regex(await page.locator('ol.timeline').innerText(), /Requested[\s\S]*Committed[\s\S]*Final/)
  await page.screenshot({ path: join(OUTPUT_DIR, 'request.png'), fullPage: true })

  // By keyboard to the operators: the focus lands on the new page's title; the liar's operator has outliers.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Operators', exact: true }).focus()
  await page.keyboard.press('Enter')
  const operators = await waitForTable(page, 'four operators', 'table.operators tbody tr', (rows) => rows.length === 4, 30_000)
  t.is(await page.evaluate('document.activeElement && document.activeElement.id'), 'page-title')
  const liarOperator = network.nodes.find((n) => n.lying)!.operator.operator.address.toLowerCase()
  // Cells: operator, signer, stake, status, answers, agreed, outliers, no answer, slashes, models.
  const liarOperatorRow = operators.find((cells) => cells[0] === shortHex(liarOperator))
  t.truthy(liarOperatorRow, 'the liar operator has a row')
  t.true(Number(liarOperatorRow?.[6]) >= 1, `the liar's operator has outliers: ${JSON.stringify(liarOperatorRow)}`)
  await page.screenshot({ path: join(OUTPUT_DIR, 'operators.png'), fullPage: true })
  t.deepEqual(pageErrors(page), [])
  await page.close()
})

test.serial('the feed chart renders with the two demo rounds', async (t) => {
  t.timeout(90_000)
  const feed = summary.feed!
  t.truthy(feed, 'the demo ran its feed')
  t.true(feed.rounds.length >= 2, `the demo saw ${feed.rounds.length} feed rounds`)
  const decimals = network.net.deployment.contracts.feeds[0]!.decimals
  const answers = feed.rounds.slice(0, 2).map((r) => formatUnits(r.answer, decimals))
  const page = await openPage('/#/feeds')
  await waitForTable(page, 'the two demo rounds', 'table.rounds tbody tr', (shown) => answers.every((a) => shown.some((cells) => cells[1] === a)), 60_000)
  await page.locator('.chart canvas').first().waitFor({ timeout: 10_000 })
  // The canvas is uPlot's, described for screen readers; the figures are in the table beside it.
  const canvas = page.locator('.chart canvas').first()
  t.is(await canvas.getAttribute('role'), 'img')
  const box = await canvas.boundingBox()
  t.true(box !== null && box.width > 200 && box.height > 100, 'the chart has a size')
  const legend = await page.locator('.chart .u-legend').first().innerText()
  t.regex(legend, /answer/)
  const roundsTable = await page.locator('table.rounds').first().innerText()
  for (const a of answers) t.true(roundsTable.includes(a), a)
  t.regex(await page.locator('article.feed dl.facts').first().innerText(), /Deviation threshold[\s\S]*Heartbeat/)
  await page.screenshot({ path: join(OUTPUT_DIR, 'feeds.png'), fullPage: true })
  t.deepEqual(pageErrors(page), [])
  await page.close()
})

test.serial('a dispute shows up live when one is raised', async (t) => {
  t.timeout(240_000)
  const { net } = network
  const { token, governance } = net.contracts
  const question = demoQuestion(network, 'bridge-approved')
  // The disputer is funded and approved before the commit, so the dispute lands early in the short window.
  const bondWei = await governance.minBondWei()
  const disputer = await fundedWallet(net, 'explorer disputer', 0)
  await (await token.mint(disputer.address, bondWei)).wait()
  await (await token.connect(disputer).approve(governance.target, bondWei)).wait()
  const page = await openPage('/#/disputes')
  await page.waitForSelector('h2#disputes-open-disputes')
  await page.locator('.live-on').waitFor({ timeout: 30_000 })
  // A marker that a reload would wipe: the row must arrive over the live stream, not by reloading the page.
  await page.evaluate("window.sibylMarker = 'same document'")

  const { requestId } = await askThroughMarket(network, question, [
    { label: 'yes backer', outcome: 0, amountWei: parseEther('2') },
    { label: 'no backer', outcome: 1, amountWei: parseEther('1') },
  ])
  const commit = await waitForCommit(net, requestId, { timeoutMs: 120_000 })
  // The disputer claims the liar's answer.
  const claimed = (commit.answer + 1n) % BigInt(question.outcomes.length)
  await (await governance.connect(disputer).dispute(requestId, claimed, bondWei, commit.signers)).wait()

  const openTable = page.locator('table[aria-labelledby="disputes-open-disputes"]')
  await openTable.locator('tbody tr', { hasText: question.spec.question }).waitFor({ timeout: 30_000 })
  const row = openTable.locator('tbody tr', { hasText: question.spec.question })
  t.is(await row.locator('td.answer').innerText(), question.outcomes[Number(claimed)] ?? '')
  t.regex(await row.locator('.badge').innerText(), /open/)
  t.regex(await row.innerText(), /ends in /)
  t.is(await page.evaluate('window.sibylMarker'), 'same document')
  // The polite live region announced it.
  await page.locator('[role="status"]', { hasText: question.spec.question.slice(0, 40) }).waitFor({ state: 'attached', timeout: 10_000 })
  // What a disputer needs: the liar's evidence from the outlier reports (the report may come a little later).
  const liarShort = shortHex(network.liars[0]!.toLowerCase())
  await row.locator('.evidence', { hasText: liarShort }).waitFor({ timeout: 60_000 })
  await page.screenshot({ path: join(OUTPUT_DIR, 'disputes.png'), fullPage: true })
  t.deepEqual(pageErrors(page), [])
  await page.close()
})
