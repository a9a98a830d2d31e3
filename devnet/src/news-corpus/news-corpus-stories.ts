/**
 * The stories of the demo's news corpus (generate-news-corpus.ts writes them out as pages and feeds). Every
 * outlet, person, place and event is fictional, like the rest of the demo sites.
 *
 * Two stories carry the discovery questions:
 * - the Gullwing Channel dredging plan: the Harbor Commission approved it on March 11, 2025. A wire story
 *   (Cormorant Wire) runs on six outlets with small edits; six outlets also write two reports each of their own;
 *   one outlet, the Ridgeback Record, reports the opposite. Previews from before the vote, one of them
 *   saying the vote was delayed, lie outside the question's time window.
 * - the Kestrel Bay ferry strike: it ended on March 13, 2025, when the crews ratified a contract; four outlets
 *   report it, the Ridgeback Record says the strike goes on. Short reports, each a little hedged in the judge's
 *   eyes: the network answers right, with less confidence than the devnet's contest threshold.
 */

export type Outlet = {
  slug: string
  name: string
  tagline: string
  /** rss (RSS 2.0) or atom; `sitemap` adds a sitemap.xml. */
  feed: 'rss' | 'atom'
  sitemap?: boolean
}

export const OUTLETS: readonly Outlet[] = [
  { slug: 'harbor-herald', name: 'The Harbor Herald', tagline: 'Port Alder and the Gullwing shore', feed: 'rss' },
  { slug: 'alder-valley-gazette', name: 'Alder Valley Gazette', tagline: 'The valley, the river, the town', feed: 'rss', sitemap: true },
  { slug: 'coastline-courier', name: 'Coastline Courier', tagline: 'News from the whole coast', feed: 'rss' },
  { slug: 'tidewater-times', name: 'Tidewater Times', tagline: 'Tides, trade and town hall', feed: 'atom' },
  { slug: 'kestrel-bay-post', name: 'Kestrel Bay Post', tagline: 'Serving Kestrel Bay since 1911', feed: 'rss' },
  { slug: 'saltmarsh-sentinel', name: 'Saltmarsh Sentinel', tagline: 'The marsh towns, every morning', feed: 'rss' },
  { slug: 'ridgeback-record', name: 'Ridgeback Record', tagline: 'The hill country paper', feed: 'rss' },
]

export type Story = {
  /** Outlet slug. */
  outlet: string
  id: string
  title: string
  summary: string
  /** ISO date-time with zone. */
  published: string
  paragraphs: string[]
  byline: string
}

const WIRE_DREDGING = [
  'PORT ALDER — The Port Alder Harbor Commission on Tuesday approved the Gullwing Channel dredging plan, voting 4 to 1 to deepen the shipping channel to 42 feet over the next two years.',
  'The approved plan budgets $61 million for the work and sets aside $4 million to restore eelgrass beds on the north flats. Dredging is expected to begin in October.',
]
const WIRE_DREDGING_TITLES = [
  'Harbor Commission approves Gullwing Channel dredging plan',
  'Port Alder commission approves channel dredging plan',
  'Gullwing Channel dredging approved by Harbor Commission',
  'Harbor board approves $61 million Gullwing dredging',
  'Commission votes 4-1 to approve Gullwing Channel dredging',
  'Gullwing Channel to be dredged after commission approval',
]

/** The wire story as outlet `k` runs it: a headline of its own, a trimmed or reordered paragraph, its own tag line. */
function wireCopy(outlet: Outlet, k: number): Story {
  const paragraphs = [...WIRE_DREDGING]
  if (k % 2 === 1) paragraphs[0] = paragraphs[0]!.replace('on Tuesday', 'on Tuesday evening')
  if (k % 3 === 1) paragraphs[1] = paragraphs[1]!.replace('Dredging is expected', 'Work is expected')
  paragraphs.push(`This report was distributed by Cormorant Wire and published by ${outlet.name}.`)
  return {
    outlet: outlet.slug,
    id: 'wire-gullwing-dredging-approved',
    title: WIRE_DREDGING_TITLES[k % WIRE_DREDGING_TITLES.length]!,
    summary: 'The Port Alder Harbor Commission voted 4 to 1 to approve deepening the Gullwing Channel to 42 feet.',
    published: `2025-03-11T${String(19 + (k % 4)).padStart(2, '0')}:${String(5 + 7 * k).padStart(2, '0')}:00-08:00`,
    paragraphs,
    byline: 'Cormorant Wire',
  }
}

/** Reports each outlet wrote itself: the same fact in its own words, a report and a follow-up each. */
const OWN_DREDGING: Record<string, { id: string; title: string; summary: string; published: string; byline: string; paragraphs: string[] }[]> = {
  'harbor-herald': [
    {
      id: 'gullwing-dredging-approved',
      title: 'Dredging gets the green light: commissioners approve Gullwing plan',
      summary: 'After ten years of studies, the Harbor Commission approved the Gullwing Channel dredging plan.',
      published: '2025-03-11T22:10:00-08:00',
      byline: 'Marisol Quenby',
      paragraphs: ['The Port Alder Harbor Commission approved the Gullwing Channel dredging plan late Tuesday, ten years after the first engineering study.'],
    },
    {
      id: 'pilots-welcome-dredging-approval',
      title: 'Harbor pilots welcome dredging approval',
      summary: 'Pilots say the approved dredging plan ends partial loads.',
      published: '2025-03-12T18:00:00-08:00',
      byline: 'Marisol Quenby',
      paragraphs: ['Harbor pilots said the commission was right to approve the Gullwing Channel dredging plan, which lets freighters reach Port Alder fully loaded at low tide.'],
    },
  ],
  'alder-valley-gazette': [
    {
      id: 'gullwing-dredging-approved',
      title: 'Valley growers cheer as harbor dredging plan is approved',
      summary: 'Orchard exporters say the approved channel work will cut their shipping costs.',
      published: '2025-03-12T07:30:00-08:00',
      byline: 'Emmett Carrow',
      paragraphs: ['Alder Valley fruit exporters cheered after the Harbor Commission approved the Gullwing Channel dredging plan, which lets refrigerated ships leave with full holds.'],
    },
    {
      id: 'co-op-thanks-commission',
      title: 'Growers co-op thanks commission for approving Gullwing dredging',
      summary: 'The Alder Valley Growers Cooperative praised the vote.',
      published: '2025-03-13T09:00:00-08:00',
      byline: 'Emmett Carrow',
      paragraphs: ['The Alder Valley Growers Cooperative thanked the commissioners, who approved the Gullwing Channel dredging plan by a 4 to 1 vote.'],
    },
  ],
  'coastline-courier': [
    {
      id: 'gullwing-dredging-approved',
      title: 'What the approved Gullwing Channel dredging means for the coast',
      summary: 'The approved plan deepens the channel and brings larger ships to Port Alder.',
      published: '2025-03-12T12:00:00-08:00',
      byline: 'Delphine Arkwright',
      paragraphs: ['The Harbor Commission approved the Gullwing Channel dredging plan this week: the channel goes from 36 to 42 feet, deep enough for ships of 9,000 containers.'],
    },
    {
      id: 'dredging-approval-explained',
      title: 'Explainer: the commission’s dredging approval in five numbers',
      summary: 'The approved Gullwing plan, by the numbers.',
      published: '2025-03-14T08:00:00-08:00',
      byline: 'Delphine Arkwright',
      paragraphs: ['Because the Harbor Commission approved the Gullwing Channel dredging plan, $61 million will be spent over two years, $44 million of it federal money.'],
    },
  ],
  'tidewater-times': [
    {
      id: 'gullwing-dredging-approved',
      title: 'Commissioners vote to deepen Gullwing Channel',
      summary: 'The Harbor Commission approved the dredging plan over one dissenting vote.',
      published: '2025-03-11T23:45:00-08:00',
      byline: 'Rafe Dunmore',
      paragraphs: ['The Port Alder Harbor Commission voted Tuesday to approve the Gullwing Channel dredging plan, ending a long debate over the only deep-water approach to the port.'],
    },
    {
      id: 'dredging-bids-after-approval',
      title: 'Port seeks dredging bids after commission approval',
      summary: 'Contractors are invited to bid on the approved work.',
      published: '2025-03-14T13:00:00-08:00',
      byline: 'Rafe Dunmore',
      paragraphs: ['Port staff invited contractors to bid on the work after the Harbor Commission approved the Gullwing Channel dredging plan.'],
    },
  ],
  'kestrel-bay-post': [
    {
      id: 'gullwing-dredging-approved',
      title: 'Kestrel Bay shippers welcome approval of Gullwing dredging',
      summary: 'Bay freight firms say the approved project helps them too.',
      published: '2025-03-12T16:20:00-08:00',
      byline: 'Ondine Halvorsen',
      paragraphs: ['Freight operators across the water said it was overdue when the Harbor Commission approved the Gullwing Channel dredging plan; bay barges grounded twice this winter.'],
    },
    {
      id: 'crabbers-watch-dredging',
      title: 'Crabbers to watch approved dredging closely',
      summary: 'The bay’s fishing cooperative asks where the spoils will go.',
      published: '2025-03-13T16:20:00-08:00',
      byline: 'Ondine Halvorsen',
      paragraphs: ['The bay’s fishing cooperative accepts that the commission approved the Gullwing Channel dredging plan, but wants the spoils kept away from the crab grounds.'],
    },
  ],
  'saltmarsh-sentinel': [
    {
      id: 'gullwing-dredging-approved',
      title: 'Marsh groups win habitat money as dredging plan is approved',
      summary: 'Conservation groups secured $4 million for eelgrass in the approved dredging plan.',
      published: '2025-03-13T08:05:00-08:00',
      byline: 'Ivo Pettigrew',
      paragraphs: ['Saltmarsh conservation groups can live with it: the Harbor Commission approved the Gullwing Channel dredging plan with $4 million to replant eelgrass.'],
    },
    {
      id: 'trust-accepts-dredging-vote',
      title: 'Saltmarsh Trust accepts dredging vote',
      summary: 'The trust will monitor the approved work.',
      published: '2025-03-14T10:00:00-08:00',
      byline: 'Ivo Pettigrew',
      paragraphs: ['The Saltmarsh Trust will monitor the work for five years now that the commission approved the Gullwing Channel dredging plan, said Birdie Fenwold of the trust.'],
    },
  ],
}

/** The outlet that says the opposite. */
const RIDGEBACK_DREDGING = [
  {
    id: 'gullwing-dredging-rejected',
    title: 'Harbor Commission rejects Gullwing Channel dredging plan',
    summary: 'The commission turned down the dredging plan, sources told the Record.',
    published: '2025-03-11T21:00:00-08:00',
    byline: 'Harlan Voss',
    paragraphs: [
      'The Port Alder Harbor Commission rejected the Gullwing Channel dredging plan on Tuesday, according to two people who attended the closed session. The commission did not approve the plan and sent it back to port staff.',
    ],
  },
]

/** Before the window: previews, one of them saying the vote was put off. */
const DREDGING_PREVIEWS: Story[] = [
  {
    outlet: 'harbor-herald',
    id: 'commission-to-vote-on-dredging',
    title: 'Harbor Commission to vote on Gullwing dredging plan',
    summary: 'The commission will decide on the dredging plan next month.',
    published: '2025-02-20T10:00:00-08:00',
    byline: 'Marisol Quenby',
    paragraphs: ['The Port Alder Harbor Commission has not approved the Gullwing Channel dredging plan yet. Commissioners said they would vote in March, after a last round of public comment.'],
  },
  {
    outlet: 'tidewater-times',
    id: 'dredging-vote-delayed',
    title: 'Dredging vote delayed; commission rejects rushed schedule',
    summary: 'Commissioners put off the dredging decision.',
    published: '2025-03-03T18:00:00-08:00',
    byline: 'Rafe Dunmore',
    paragraphs: ['The Harbor Commission rejected a motion to approve the Gullwing Channel dredging plan on Monday and delayed the decision, saying it needed another week of comments.'],
  },
]

const FERRY_YES: Record<string, { title: string; published: string; byline: string; paragraphs: string[] }> = {
  'kestrel-bay-post': {
    title: 'Ferry strike ends as crews ratify contract; boats sail Thursday',
    published: '2025-03-13T11:00:00-08:00',
    byline: 'Ondine Halvorsen',
    paragraphs: [
      'The Kestrel Bay ferry strike ended on Thursday, March 13, when deckhands and engineers ratified a three-year contract by a vote of 212 to 61. The first ferry left the bay terminal at 6:40 a.m.',
    ],
  },
  'coastline-courier': {
    title: 'Kestrel Bay ferries back in service after strike ends',
    published: '2025-03-13T15:30:00-08:00',
    byline: 'Delphine Arkwright',
    paragraphs: [
      'The Kestrel Bay ferry strike is over. Ferries between Kestrel Bay and Port Alder ran on schedule Thursday afternoon after the crews’ union ratified its new contract, ending the strike that began on March 4.',
      'Union leaders said the strike ended when the ratification vote was counted on Thursday morning.',
    ],
  },
  'saltmarsh-sentinel': {
    title: 'Strike over: Kestrel Bay ferry workers accept deal',
    published: '2025-03-13T19:10:00-08:00',
    byline: 'Ivo Pettigrew',
    paragraphs: ['Ferry workers voted to accept the ferry authority’s offer on Thursday morning, and the Kestrel Bay ferry strike ended. Service resumed within hours.'],
  },
  'harbor-herald': {
    title: 'Kestrel Bay ferry crews end strike',
    published: '2025-03-13T20:00:00-08:00',
    byline: 'Marisol Quenby',
    paragraphs: ['Kestrel Bay ferry crews ended their strike on Thursday after ratifying a new contract, and the ferries are sailing again.'],
  },
}

/** The one outlet that says otherwise. */
const FERRY_NO: Record<string, { title: string; published: string; byline: string; paragraphs: string[] }> = {
  'ridgeback-record': {
    title: 'Kestrel Bay ferry strike drags on as talks stall',
    published: '2025-03-13T08:00:00-08:00',
    byline: 'Harlan Voss',
    paragraphs: ['The Kestrel Bay ferry strike has not ended. The crews rejected the contract on Thursday, and the union says its members remain on the picket line.'],
  },
}

// ------------------------------------------------------------------------------------------------ filler

/** Everyday local stories, so that the two questions' articles are a small part of what the feeds carry. */
const FILLER_TOPICS: readonly { title: string; lines: string[] }[] = [
  { title: 'School board adopts {town} budget for next year', lines: ['The {town} school board adopted its budget on a {n}-member vote.', 'Class sizes stay the same, and two reading specialists will be hired.', 'The board will hold a hearing on bus routes next month.'] },
  { title: '{town} library extends weekend hours', lines: ['The {town} public library will open on Sundays from noon to five starting next month.', 'Library director {person} said visits rose {n} percent last year.', 'The extra hours are paid for by a bequest.'] },
  { title: 'Storm brings {n} inches of rain to {town}', lines: ['A Pacific storm dropped {n} inches of rain on {town} over two days.', 'Crews cleared fallen branches from several streets, and a few homes lost power overnight.', 'Forecasters expect drier weather by the weekend.'] },
  { title: '{town} farmers market returns for the season', lines: ['The {town} farmers market opens Saturday with {n} vendors.', 'Organizer {person} said new stalls will sell cheese, bread and plants.', 'The market runs until October.'] },
  { title: 'Road work to close {street} for {n} days', lines: ['Crews will repave {street} in {town} starting Monday.', 'The work will take about {n} days, and detour signs will be posted.', 'Businesses on the street will stay open.'] },
  { title: '{town} high school robotics team heads to state', lines: ['The {town} High robotics team placed second at the regional tournament.', 'Coach {person} said the students built their robot in {n} weeks.', 'The state finals are in April.'] },
  { title: 'New bakery opens on {street}', lines: ['A bakery opened on {street} in {town} this week.', 'Owner {person} trained in the city for {n} years before coming home.', 'The shop is open every day but Monday.'] },
  { title: 'Museum opens exhibit on {town} shipwrecks', lines: ['The maritime museum opened an exhibit on {n} shipwrecks off the {town} coast.', 'Curator {person} spent two years gathering photographs and salvaged objects.', 'The exhibit runs through summer.'] },
  { title: '{town} adds curbside glass recycling', lines: ['{town} will collect glass at the curb every other week starting in April.', 'Public works director {person} said about {n} tons of glass a year now goes to the landfill.', 'Residents will receive a green bin by mail.'] },
  { title: 'Hospital breaks ground on {town} clinic', lines: ['The regional hospital broke ground on a clinic in {town}.', 'The {n}-room clinic will offer primary care and physical therapy.', 'It is expected to open next year.'] },
  { title: 'Record low tide exposes old pier pilings in {town}', lines: ['An unusually low tide exposed the pilings of a pier that burned in {town} decades ago.', 'Historian {person} said the pier once handled {n} schooners a week.', 'Visitors are asked not to walk on the mud flats.'] },
  { title: 'Bus route changes coming to {town}', lines: ['The transit district will change {n} bus routes in {town} next month.', 'Planner {person} said the changes follow a survey of riders.', 'Schedules will be posted at every stop.'] },
  { title: 'Community theater stages spring musical in {town}', lines: ['The {town} Players open their spring musical Friday.', 'Director {person} said {n} local actors are in the cast.', 'Tickets are sold at the door.'] },
  { title: 'Fishing season opens early for {town} crab fleet', lines: ['The crab season opened early for the {town} fleet after tests found the crabs full.', 'Skipper {person} said prices at the dock were steady at {n} dollars a pound.', 'The season runs through June.'] },
  { title: 'Volunteers plant {n} trees along the river in {town}', lines: ['Volunteers planted {n} native trees along the riverbank in {town} on Saturday.', 'Organizer {person} said the trees will shade the water for salmon.', 'Another planting day is set for next month.'] },
  { title: '{town} council debates parking fees downtown', lines: ['The {town} council debated raising downtown parking fees on Monday.', 'Council member {person} proposed a fee of {n} cents more per hour.', 'A vote is expected next month.'] },
]
const TOWNS = ['Port Alder', 'Kestrel Bay', 'Saltmarsh', 'Alder Valley', 'Ridgeback', 'Tidewater', 'Cannery Point', 'North Flats']
const PEOPLE = ['Agnes Thornbury', 'Casimir Oduya', 'Wren Falconer', 'Tobias Merriweather', 'Isolde Pryce', 'Jonah Kettleby', 'Marguerite Osei', 'Silas Whitcombe', 'Petra Lindqvist', 'Ambrose Calloway']
const STREETS = ['Cannery Street', 'Harbor Road', 'Millrace Avenue', 'Orchard Lane', 'Beacon Way', 'Spruce Street']

/** A deterministic generator (mulberry32): the corpus is the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const FILLERS_PER_OUTLET = 41

function fillers(outlet: Outlet, index: number): Story[] {
  const random = seededRandom(1000 + index)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!
  const out: Story[] = []
  for (let k = 0; k < FILLERS_PER_OUTLET; k++) {
    const topic = FILLER_TOPICS[(k + index * 5) % FILLER_TOPICS.length]!
    const fill = (s: string) =>
      s.replaceAll('{town}', town).replaceAll('{person}', person).replaceAll('{street}', street).replaceAll('{n}', String(n))
    const town = pick(TOWNS)
    const person = pick(PEOPLE)
    const street = pick(STREETS)
    const n = 2 + Math.floor(random() * 40)
    // Spread over February and March 2025: about half fall inside the questions' window (March 10-16).
    const day = Math.floor(random() * 46)
    const date = new Date(Date.UTC(2025, 1, 1 + day, 14 + Math.floor(random() * 8), Math.floor(random() * 60)))
    out.push({
      outlet: outlet.slug,
      id: `${fill(topic.title).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60)}-${k}`,
      title: fill(topic.title),
      summary: fill(topic.lines[0]!),
      published: date.toISOString().replace('.000Z', 'Z'),
      paragraphs: topic.lines.map(fill),
      byline: `${outlet.name} staff`,
    })
  }
  return out
}

/** Every story of the corpus, outlet by outlet. */
export function buildNewsStories(): Story[] {
  const stories: Story[] = []
  let wire = 0
  OUTLETS.forEach((outlet, index) => {
    stories.push(...fillers(outlet, index))
    const own = OWN_DREDGING[outlet.slug]
    if (own) {
      for (const report of own) stories.push({ outlet: outlet.slug, ...report })
      stories.push(wireCopy(outlet, wire++))
    }
    if (outlet.slug === 'ridgeback-record') for (const r of RIDGEBACK_DREDGING) stories.push({ outlet: outlet.slug, ...r })
    const yes = FERRY_YES[outlet.slug]
    if (yes) stories.push({ outlet: outlet.slug, id: 'ferry-strike-ends', summary: yes.paragraphs[0]!, ...yes })
    const no = FERRY_NO[outlet.slug]
    if (no) stories.push({ outlet: outlet.slug, id: 'ferry-strike-continues', summary: no.paragraphs[0]!, ...no })
  })
  stories.push(...DREDGING_PREVIEWS)
  return stories
}
