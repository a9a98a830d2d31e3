/**
 * The question spec: the JSON a requester puts on-chain (its keccak256 is the request's specHash) and every
 * node reads to know what to fetch and how to judge. Strict: a node that cannot parse a spec answers
 * "unresolvable" rather than guess at it.
 */
import { z } from 'zod'

const httpUrl = z
  .string()
  .max(2048)
  .refine((s) => {
    try {
      const u = new URL(s)
      return u.protocol === 'https:' || u.protocol === 'http:'
    } catch {
      return false
    }
  }, 'expected an http(s) URL')

export const sourceSpecSchema = z
  .object({
    url: httpUrl,
    /** How the page is read: main text of an HTML page (default), CSS selectors, or a JSON path. */
    format: z.enum(['html', 'json']).default('html'),
    /** CSS selectors whose text is the evidence (html); overrides main-content extraction. */
    selectors: z.array(z.string().min(1).max(200)).max(16).optional(),
    /** Dot/bracket path into a JSON document, e.g. "data.price" or "quotes[0].close" (json). */
    jsonPath: z.string().min(1).max(200).optional(),
    /** Relative trust in this source when sources disagree, 1..100. */
    weight: z.number().int().min(1).max(100).default(10),
  })
  .strict()

const base = {
  version: z.literal(1),
  /** The question, in plain words, as a person would ask it. */
  question: z.string().min(8).max(1000),
  sources: z.array(sourceSpecSchema).min(1).max(8),
  /** Free-text resolution rules the nodes show their judge (and a disputer reads). */
  rules: z.string().max(2000).optional(),
  /** Unix seconds: the event is expected by then; before it nodes answer "too early" when sources are silent. */
  eventTime: z.number().int().nonnegative().optional(),
}

/** "Did X happen?" / "Which of these?": judged from text. */
export const textQuestionSchema = z
  .object({ ...base, type: z.literal('text'), outcomes: z.array(z.string().min(1).max(100)).min(2).max(32) })
  .strict()

/** The winner of a game, read from a box score or scoreboard. Outcomes are team names (or "Draw"). */
export const sportsWinnerSchema = z
  .object({
    ...base,
    type: z.literal('sports.winner'),
    homeTeam: z.string().min(1).max(100),
    awayTeam: z.string().min(1).max(100),
    outcomes: z.array(z.string().min(1).max(100)).min(2).max(3),
  })
  .strict()

/** A number (price, score) compared with a threshold: outcomes are ["YES", "NO"] for `value <op> threshold`. */
export const numericThresholdSchema = z
  .object({
    ...base,
    type: z.literal('numeric.threshold'),
    /** Decimal string in the page's units, e.g. "119.00". */
    threshold: z.string().regex(/^-?\d+(\.\d+)?$/),
    comparison: z.enum(['gt', 'gte', 'lt', 'lte']),
    outcomes: z.tuple([z.literal('YES'), z.literal('NO')]),
  })
  .strict()

export const questionSpecSchema = z.discriminatedUnion('type', [textQuestionSchema, sportsWinnerSchema, numericThresholdSchema])

export type SourceSpec = z.infer<typeof sourceSpecSchema>
export type QuestionSpec = z.infer<typeof questionSpecSchema>
export type QuestionSpecInput = z.input<typeof questionSpecSchema>

/** A numeric feed's spec (off-chain, in feeds/): where the value comes from and how it is scaled. */
export const feedSpecSchema = z
  .object({
    version: z.literal(1),
    description: z.string().min(1).max(100),
    decimals: z.number().int().min(0).max(36),
    sources: z.array(sourceSpecSchema).min(1).max(8),
    /** Basis points of change that trigger a new round (Chainlink's deviation threshold). */
    deviationBps: z.number().int().min(1).max(10_000),
    /** A new round at least this often even without deviation. */
    heartbeatSec: z.number().int().min(10).max(7 * 24 * 3600),
  })
  .strict()

export type FeedSpec = z.infer<typeof feedSpecSchema>
