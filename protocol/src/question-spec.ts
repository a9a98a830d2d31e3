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

/** A currency or unit code as APIs write it: "USD", "USDT", "EUR", "points". */
const unitCode = z.string().regex(/^[A-Za-z0-9]{2,12}$/, 'expected a unit code such as "USD"')

/**
 * Named readers for the JSON shapes operators actually point at (oracle-node/src/sources/adapters/): each
 * knows where its provider puts the value and what unit it is in, so a spec names the provider instead of
 * spelling a path into its response. Units are explicit: a price adapter's unit is its quote currency,
 * read from its own parameters.
 */
export const apiAdapterSchema = z.discriminatedUnion('name', [
  /** Coinbase Exchange `GET /products/{product}/ticker`: `{ price, bid, ask, volume, time, ... }`. */
  z
    .object({
      name: z.literal('coinbase.ticker'),
      product: z.string().regex(/^[A-Z0-9]{2,12}-[A-Z0-9]{2,12}$/, 'expected a product such as "BTC-USD"'),
      field: z.enum(['price', 'bid', 'ask']).default('price'),
    })
    .strict(),
  /** Coinbase `GET /v2/prices/{product}/spot`: `{ data: { base, currency, amount } }`. */
  z
    .object({
      name: z.literal('coinbase.spot'),
      product: z.string().regex(/^[A-Z0-9]{2,12}-[A-Z0-9]{2,12}$/, 'expected a product such as "BTC-USD"'),
    })
    .strict(),
  /** Kraken `GET /0/public/Ticker?pair=...`: `{ error: [], result: { <pair>: { a, b, c, p, ... } } }`. */
  z
    .object({
      name: z.literal('kraken.ticker'),
      /** As asked ("XBTUSD") or as Kraken answers ("XXBTZUSD"); a one-pair answer is read whatever its key. */
      pair: z.string().regex(/^[A-Z0-9.]{3,20}$/),
      quote: unitCode,
      field: z.enum(['last', 'bid', 'ask', 'vwap24h']).default('last'),
    })
    .strict(),
  /** Binance `GET /api/v3/ticker/price` (`{ symbol, price }`) or `/ticker/24hr` / `/ticker/bookTicker`. */
  z
    .object({
      name: z.literal('binance.ticker'),
      symbol: z.string().regex(/^[A-Z0-9]{4,20}$/),
      quote: unitCode,
      field: z.enum(['last', 'bid', 'ask']).default('last'),
    })
    .strict()
    .refine((a) => a.symbol.endsWith(a.quote.toUpperCase()) && a.symbol.length > a.quote.length, {
      message: 'the symbol must end with its quote currency ("BTCUSDT" / "USDT")',
      path: ['quote'],
    }),
  /** CoinGecko `GET /api/v3/simple/price?ids=<coinId>&vs_currencies=<vsCurrency>`: `{ <coinId>: { <vs>: number } }`. */
  z
    .object({
      name: z.literal('coingecko.simplePrice'),
      coinId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/),
      vsCurrency: z.string().regex(/^[a-z0-9]{2,10}$/),
    })
    .strict(),
  /** ESPN `GET /apis/site/v2/sports/<sport>/<league>/scoreboard?dates=YYYYMMDD`: `{ day, events: [...] }`. */
  z.object({ name: z.literal('espn.scoreboard') }).strict(),
])

export type ApiAdapterSpec = z.infer<typeof apiAdapterSchema>
export type ApiAdapterName = ApiAdapterSpec['name']

/** The unit of the value an adapter reads, from its own parameters (undefined: not a number, e.g. scores). */
export function adapterUnit(adapter: ApiAdapterSpec): string | undefined {
  switch (adapter.name) {
    case 'coinbase.ticker':
    case 'coinbase.spot':
      return adapter.product.split('-')[1]
    case 'kraken.ticker':
    case 'binance.ticker':
      return adapter.quote.toUpperCase()
    case 'coingecko.simplePrice':
      return adapter.vsCurrency.toUpperCase()
    case 'espn.scoreboard':
      return undefined
  }
}

const priceAdapterNames: ReadonlySet<ApiAdapterName> = new Set(['coinbase.ticker', 'coinbase.spot', 'kraken.ticker', 'binance.ticker', 'coingecko.simplePrice'])
const sportsAdapterNames: ReadonlySet<ApiAdapterName> = new Set(['espn.scoreboard'])

export const sourceSpecSchema = z
  .object({
    url: httpUrl,
    /** How the page is read: main text of an HTML page (default), CSS selectors, or a JSON path. */
    format: z.enum(['html', 'json']).default('html'),
    /** CSS selectors whose text is the evidence (html); overrides main-content extraction. */
    selectors: z.array(z.string().min(1).max(200)).max(16).optional(),
    /** Dot/bracket path into a JSON document, e.g. "data.price" or "quotes[0].close" (json): the fallback for providers no adapter knows. */
    jsonPath: z.string().min(1).max(200).optional(),
    /** A named reader for a known API shape (json); replaces jsonPath. */
    adapter: apiAdapterSchema.optional(),
    /** The unit of the value this source gives ("USD"); checked against the adapter's own unit. */
    unit: unitCode.optional(),
    /**
     * The number at jsonPath is an integer count of 10^-valueDecimals units (cents: 2). Omitted, the number is
     * read as the decimal it is. Adapters know their providers' decimals and take no such setting.
     */
    valueDecimals: z.number().int().min(0).max(36).optional(),
    /** Relative trust in this source when sources disagree, 1..100. */
    weight: z.number().int().min(1).max(100).default(10),
  })
  .strict()
  .superRefine(function checkSourceReader(source, ctx) {
    if (source.adapter !== undefined) {
      if (source.format !== 'json') ctx.addIssue({ code: 'custom', path: ['format'], message: 'an adapter reads a JSON API: format must be "json"' })
      if (source.jsonPath !== undefined) ctx.addIssue({ code: 'custom', path: ['jsonPath'], message: 'name an adapter or a jsonPath, not both' })
      if (source.valueDecimals !== undefined) ctx.addIssue({ code: 'custom', path: ['valueDecimals'], message: 'an adapter knows its decimals' })
      const own = adapterUnit(source.adapter)
      if (source.unit !== undefined && own !== undefined && source.unit.toUpperCase() !== own) {
        ctx.addIssue({ code: 'custom', path: ['unit'], message: `the adapter reads ${own}, not ${source.unit}` })
      }
    }
    if (source.valueDecimals !== undefined && source.format !== 'json') {
      ctx.addIssue({ code: 'custom', path: ['valueDecimals'], message: 'valueDecimals applies to a JSON value' })
    }
  })

/** The unit a source declares or its adapter implies, upper-cased; undefined when neither says. */
export function sourceUnit(source: Pick<SourceSpec, 'adapter' | 'unit'>): string | undefined {
  return source.unit?.toUpperCase() ?? (source.adapter ? adapterUnit(source.adapter) : undefined)
}

/** Every adapter a question's sources name must read what that question type needs. */
function checkAdapters(kind: 'price' | 'sports') {
  return function checkSourceAdapters(spec: { sources: readonly SourceSpec[] }, ctx: z.RefinementCtx): void {
    const allowed = kind === 'price' ? priceAdapterNames : sportsAdapterNames
    spec.sources.forEach((source, i) => {
      if (source.adapter !== undefined && !allowed.has(source.adapter.name)) {
        ctx.addIssue({ code: 'custom', path: ['sources', i, 'adapter', 'name'], message: `${source.adapter.name} does not read ${kind === 'price' ? 'a number' : 'a game'}` })
      }
    })
  }
}

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

/** A point in time: unix seconds, or an ISO 8601 date-time with its zone ("2025-03-10T00:00:00Z"); read as unix seconds. */
const timePoint = z.union([
  z.number().int().min(0).max(253_402_300_799),
  z
    .string()
    .max(40)
    .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/, 'expected unix seconds or an ISO 8601 date-time with a zone')
    .refine((s) => Number.isFinite(Date.parse(s)), 'not a date')
    .transform((s) => Math.floor(Date.parse(s) / 1000)),
])

/** A host name as URLs write it, lower case ("ledger.example", "news.example:8080" is not a host). */
const hostName = z.string().min(1).max(253).regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/, 'expected a lower-case host name')

/** Bounds of discovery every node keeps, whatever a spec asks for. */
export const discoveryLimits = {
  /** Articles fetched and judged per question: the hard cap a spec's maxArticles lives under. */
  maxArticles: 200,
  maxFeeds: 16,
  maxSitemaps: 8,
  maxCredibilityOverrides: 64,
  /** The widest time window: a year. */
  maxWindowSec: 366 * 24 * 3600,
} as const

/**
 * Where to look when a question names no (or not only) fixed pages: news feeds (RSS 2.0 or Atom), sitemaps, and
 * optionally the news sources each node's operator configured, with a time window. Every node reads the same
 * feeds and window from the spec; an operator's own sources are additions each node lists in its evidence
 * bundle. The node ranks the candidates for the question and reads at most `maxArticles` of them.
 */
export const discoverySpecSchema = z
  .object({
    feeds: z.array(httpUrl).max(discoveryLimits.maxFeeds).default([]),
    sitemaps: z.array(httpUrl).max(discoveryLimits.maxSitemaps).default([]),
    /** Also read the news sources the node's operator configured (node config `discovery.sources`). */
    useOperatorSources: z.boolean().default(false),
    /** Articles published in [from, to] (inclusive) count; the rest are left out before any is fetched. */
    window: z.object({ from: timePoint, to: timePoint }).strict(),
    /** Articles fetched and judged at most (a node may read fewer under its own budget). */
    maxArticles: z.number().int().min(1).max(discoveryLimits.maxArticles).default(50),
    /** Credibility 0..100 per source host, over the operator's table (0: read but never counted). */
    credibility: z
      .record(hostName, z.number().int().min(0).max(100))
      .refine((r) => Object.keys(r).length <= discoveryLimits.maxCredibilityOverrides, `at most ${discoveryLimits.maxCredibilityOverrides} hosts`)
      .optional(),
  })
  .strict()
  .superRefine(function checkDiscovery(d, ctx) {
    if (d.feeds.length === 0 && d.sitemaps.length === 0 && !d.useOperatorSources) {
      ctx.addIssue({ code: 'custom', path: ['feeds'], message: 'name feeds or sitemaps, or use the operator sources' })
    }
    if (d.window.to < d.window.from) ctx.addIssue({ code: 'custom', path: ['window', 'to'], message: 'the window ends before it starts' })
    else if (d.window.to - d.window.from > discoveryLimits.maxWindowSec) ctx.addIssue({ code: 'custom', path: ['window'], message: 'the window is longer than a year' })
  })

export type DiscoverySpec = z.infer<typeof discoverySpecSchema>

/** "Did X happen?" / "Which of these?": judged from text, from the pages named and/or the articles discovered. */
export const textQuestionSchema = z
  .object({
    ...base,
    type: z.literal('text'),
    sources: z.array(sourceSpecSchema).max(8),
    outcomes: z.array(z.string().min(1).max(100)).min(2).max(32),
    discover: discoverySpecSchema.optional(),
  })
  .strict()
  .superRefine(function checkTextSources(spec, ctx) {
    if (spec.sources.length === 0 && spec.discover === undefined) ctx.addIssue({ code: 'too_small', origin: 'array', minimum: 1, inclusive: true, path: ['sources'], message: 'name at least one source, or a discover block' })
  })

/** Sources that state a unit (or whose adapter implies one) agree with each other and with the spec's unit. */
function checkUnits(spec: { unit?: string | undefined; sources: readonly SourceSpec[] }, ctx: z.RefinementCtx): void {
  const units = spec.sources.map((s) => sourceUnit(s))
  const want = spec.unit?.toUpperCase() ?? units.find((u) => u !== undefined)
  units.forEach((u, i) => {
    if (u !== undefined && want !== undefined && u !== want) ctx.addIssue({ code: 'custom', path: ['sources', i, 'unit'], message: `this source gives ${u}, the spec compares ${want}` })
  })
}

/** A calendar date "YYYY-MM-DD" that exists. */
const calendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'expected YYYY-MM-DD', abort: true })
  .refine((s) => {
    const [y, m, d] = s.split('-').map(Number) as [number, number, number]
    const date = new Date(Date.UTC(y, m - 1, d))
    return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d
  }, 'not a calendar date')

/**
 * The winner of a game, read from a box score or scoreboard (or a scoreboard API). Outcomes are team names
 * (or "Draw"). The game is identified by its two teams (whole names or known aliases, never a part of a
 * name) and, when given, its date, its number on that date and its start time: a doubleheader (two games of
 * the same teams on one date) needs `gameNumber` or `startTime`, or nodes decline.
 */
export const sportsWinnerSchema = z
  .object({
    ...base,
    type: z.literal('sports.winner'),
    homeTeam: z.string().min(1).max(100),
    awayTeam: z.string().min(1).max(100),
    outcomes: z.array(z.string().min(1).max(100)).min(2).max(3),
    /** The game's date where it is played (the date its box score and the league schedule give). */
    gameDate: calendarDate.optional(),
    /** 1 for the first game of a doubleheader on `gameDate`, 2 for the second (3: a rare tripleheader). */
    gameNumber: z.number().int().min(1).max(3).optional(),
    /** Scheduled start, local time at the venue, 24-hour "HH:MM" (as box scores print it). */
    startTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (24-hour)').optional(),
  })
  .strict()
  .superRefine(checkAdapters('sports'))

/** A number (price, score) compared with a threshold: outcomes are ["YES", "NO"] for `value <op> threshold`. */
export const numericThresholdSchema = z
  .object({
    ...base,
    type: z.literal('numeric.threshold'),
    /** Decimal string in the page's units, e.g. "119.00". */
    threshold: z.string().regex(/^-?\d+(\.\d+)?$/),
    comparison: z.enum(['gt', 'gte', 'lt', 'lte']),
    outcomes: z.tuple([z.literal('YES'), z.literal('NO')]),
    /** The unit of `threshold` ("USD"); every source that states a unit (or whose adapter implies one) must match. */
    unit: unitCode.optional(),
  })
  .strict()
  .superRefine(checkAdapters('price'))
  .superRefine(checkUnits)

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
    /** The unit of the feed's value ("USD"); every source that states a unit (or whose adapter implies one) must match. */
    unit: unitCode.optional(),
    /** Basis points of change that trigger a new round (Chainlink's deviation threshold). */
    deviationBps: z.number().int().min(1).max(10_000),
    /** A new round at least this often even without deviation. */
    heartbeatSec: z.number().int().min(10).max(7 * 24 * 3600),
  })
  .strict()
  .superRefine(checkAdapters('price'))
  .superRefine(checkUnits)

export type FeedSpec = z.infer<typeof feedSpecSchema>
