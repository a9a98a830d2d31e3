/**
 * The explorer's first render: with 1,000 requests in its store, how long headless Chromium takes from the start
 * of navigation to the 1,000th request row being in the DOM.
 *
 * The store is the explorer's own (createExplorerStore), filled with 1,000 synthetic requests of every status,
 * each with a question spec, outcomes and (when answered) four node observations; the server is the explorer's
 * real HTTP server over the built app (explorer/dist, `npm run build`). The app loads the list in pages of 500
 * (the API's largest) until 1,000 rows are loaded, renders them at once, and sets
 * `performance.mark('sibyl:requests-rendered')` once they are in the DOM and 'sibyl:requests-painted' once the
 * frame showing them is painted (explorer/src/web/pages/requests-page.tsx). `explorer.firstRenderMs.n1000` is the
 * first mark's time, which the browser counts from the navigation's start; `explorer.firstPaintMs.n1000` the
 * second's. Each run is a fresh browser context (no HTTP cache, a new
 * document); one unmeasured warm-up run first; the median of the runs is the figure.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { pino } from 'pino'
import { chromium } from 'playwright-core'
import { createExplorerServer, DEFAULT_STATIC_DIR } from '@sibyl/explorer/server/create-explorer-server'
import { createExplorerStore, type ExplorerStore } from '@sibyl/explorer/store/explorer-store'
import type { ObservationMessage } from '@sibyl/protocol/messages'
import { median } from '../measure.ts'
import type { BenchSection } from '../section.ts'

const AIM_MS = 1000
const REQUESTS = 1000
const RENDERED_MARK = 'sibyl:requests-rendered'
const PAINTED_MARK = 'sibyl:requests-painted'
/** Debian's chromium package; override with CHROMIUM_PATH. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

const ORACLE = '0x00000000000000000000000000000000000000aa'
const SIGNERS = [1, 2, 3, 4].map((i) => `0x${i.toString(16).padStart(40, '0')}`)

function hex32(n: number, salt: number): string {
  return `0x${salt.toString(16).padStart(8, '0')}${n.toString(16).padStart(56, '0')}`
}

/** 1,000 requests across the statuses, with specs, outcomes and, once answered, four nodes' observations. */
export function fillSyntheticStore(store: ExplorerStore, count: number): void {
  const t0 = 1_780_000_000
  const chainStatuses = ['Finalized', 'Committed', 'Open', 'Disputed'] as const
  for (let i = 0; i < count; i++) {
    const requestId = hex32(i + 1, 1)
    const outcomes = i % 3 === 0 ? ['Yes', 'No'] : ['Home win', 'Away win', 'Draw']
    const chainStatus = chainStatuses[i % chainStatuses.length]!
    const answered = chainStatus !== 'Open'
    const answer = BigInt(i % outcomes.length)
    const specText = JSON.stringify({ version: 1, type: 'text', question: `Synthetic question ${i + 1}: did event ${i + 1} happen as reported by the sources?`, outcomes, sources: [{ url: `https://news.example/${i + 1}` }] })
    store.upsertRequest({
      requestId,
      specText,
      outcomes,
      requester: SIGNERS[i % 4]!,
      feeWei: 10n ** 18n,
      requestedAt: t0 + i * 60,
      resolveAfter: t0 + i * 60,
      chainStatus,
      ...(answered ? { answerValue: answer, committedAt: t0 + i * 60 + 20, disputeEndsAt: t0 + i * 60 + 620 } : {}),
      ...(chainStatus === 'Finalized' ? { finalizedAt: t0 + i * 60 + 640 } : {}),
    })
    if (!answered) continue
    for (const [k, signer] of SIGNERS.entries()) {
      const message: ObservationMessage = {
        version: 1,
        kind: 'resolution',
        domain: { chainId: '31337', verifyingContract: ORACLE },
        observation: { requestId, round: 0, answer: (k === 3 ? (answer + 1n) % BigInt(outcomes.length) : answer).toString(), confidenceBps: 9000, evidenceHash: hex32(i, 2 + k), modelHash: hex32(0, 9) },
        signer,
        signature: `0x${'22'.repeat(65)}`,
        modelId: 'synthetic',
        observedAtMs: (t0 + i * 60 + 10) * 1000,
      }
      store.addObservation(message)
    }
  }
}

export const explorerSection: BenchSection = {
  name: 'explorer',
  title: 'Explorer: first render of the requests list in headless Chromium',
  run: async ({ quick, log }) => {
    if (!existsSync(join(DEFAULT_STATIC_DIR, 'index.html'))) throw new Error(`the explorer's web app is not built (${DEFAULT_STATIC_DIR}): run \`npm run build -w @sibyl/explorer\``)
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (Debian: apt-get install chromium; or set CHROMIUM_PATH)`)
    const runs = quick ? 5 : 11
    const store = createExplorerStore()
    fillSyntheticStore(store, REQUESTS)
    const server = createExplorerServer({ store, logger: pino({ level: 'silent' }) })
    const { url } = await server.listen(0)
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
    const samples: number[] = []
    const paintSamples: number[] = []
    try {
      for (let run = 0; run <= runs; run++) {
        const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
        const page = await context.newPage()
        await page.goto(url)
        await page.waitForFunction((mark) => performance.getEntriesByName(mark).length > 0, PAINTED_MARK, { timeout: 30_000 })
        const marks = await page.evaluate(([rendered, painted]) => ({
          ms: performance.getEntriesByName(rendered!)[0]!.startTime,
          paintMs: performance.getEntriesByName(painted!)[0]!.startTime,
        }), [RENDERED_MARK, PAINTED_MARK])
        const result = { ...marks, rows: await page.locator('table.requests tbody tr').count() }
        await context.close()
        if (result.rows !== REQUESTS) throw new Error(`the list showed ${result.rows} rows, not ${REQUESTS}`)
        if (run === 0) {
          log(`explorer: warm-up ${result.ms.toFixed(0)} ms (not counted)`)
          continue
        }
        samples.push(result.ms)
        paintSamples.push(result.paintMs)
        log(`explorer: run ${run}/${runs}: ${result.ms.toFixed(0)} ms to ${result.rows} rows in the DOM, ${result.paintMs.toFixed(0)} ms to their paint`)
      }
    } finally {
      await browser.close()
      await server.close()
    }
    const mid = median(samples)
    const paintMid = median(paintSamples)
    const row = (what: string, xs: number[]) => [what, REQUESTS, runs, Math.round(median(xs)), Math.round(Math.min(...xs)), Math.round(Math.max(...xs))]
    return {
      figures: { 'explorer.firstRenderMs.n1000': Math.round(mid), 'explorer.firstPaintMs.n1000': Math.round(paintMid) },
      tables: [
        {
          title: 'Navigation start to the 1,000 request rows (ms)',
          table: {
            columns: ['until', 'requests', 'runs', 'median', 'min', 'max'],
            rows: [row('in the DOM (firstRenderMs)', samples), row('painted (firstPaintMs)', paintSamples)],
          },
        },
      ],
      aims: [{ label: 'explorer first render, 1,000 requests', value: `${Math.round(mid).toLocaleString('en-US')} ms`, aim: `< ${AIM_MS.toLocaleString('en-US')} ms`, met: mid < AIM_MS }],
      notes: [
        `The explorer's real server and store with ${REQUESTS} synthetic requests; the built app; Chromium headless (${CHROMIUM}), a fresh context per run, one warm-up run not counted.`,
        `Measured: performance.mark('${RENDERED_MARK}') (navigation start = 0), set once all ${REQUESTS} rows (two API pages of 500) are in the DOM; '${PAINTED_MARK}' once they are painted.`,
      ],
    }
  },
}
