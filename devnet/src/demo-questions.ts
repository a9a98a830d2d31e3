/**
 * The demo's questions and its numeric feed, read from the demo's data folder (feeds/demo/questions.json and
 * feeds/demo/nwc-usd.json) and pointed at the demo sites (serve-demo-sites.ts) by their base URL: the data
 * names every source as `{{sitesUrl}}/<path>`, and the sites run on a port picked at start.
 *
 * The files are validated on every load, strictly: the file's own shape, every source on the demo sites, each
 * spec by the protocol's `questionSpecSchema` / `feedSpecSchema` once the URL is filled in, each question's
 * expected outcome among its outcomes, keys unique, the feed's description and decimals those the demo deploys.
 * A file that is wrong throws DemoDataError naming the file and the path of what is wrong.
 *
 * Which questions the set holds, and why no yes/no question has NO for its answer, is in feeds/README.md.
 */
import { readFileSync } from 'node:fs'
import { z } from 'zod'
import { BaseError } from '@sibyl/protocol/errors'
import { feedSpecSchema, questionSpecSchema, type FeedSpec, type QuestionSpec } from '@sibyl/protocol/question-spec'
import { describeIssues } from '@sibyl/protocol/schema-parts'
import { demoDataFiles, SITES_URL_PLACEHOLDER } from './demo-data-dir.ts'

export class DemoDataError extends BaseError {
  override name = 'DemoDataError' as const
}

/** The demo's questions, by key: the demo, the CLI's --questions and the tests name them. */
export const DEMO_QUESTION_KEYS = [
  'hockey-winner',
  'football-result',
  'bridge-approved',
  'mayor-election',
  'nwc-above-100',
  'lighthouse-reopened',
  'dredging-approved',
  'ferry-strike-ended',
] as const
export type DemoQuestionKey = (typeof DEMO_QUESTION_KEYS)[number]

export type DemoQuestion = {
  key: DemoQuestionKey
  /** One line for the demo's output. */
  title: string
  /** The parsed spec (schema defaults filled in), as a node reads it. */
  spec: QuestionSpec
  /** The spec as the requester posts it on-chain (compact JSON; its keccak256 is the request's specHash). */
  specJson: string
  /** The outcome labels for `requestResolution` / the market: the same as spec.outcomes. */
  outcomes: readonly string[]
  /** The outcome index an honest node answers (for nwc-above-100: while the demo keeps the price above 100.00). */
  expectedOutcomeIndex: number
}

/** What the demo deploys for its feed (the deploy config's `feeds` entry): the description and decimals must match the feed spec. */
export const DEMO_FEED = {
  description: 'NWC / USD',
  decimals: 8,
  /** FeedAggregator refuses a median outside [minAnswer, maxAnswer]: 0.00000001 .. 1,000,000.00000000 USD. */
  minAnswer: '1',
  maxAnswer: '100000000000000',
} as const

export type DemoDataOptions = {
  /** The data folder (default feeds/demo/ of this checkout). */
  dataDir?: string
}

// ------------------------------------------------------------------------------------------------ the files

const onSitesUrl = z
  .string()
  .max(2048)
  .refine((url) => url.startsWith(`${SITES_URL_PLACEHOLDER}/`), `expected a URL on the demo sites, starting with ${SITES_URL_PLACEHOLDER}/`)

/**
 * What the data must hold before its URLs are filled in: every source, feed and sitemap on the demo sites (a
 * discovery question may name no fixed source). The rest is checked by the protocol's schemas after.
 */
const specOnSitesSchema = z
  .looseObject({
    sources: z.array(z.looseObject({ url: onSitesUrl })),
    discover: z.looseObject({ feeds: z.array(onSitesUrl).optional(), sitemaps: z.array(onSitesUrl).optional() }).optional(),
  })
  .refine((spec) => spec.sources.length > 0 || spec.discover !== undefined, { message: 'name a source or a discover block', path: ['sources'] })

const questionsFileSchema = z
  .object({
    version: z.literal(1),
    questions: z
      .array(
        z
          .object({
            key: z.enum(DEMO_QUESTION_KEYS),
            title: z.string().min(1).max(200),
            /** The label of the outcome an honest node answers; one of spec.outcomes. */
            expectedOutcome: z.string().min(1).max(100),
            /** For the person reading the file. */
            note: z.string().max(1000).optional(),
            spec: specOnSitesSchema,
          })
          .strict(),
      )
      .min(1)
      .max(32),
  })
  .strict()
  .superRefine(function uniqueKeys(file, ctx) {
    const seen = new Set<string>()
    for (const [i, q] of file.questions.entries()) {
      if (seen.has(q.key)) ctx.addIssue({ code: 'custom', path: ['questions', i, 'key'], message: `${q.key} is listed twice` })
      seen.add(q.key)
    }
  })

function readJson(file: string): unknown {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new DemoDataError(`Cannot read the demo data file ${file}.`, { cause: error })
  }
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new DemoDataError(`${file} is not JSON.`, { cause: error })
  }
}

function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, file: string, path: readonly (string | number)[] = []): z.infer<S> {
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  const prefix = path.length > 0 ? `${path.join('.')}.` : ''
  throw new DemoDataError(`${file} is not valid demo data.`, { metaMessages: describeIssues(parsed.error).map((line) => `${prefix}${line}`) })
}

/** The origin and path of `baseUrl`, without a trailing slash. */
function trimBase(baseUrl: string): string {
  const url = new URL(baseUrl)
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`expected an http(s) base URL, got ${baseUrl}`)
  return url.origin + url.pathname.replace(/\/+$/, '')
}

/** A copy of `value` with the placeholder replaced by `base` in every string. */
function fillSitesUrl(value: unknown, base: string): unknown {
  if (typeof value === 'string') return value.replaceAll(SITES_URL_PLACEHOLDER, base)
  if (Array.isArray(value)) return value.map((v) => fillSitesUrl(v, base))
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillSitesUrl(v, base)]))
  return value
}

// ------------------------------------------------------------------------------------------------ loaders

/** The demo's questions, with their sources on the demo sites at `baseUrl` (e.g. DemoSites.url). Throws DemoDataError on bad data. */
export function buildDemoQuestions(baseUrl: string, options: DemoDataOptions = {}): DemoQuestion[] {
  const base = trimBase(baseUrl)
  const file = demoDataFiles(options.dataDir).questions
  const raw = readJson(file)
  const data = parseOrThrow(questionsFileSchema, raw, file)
  // The spec as written, not as parsed: the parse puts known keys first, and the order is part of the specHash.
  const rawSpecs = (raw as { questions: { spec: unknown }[] }).questions.map((q) => q.spec)
  return data.questions.map((entry, i) => {
    const input = fillSitesUrl(rawSpecs[i], base)
    const spec = parseOrThrow(questionSpecSchema, input, file, ['questions', i, 'spec'])
    const expectedOutcomeIndex = (spec.outcomes as readonly string[]).indexOf(entry.expectedOutcome)
    if (expectedOutcomeIndex < 0) {
      throw new DemoDataError(`${file} is not valid demo data.`, {
        metaMessages: [`questions.${i}.expectedOutcome: "${entry.expectedOutcome}" is not one of ${JSON.stringify(spec.outcomes)}`],
      })
    }
    return { key: entry.key, title: entry.title, spec, specJson: JSON.stringify(input), outcomes: spec.outcomes, expectedOutcomeIndex }
  })
}

/** The question `key` of the demo's set (see buildDemoQuestions). */
export function findDemoQuestion(baseUrl: string, key: DemoQuestionKey, options: DemoDataOptions = {}): DemoQuestion {
  const question = buildDemoQuestions(baseUrl, options).find((q) => q.key === key)
  if (!question) throw new DemoDataError(`The demo data has no question ${key}.`)
  return question
}

export type BuildDemoFeedSpecOverrides = Partial<Pick<FeedSpec, 'deviationBps' | 'heartbeatSec'>>

/**
 * The NWC / USD feed (feeds/demo/nwc-usd.json): the JSON endpoint and the quote page (the node takes the median
 * of the two), a new round when the price moves by 0.5 % (or `deviationBps`), and at least every hour (or
 * `heartbeatSec`). A node's config lists feed spec files: write this object as JSON.
 */
export function buildDemoFeedSpec(baseUrl: string, overrides: BuildDemoFeedSpecOverrides = {}, options: DemoDataOptions = {}): FeedSpec {
  const base = trimBase(baseUrl)
  const file = demoDataFiles(options.dataDir).feed
  const raw = readJson(file)
  parseOrThrow(specOnSitesSchema, raw, file)
  const filled = fillSitesUrl(raw, base) as Record<string, unknown>
  const spec = parseOrThrow(
    feedSpecSchema,
    { ...filled, deviationBps: overrides.deviationBps ?? filled.deviationBps, heartbeatSec: overrides.heartbeatSec ?? filled.heartbeatSec },
    file,
  )
  if (spec.description !== DEMO_FEED.description || spec.decimals !== DEMO_FEED.decimals) {
    throw new DemoDataError(`${file} is not the feed the demo deploys.`, {
      details: `it says ${spec.description} at ${spec.decimals} decimals; the demo deploys ${DEMO_FEED.description} at ${DEMO_FEED.decimals}`,
    })
  }
  return spec
}
