/**
 * The games on a Sports Reference page (baseball-, basketball-, hockey-, pro-football-, sports-reference.com
 * and pages built like them), with what identifies each on its date:
 * - a box score: `.scorebox`, one block per team (name in `[itemprop=name]` or `strong a`, score in
 *   `.scores .score`); its date and game number from the page's own address (canonical link / og:url,
 *   e.g. `/boxes/NYA/NYA201806261.shtml`: June 26, 2018, game 1 of a doubleheader) or `.scorebox_meta`,
 *   its start time from `.scorebox_meta` ("Start Time: 7:05 p.m.");
 * - a scoreboard: `.game_summary table.teams`, one row per team (team link + score cell), a "Final" link
 *   to the box score whose address gives the date and game number; a date row in the table or the page's
 *   own date (title, canonical address) for games without one.
 * Comments are not parsed (those sites hide other days' games in HTML comments). The page is parsed by the
 * bounded parser; at most 500 games are read.
 */
import { isTag, type Element } from 'domhandler'
import type { ScoreboardGame, ScoreboardTeam } from '../sources/adapters/scoreboard-game.ts'
import { parseHtml } from '../sources/parse-html.ts'

export type ReadSportsReferenceGamesReturnType = {
  games: ScoreboardGame[]
  /** The date the whole page is about (a daily scoreboard), when it says. */
  pageDate: string | undefined
}

const maxGames = 500
const months = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']

export function readSportsReferenceGames(html: string): ReadSportsReferenceGamesReturnType {
  const { $ } = parseHtml(html)
  const clean = (s: string) => s.replace(/\s+/g, ' ').trim()
  const pageAddress = $('link[rel="canonical"]').attr('href') ?? $('meta[property="og:url"]').attr('content') ?? ''
  const pageId = readBoxScoreAddress(pageAddress)
  const pageDate = pageId?.date ?? readAddressDate(pageAddress) ?? readCalendarDate($('title').first().text()) ?? readCalendarDate($('.prevnext .current').first().text())
  const games: ScoreboardGame[] = []

  $('.scorebox').each((_, box) => {
    if (games.length >= maxGames) return
    const teams: ScoreboardTeam[] = []
    $(box)
      .children('div')
      .each((_, block) => {
        const scores = $(block).find('.scores .score')
        if (scores.length === 0) return
        const nameEl = $(block).find('[itemprop=name]').first()
        const name = clean((nameEl.length > 0 ? nameEl : $(block).find('strong a, strong').first()).text())
        if (name) teams.push({ name, aliases: [], score: parseScore(scores.first().text()) })
      })
    if (teams.length !== 2) return
    const meta = clean($(box).find('.scorebox_meta').first().text())
    const metaFirst = clean($(box).find('.scorebox_meta > div').first().text())
    // A box score is only published once the game is over; a present score there is final. The first
    // block is the visitors' (Sports Reference lists away, then home).
    games.push({
      teams: [teams[0]!, teams[1]!],
      homeIndex: 1,
      final: true,
      date: pageId?.date ?? readCalendarDate(metaFirst) ?? readCalendarDate(meta),
      gameNumber: pageId?.gameNumber,
      // Only a labelled start time: the time next to the date is not always the venue's.
      startTime: readClockTime(/start time\s*:?\s*(.{0,24})/i.exec(meta)?.[1] ?? ''),
      startsAt: undefined,
      layout: 'box score',
    })
  })

  $('.game_summary').each((_, summary) => {
    if (games.length >= maxGames) return
    // The teams table; other tables of a summary are line scores and leaders.
    const teamsTable = $(summary).find('table.teams').first()
    const table = teamsTable.length > 0 ? teamsTable : $(summary).find('table').first()
    const teams: ScoreboardTeam[] = []
    let final = false
    let rowDate: string | undefined
    table.find('tr').each((_, row) => {
      const cells = $(row).children('td')
      cells.each((_, cell) => {
        if (/^final\b/i.test(clean($(cell).text()))) final = true
      })
      if (cells.length < 2) {
        rowDate ??= readCalendarDate(clean($(row).text())) // a date row
        return
      }
      const link = cells.first().find('a[href*="/teams/"], a[href*="/schools/"]').first()
      const name = clean(link.length > 0 ? link.text() : cells.first().text())
      const scoreText = clean(cells.eq(1).text())
      // Teams without a page (small schools) have no link; their row still has a score cell.
      if (!name || (link.length === 0 && !/^\d*$/.test(scoreText))) return
      teams.push({ name, aliases: [], score: parseScore(scoreText) })
    })
    if (teams.length !== 2) return
    const boxLink = $(summary)
      .find('a[href]')
      .toArray()
      .map((a) => (isTag(a) ? readBoxScoreAddress((a as Element).attribs.href ?? '') : undefined))
      .find((id) => id !== undefined)
    // Sports Reference scoreboards list the visitors first.
    games.push({
      teams: [teams[0]!, teams[1]!],
      homeIndex: 1,
      final,
      date: boxLink?.date ?? rowDate ?? pageDate,
      gameNumber: boxLink?.gameNumber,
      startTime: undefined,
      startsAt: undefined,
      layout: 'scoreboard',
    })
  })
  return { games, pageDate }
}

function parseScore(text: string): number | undefined {
  const m = /^\s*(\d{1,4})\s*$/.exec(text.replace(/\u00a0/g, ' '))
  return m ? Number(m[1]) : undefined
}

/** "YYYY-MM-DD" if it is a calendar date. */
function isoDate(y: number, m: number, d: number): string | undefined {
  if (y < 1850 || y > 2200 || m < 1 || m > 12 || d < 1 || d > 31) return undefined
  const date = new Date(Date.UTC(y, m - 1, d))
  if (date.getUTCMonth() !== m - 1) return undefined
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`
}

/**
 * A box score's address: `/boxes/NYA/NYA201806261.shtml` (team, date, game number), `/boxscores/202003040VAN.html`
 * (date, game number, team), `/cbb/boxscores/2020-01-22-19-louisville.html` (date).
 */
export function readBoxScoreAddress(href: string): { date: string; gameNumber: number | undefined } | undefined {
  if (!/box(?:es|scores?)\//i.test(href)) return undefined
  const file = href.split(/[?#]/)[0]!.split('/').filter((s) => s !== '').pop() ?? ''
  const college = /^(\d{4})-(\d{2})-(\d{2})-/.exec(file)
  if (college) {
    const date = isoDate(Number(college[1]), Number(college[2]), Number(college[3]))
    return date ? { date, gameNumber: undefined } : undefined
  }
  const pro = /^(?:[A-Z]{3})?(\d{4})(\d{2})(\d{2})(\d)(?:[A-Za-z]{2,4})?\.s?html?$/.exec(file)
  if (!pro) return undefined
  const date = isoDate(Number(pro[1]), Number(pro[2]), Number(pro[3]))
  return date ? { date, gameNumber: Number(pro[4]) } : undefined
}

/** A daily scoreboard's address: `/boxscores/2020/3/4/` or `?month=3&day=4&year=2020`. */
function readAddressDate(href: string): string | undefined {
  const path = /\/boxscores\/(\d{4})\/(\d{1,2})\/(\d{1,2})\/?(?:[?#]|$)/.exec(href)
  if (path) return isoDate(Number(path[1]), Number(path[2]), Number(path[3]))
  const q = /[?&]month=(\d{1,2})&day=(\d{1,2})&year=(\d{4})/.exec(href)
  return q ? isoDate(Number(q[3]), Number(q[1]), Number(q[2])) : undefined
}

/** "March 4, 2020", "Wed, Mar 4, 2020", "4 March 2020", "2020-03-04" -> "2020-03-04". */
export function readCalendarDate(text: string): string | undefined {
  const t = text.slice(0, 400)
  const iso = /\b(\d{4})-(\d{2})-(\d{2})\b/.exec(t)
  if (iso) return isoDate(Number(iso[1]), Number(iso[2]), Number(iso[3]))
  const monthFirst = /\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b/i.exec(t)
  if (monthFirst) return isoDate(Number(monthFirst[3]), months.indexOf(monthFirst[1]!.toLowerCase()) + 1, Number(monthFirst[2]))
  const dayFirst = /\b(\d{1,2})\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+(\d{4})\b/i.exec(t)
  if (dayFirst) return isoDate(Number(dayFirst[3]), months.indexOf(dayFirst[2]!.toLowerCase()) + 1, Number(dayFirst[1]))
  return undefined
}

/** "7:05 p.m.", "10:30 PM", "19:05" -> "HH:MM" (24-hour). */
export function readClockTime(text: string): string | undefined {
  const m = /\b(\d{1,2}):(\d{2})\s*([ap])?\.?\s*m?\.?/i.exec(text)
  if (!m) return undefined
  let h = Number(m[1])
  const min = Number(m[2])
  if (h > 23 || min > 59) return undefined
  const half = m[3]?.toLowerCase()
  if (half === 'p' && h < 12) h += 12
  if (half === 'a' && h === 12) h = 0
  return `${String(h).padStart(2, '0')}:${String(min).padStart(2, '0')}`
}
