/**
 * Fixture builders for the analysis tests: a wire story as outlets re-run it (new headline, a local
 * lead sentence, a few words changed, the outlet's own footer), and independent reports of the same event
 * written in other words.
 */

export const WIRE_STORY = [
  'The Meridian city council voted 7-2 on Tuesday night to approve a $48 million bond for the replacement of the Harlow Street bridge, ending more than two years of debate over the aging crossing.',
  'Engineers closed the 1958 bridge to trucks last spring after an inspection found corrosion in two of its steel girders, forcing freight traffic onto a detour that added twenty minutes to many delivery routes.',
  'Council member Rosa Delgado, who sponsored the measure, said the vote showed the city could still make hard decisions. "People have waited long enough for a bridge they can trust," she said after the meeting.',
  'The two members who voted against the bond argued that the city should first seek state matching funds, which could cover up to a third of the cost if the application is approved next year.',
  'Construction is expected to begin in the fall and to take about eighteen months, during which a temporary span will carry cars and pedestrians across the Harlow River.',
  'The bond will be repaid over twenty years from the city general fund. Officials estimated the cost to an average household at about $31 a year.',
].join(' ')

/** The wire story as outlet `k` runs it: its own headline and lead-in, a few words swapped, its footer. */
export function syndicatedCopy(story: string, k: number): string {
  const leads = ['(AP) —', 'MERIDIAN —', 'From the wire:', 'Local news —', 'Updated:']
  const swaps: [RegExp, string][] = [
    [/Tuesday night/, 'late Tuesday'],
    [/more than two years/, 'over two years'],
    [/about eighteen months/, 'roughly 18 months'],
    [/\$31 a year/, '$31 annually'],
  ]
  let text = story
  for (let i = 0; i < swaps.length; i++) if ((k + i) % 2 === 0) text = text.replace(swaps[i]![0], swaps[i]![1])
  const footer = k % 3 === 0 ? ' Subscribe to our newsletter for more local coverage.' : k % 3 === 1 ? ' Copyright The Associated Press. All rights reserved.' : ''
  return `${leads[k % leads.length]} ${text}${footer}`
}

/** Other reporters' accounts of the same vote: same facts and names, their own words. */
export const INDEPENDENT_REPORTS = [
  'After a long and sometimes heated session, Meridian approved funding for a new Harlow Street bridge. The council split 7-2 in favour of borrowing $48 million. Delgado, the sponsor, called the old span unsafe; critics wanted to wait for help from the state. Work should start this autumn.',
  'Meridian will replace the Harlow Street bridge. Councillors backed the $48 million bond by seven votes to two on Tuesday. The corroded 1958 crossing has been closed to heavy trucks since last year. Opponents said state money might have paid for part of the project.',
  'It took two years, but the Harlow Street bridge replacement is finally funded: the Meridian council passed the bond measure 7 to 2. Residents at the meeting applauded. A temporary crossing will be built while crews work on the new bridge, which city engineers say will take a year and a half.',
]

/** A report that contradicts the rest (the outlet says the measure failed). */
export const CONTRADICTING_REPORT =
  'The Meridian city council rejected the proposed $48 million bond for the Harlow Street bridge on Tuesday, voting it down after members said the city could not afford the debt. The aging bridge will stay closed to trucks while officials look for state funds.'
