/**
 * The demo's questions and its numeric feed, pointed at the demo sites (serve-demo-sites.ts) by their base URL.
 * Every question says which outcome an honest node should answer, so the demo can check the committed answer.
 *
 * The set covers each question type the node resolves:
 * - sports.winner from a box score and a scoreboard (two sources that must agree), and a football match that
 *   ended level, with "Draw" as a third outcome;
 * - a text yes/no question from a news article (and the site's front page);
 * - a text question with three outcomes (who won an election);
 * - numeric.threshold on the NWC quote, read from the quote page and the JSON endpoint;
 * and the NWC / USD feed that FeedAggregator (AggregatorV3Interface) serves.
 *
 * Every event is fictional and dated in March 2025, so all of them are over whenever the demo runs.
 *
 * No yes/no question here has NO for its answer: the node's text judge reads a plain denial ("The Ferry
 * Authority will not raise fares in 2025", on the news site) as support for "the Ferry Authority raised fares"
 * (P(YES) about 0.65 to 0.75 for every wording tried), so honest nodes would commit a wrong answer. The page
 * stays on the site; the question joins the set when the judge can read negation.
 */
import { feedSpecSchema, questionSpecSchema, type FeedSpec, type QuestionSpec, type QuestionSpecInput } from '@sibyl/protocol/question-spec'
import { demoPaths } from './serve-demo-sites.ts'

export type DemoQuestionKey = 'hockey-winner' | 'football-result' | 'bridge-approved' | 'mayor-election' | 'nwc-above-100'

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

/** 2025-03-09T06:00:00Z: after the hockey game (March 8, 7 p.m. Pacific). */
const HOCKEY_EVENT_TIME = 1_741_500_000
/** 2025-03-09T17:00:00Z: after the football match (March 9, 15:00 venue time). */
const FOOTBALL_EVENT_TIME = 1_741_539_600
/** 2025-03-12T06:00:00Z: the morning after election day. */
const ELECTION_EVENT_TIME = 1_741_759_200

function trimBase(baseUrl: string): string {
  const url = new URL(baseUrl)
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`expected an http(s) base URL, got ${baseUrl}`)
  return url.origin + url.pathname.replace(/\/+$/, '')
}

function question(key: DemoQuestionKey, title: string, input: QuestionSpecInput, expectedOutcomeIndex: number): DemoQuestion {
  const spec = questionSpecSchema.parse(input)
  if (!Number.isInteger(expectedOutcomeIndex) || expectedOutcomeIndex < 0 || expectedOutcomeIndex >= spec.outcomes.length) {
    throw new RangeError(`${key}: expected outcome ${expectedOutcomeIndex} is not one of ${spec.outcomes.length} outcomes`)
  }
  return { key, title, spec, specJson: JSON.stringify(input), outcomes: spec.outcomes, expectedOutcomeIndex }
}

/** The demo's questions, with their sources on the demo sites at `baseUrl` (e.g. DemoSites.url). */
export function buildDemoQuestions(baseUrl: string): DemoQuestion[] {
  const base = trimBase(baseUrl)
  const news = (path: string) => `${base}${demoPaths.news}${path}`
  const sports = (path: string) => `${base}${demoPaths.sports}${path}`
  return [
    question(
      'hockey-winner',
      'Sports: who won Ridgeback Miners at Port Alder Gulls?',
      {
        version: 1,
        type: 'sports.winner',
        question: 'Who won Ridgeback Miners at Port Alder Gulls on March 8, 2025?',
        sources: [{ url: sports('boxscores/202503080PAG.html'), weight: 10 }, { url: sports('scores/2025-03-08.html'), weight: 5 }],
        rules: 'The team with more goals at the end of the game, overtime and shootout included, as the final score on the box score shows.',
        eventTime: HOCKEY_EVENT_TIME,
        homeTeam: 'Port Alder Gulls',
        awayTeam: 'Ridgeback Miners',
        outcomes: ['Port Alder Gulls', 'Ridgeback Miners'],
      },
      0,
    ),
    question(
      'football-result',
      'Sports, three outcomes: Saltmarsh Rovers, Kestrel Bay FC or a draw?',
      {
        version: 1,
        type: 'sports.winner',
        question: 'Who won Kestrel Bay FC at Saltmarsh Rovers on March 9, 2025, or was it a draw?',
        sources: [{ url: sports('boxscores/202503090SRV.html') }],
        rules: 'The result after 90 minutes and stoppage time; a level score resolves to Draw.',
        eventTime: FOOTBALL_EVENT_TIME,
        homeTeam: 'Saltmarsh Rovers',
        awayTeam: 'Kestrel Bay FC',
        outcomes: ['Saltmarsh Rovers', 'Kestrel Bay FC', 'Draw'],
      },
      2,
    ),
    question(
      'bridge-approved',
      'News, yes/no: did the council approve the Millrace Bridge replacement?',
      {
        version: 1,
        type: 'text',
        question: 'Did the Port Alder City Council approve the Millrace Bridge replacement?',
        sources: [{ url: news('2025/03/council-approves-millrace-bridge.html') }, { url: news(''), weight: 5 }],
        rules: 'YES if the council voted to approve replacing the Millrace Bridge; NO if it rejected or postponed the replacement.',
        outcomes: ['YES', 'NO'],
      },
      0,
    ),
    question(
      'mayor-election',
      'News, three outcomes: who won the Port Alder mayoral election?',
      {
        version: 1,
        type: 'text',
        question: 'Who won the 2025 Port Alder mayoral election?',
        sources: [{ url: news('2025/03/castellanos-elected-mayor.html') }, { url: news(''), weight: 5 }],
        rules: 'The candidate the city clerk reports as receiving the most votes.',
        eventTime: ELECTION_EVENT_TIME,
        outcomes: ['Dana Whitfield', 'Marcus Oyelaran', 'Priya Castellanos'],
      },
      2,
    ),
    question(
      'nwc-above-100',
      'Price: is Northwind Copper (NWC) above 100.00 USD?',
      {
        version: 1,
        type: 'numeric.threshold',
        question: 'Is the Northwind Copper Co. (NWC) share price on the Harborside Exchange above 100.00 USD?',
        sources: [{ url: base + demoPaths.quotePage }, { url: base + demoPaths.quoteJson, format: 'json', jsonPath: 'price' }],
        rules: 'The last traded price in USD when the question is resolved.',
        threshold: '100.00',
        comparison: 'gt',
        outcomes: ['YES', 'NO'],
      },
      0,
    ),
  ]
}

export type BuildDemoFeedSpecOverrides = Partial<Pick<FeedSpec, 'deviationBps' | 'heartbeatSec'>>

/**
 * The NWC / USD feed: the JSON endpoint and the quote page (the node takes the median of the two), a new round
 * when the price moves by 0.5 % (or `deviationBps`), and at least every hour (or `heartbeatSec`). A node's
 * config lists feed spec files: write this object as JSON.
 */
export function buildDemoFeedSpec(baseUrl: string, overrides: BuildDemoFeedSpecOverrides = {}): FeedSpec {
  const base = trimBase(baseUrl)
  return feedSpecSchema.parse({
    version: 1,
    description: DEMO_FEED.description,
    decimals: DEMO_FEED.decimals,
    sources: [{ url: base + demoPaths.quoteJson, format: 'json', jsonPath: 'price' }, { url: base + demoPaths.quotePage }],
    deviationBps: overrides.deviationBps ?? 50,
    heartbeatSec: overrides.heartbeatSec ?? 3600,
  })
}
