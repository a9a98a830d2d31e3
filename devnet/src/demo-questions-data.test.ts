/**
 * The demo's data files as the loader reads them, without models or a network: the shipped files load and say
 * what the demo expects, a broken copy is refused with the path of what is wrong, and the compose topology's
 * feed spec is the demo's own with the compose host filled in.
 */
import test from 'ava'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { feedSpecSchema, questionSpecSchema } from '@sibyl/protocol/question-spec'
import { DEMO_DATA_DIR, demoDataFiles, SITES_URL_PLACEHOLDER } from './demo-data-dir.ts'
import { buildDemoFeedSpec, buildDemoQuestions, DEMO_FEED, DEMO_QUESTION_KEYS, DemoDataError, findDemoQuestion } from './demo-questions.ts'

const BASE = 'http://127.0.0.1:41234'

/** A copy of the data folder (without the sites) whose questions file `edit` changes. */
function brokenCopy(edit: (file: { questions: Record<string, unknown>[] }) => void): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'sibyl-demo-data-'))
  cpSync(demoDataFiles().feed, demoDataFiles(dir).feed)
  const data = JSON.parse(readFileSync(demoDataFiles().questions, 'utf8')) as { questions: Record<string, unknown>[] }
  edit(data)
  writeFileSync(demoDataFiles(dir).questions, JSON.stringify(data))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

function refusal(t: import('ava').ExecutionContext, dir: string): string {
  const error = t.throws(() => buildDemoQuestions(BASE, { dataDir: dir }), { instanceOf: DemoDataError })
  return error?.message ?? ''
}

test('the shipped questions load: every key once, sources on the sites, expected outcomes among the outcomes', (t) => {
  const questions = buildDemoQuestions(BASE)
  t.deepEqual(questions.map((q) => q.key), [...DEMO_QUESTION_KEYS])
  for (const q of questions) {
    t.deepEqual(questionSpecSchema.parse(JSON.parse(q.specJson)), q.spec, q.key)
    t.false(q.specJson.includes(SITES_URL_PLACEHOLDER), q.key)
    for (const source of q.spec.sources) t.true(source.url.startsWith(`${BASE}/`), `${q.key}: ${source.url}`)
    t.true(q.expectedOutcomeIndex >= 0 && q.expectedOutcomeIndex < q.outcomes.length, q.key)
  }
  t.deepEqual(
    Object.fromEntries(questions.map((q) => [q.key, q.outcomes[q.expectedOutcomeIndex]])),
    {
      'hockey-winner': 'Port Alder Gulls',
      'football-result': 'Draw',
      'bridge-approved': 'YES',
      'mayor-election': 'Priya Castellanos',
      'nwc-above-100': 'YES',
      'lighthouse-reopened': 'NO',
      'dredging-approved': 'YES',
      'ferry-strike-ended': 'YES',
    },
  )
  t.is(findDemoQuestion(BASE, 'football-result').outcomes.length, 3)
})

test('a base URL with a path or a trailing slash gives the same URLs as its trimmed form', (t) => {
  const plain = buildDemoQuestions('http://sites:8080/demo')
  t.deepEqual(buildDemoQuestions('http://sites:8080/demo/'), plain)
  t.true(plain[0]!.spec.sources[0]!.url.startsWith('http://sites:8080/demo/sports/'))
  t.throws(() => buildDemoQuestions('ftp://sites/'), { instanceOf: TypeError })
})

for (const [what, edit, path] of [
  ['a source off the demo sites', (d: { questions: Record<string, unknown>[] }) => ((d.questions[0]!.spec as { sources: { url: string }[] }).sources[0]!.url = 'https://example.com/x'), 'questions.0.spec.sources.0.url'],
  ['an expected outcome that is not an outcome', (d: { questions: Record<string, unknown>[] }) => (d.questions[1]!.expectedOutcome = 'Abandoned'), 'questions.1.expectedOutcome'],
  ['a key listed twice', (d: { questions: Record<string, unknown>[] }) => (d.questions[2]!.key = 'hockey-winner'), 'questions.2.key'],
  ['an unknown key', (d: { questions: Record<string, unknown>[] }) => (d.questions[3]!.key = 'moon-landing'), 'questions.3.key'],
  ['a spec the protocol refuses', (d: { questions: Record<string, unknown>[] }) => ((d.questions[4]!.spec as { threshold: string }).threshold = 'a hundred'), 'questions.4.spec.threshold'],
  ['an unknown field', (d: { questions: Record<string, unknown>[] }) => (d.questions[0]!.expected = 0), 'questions.0'],
] as const) {
  test(`the loader refuses ${what}, naming the file and the path`, (t) => {
    const copy = brokenCopy(edit)
    try {
      const message = refusal(t, copy.dir)
      t.true(message.includes(demoDataFiles(copy.dir).questions), message)
      t.regex(message, new RegExp(`^${path.replaceAll('.', '\\.')}[.:]`, 'm'), message)
    } finally {
      copy.remove()
    }
  })
}

test('the feed spec loads as the feed the demo deploys, with overrides', (t) => {
  const spec = buildDemoFeedSpec(BASE)
  t.is(spec.description, DEMO_FEED.description)
  t.is(spec.decimals, DEMO_FEED.decimals)
  t.deepEqual(spec.sources.map((s) => s.url), [`${BASE}/prices/api/v1/quotes/NWC.json`, `${BASE}/prices/quote/NWC.html`])
  t.like(spec, { deviationBps: 50, heartbeatSec: 3600 })
  t.like(buildDemoFeedSpec(BASE, { deviationBps: 10, heartbeatSec: 60 }), { deviationBps: 10, heartbeatSec: 60 })
  t.true(DEMO_DATA_DIR.endsWith('/feeds/demo/'))
})

test("the compose topology's feed spec is the demo's, on the compose sites service", (t) => {
  const composeFile = new URL('../../deploy/compose/feed-nwc-usd.json', import.meta.url)
  const compose = feedSpecSchema.parse(JSON.parse(readFileSync(composeFile, 'utf8')))
  t.deepEqual(compose, buildDemoFeedSpec('http://sites:8080'))
})
