/**
 * The winner of a game between `homeTeam` and `awayTeam`, read from a box-score or scoreboard page.
 *
 * Layouts read (the Sports Reference family: baseball-, basketball-, hockey-, pro-football-,
 * sports-reference.com, and pages built like them):
 * - a box score: `.scorebox` with one block per team (name in `[itemprop=name]` or `strong a`, score in
 *   `.scores .score`);
 * - a scoreboard: `.game_summary table.teams`, one row per team (team link + score cell), a "Final" link.
 * Comments are not parsed (those sites hide other days' games in HTML comments).
 *
 * Which team is which is decided by name, not by row order: names match when equal after normalisation, or
 * when every word of one is a word of the other ("Canucks" vs "Vancouver Canucks"). Expected failures are
 * values: a draw without a "Draw" outcome, a game not on the page, or a game without a final score.
 */
import { load, type CheerioAPI } from 'cheerio'
import type { ResolutionAnswer } from '@sibyl/protocol/answers'

export type ResolveSportsWinnerParameters = {
  html: string
  homeTeam: string
  awayTeam: string
  /** Team names (or "Draw" / "Tie"), as in the question spec. */
  outcomes: readonly string[]
  /** Unix seconds now and, when known, when the game was due: a missing game before then is "too early". */
  nowSec: number
  eventTimeSec?: number
}

export type GameScore = { homeTeam: string; awayTeam: string; homeScore: number; awayScore: number; final: boolean }

export type ResolveSportsWinnerReturnType = {
  answer: ResolutionAnswer
  /** Set when the game was found with a final score. */
  game: GameScore | undefined
  winner: 'home' | 'away' | 'draw' | undefined
  reason: string
}

type TeamLine = { name: string; score: number | undefined }
type FoundGame = { teams: [TeamLine, TeamLine]; final: boolean; layout: 'box score' | 'scoreboard' }

/** Reads the page and answers with the winner's outcome index, or why it cannot. */
export function resolveSportsWinner(parameters: ResolveSportsWinnerParameters): ResolveSportsWinnerReturnType {
  const { html, homeTeam, awayTeam, outcomes, nowSec, eventTimeSec } = parameters
  const $ = load(html)
  const games = [...readBoxScores($), ...readScoreboard($)]
  const matches: { game: FoundGame; home: TeamLine; away: TeamLine }[] = []
  for (const game of games) {
    const [a, b] = game.teams
    if (teamNamesMatch(a.name, homeTeam) && teamNamesMatch(b.name, awayTeam) && !teamNamesMatch(a.name, awayTeam)) {
      matches.push({ game, home: a, away: b })
    } else if (teamNamesMatch(a.name, awayTeam) && teamNamesMatch(b.name, homeTeam) && !teamNamesMatch(b.name, awayTeam)) {
      matches.push({ game, home: b, away: a })
    }
  }

  const early = eventTimeSec !== undefined && nowSec < eventTimeSec
  if (matches.length === 0) {
    return {
      answer: early ? { kind: 'tooEarly' } : { kind: 'unresolvable' },
      game: undefined,
      winner: undefined,
      reason: `no game between ${homeTeam} and ${awayTeam} on the page (${games.length} games read)${early ? ' before the event time' : ''}`,
    }
  }
  const finals = matches.filter((m) => m.game.final && m.home.score !== undefined && m.away.score !== undefined)
  if (finals.length === 0) {
    return {
      answer: { kind: 'tooEarly' },
      game: undefined,
      winner: undefined,
      reason: `the game between ${homeTeam} and ${awayTeam} has no final score yet`,
    }
  }
  // A box score and a scoreboard of one page describe one game; several different results mean a
  // double-header (or a confused page) that a single question cannot be resolved from.
  const results = new Set(finals.map((m) => `${m.home.score}-${m.away.score}`))
  if (results.size > 1) {
    return {
      answer: { kind: 'unresolvable' },
      game: undefined,
      winner: undefined,
      reason: `${finals.length} games between ${homeTeam} and ${awayTeam} with different results (${[...results].join(', ')})`,
    }
  }
  const { home, away, game: found } = finals[0]!
  const game: GameScore = { homeTeam: home.name, awayTeam: away.name, homeScore: home.score!, awayScore: away.score!, final: true }
  const score = `${game.homeTeam} ${game.homeScore}, ${game.awayTeam} ${game.awayScore} (${found.layout})`
  if (game.homeScore === game.awayScore) {
    const drawIndex = outcomes.findIndex((o) => /^(draw|tie|tied)$/i.test(o.trim()))
    return drawIndex >= 0
      ? { answer: { kind: 'outcome', index: drawIndex }, game, winner: 'draw', reason: `draw: ${score}` }
      : { answer: { kind: 'unresolvable' }, game, winner: 'draw', reason: `draw and no "Draw" outcome: ${score}` }
  }
  const winner = game.homeScore > game.awayScore ? 'home' : 'away'
  const winnerSpecName = winner === 'home' ? homeTeam : awayTeam
  const loserSpecName = winner === 'home' ? awayTeam : homeTeam
  const index = findOutcome(outcomes, winnerSpecName, loserSpecName)
  if (index === undefined) {
    return { answer: { kind: 'unresolvable' }, game, winner, reason: `${winnerSpecName} won but no outcome names them: ${score}` }
  }
  return { answer: { kind: 'outcome', index }, game, winner, reason: `${winnerSpecName} won: ${score}` }
}

function readBoxScores($: CheerioAPI): FoundGame[] {
  const games: FoundGame[] = []
  $('.scorebox').each((_, box) => {
    const teams: TeamLine[] = []
    $(box)
      .children('div')
      .each((_, block) => {
        const scores = $(block).find('.scores .score')
        if (scores.length === 0) return
        const nameEl = $(block).find('[itemprop=name]').first()
        const name = cleanText((nameEl.length > 0 ? nameEl : $(block).find('strong a, strong').first()).text())
        if (name) teams.push({ name, score: parseScore(scores.first().text()) })
      })
    // A box score is only published once the game is over; a present score there is final.
    if (teams.length === 2) games.push({ teams: [teams[0]!, teams[1]!], final: true, layout: 'box score' })
  })
  return games
}

function readScoreboard($: CheerioAPI): FoundGame[] {
  const games: FoundGame[] = []
  $('.game_summary').each((_, summary) => {
    // The teams table; other tables of a summary are line scores and leaders.
    const teamsTable = $(summary).find('table.teams').first()
    const table = teamsTable.length > 0 ? teamsTable : $(summary).find('table').first()
    const teams: TeamLine[] = []
    let final = false
    table.find('tr').each((_, row) => {
      const cells = $(row).children('td')
      cells.each((_, cell) => {
        if (/^final\b/i.test(cleanText($(cell).text()))) final = true
      })
      if (cells.length < 2) return // a date row
      const link = cells.first().find('a[href*="/teams/"], a[href*="/schools/"]').first()
      const name = cleanText(link.length > 0 ? link.text() : cells.first().text())
      const scoreText = cleanText(cells.eq(1).text())
      // Teams without a page (small schools) have no link; their row still has a score cell.
      if (!name || (link.length === 0 && !/^\d*$/.test(scoreText))) return
      teams.push({ name, score: parseScore(scoreText) })
    })
    if (teams.length === 2) games.push({ teams: [teams[0]!, teams[1]!], final, layout: 'scoreboard' })
  })
  return games
}

function sameGame(a: FoundGame, b: FoundGame): boolean {
  return a.teams.every((t, i) => t.name === b.teams[i]!.name && t.score === b.teams[i]!.score)
}

function findOutcome(outcomes: readonly string[], winner: string, loser: string): number | undefined {
  const exact = outcomes.findIndex((o) => normalize(o) === normalize(winner))
  if (exact >= 0) return exact
  const candidates = outcomes.flatMap((o, i) => (teamNamesMatch(o, winner) && !teamNamesMatch(o, loser) ? [i] : []))
  return candidates.length === 1 ? candidates[0] : undefined
}

function parseScore(text: string): number | undefined {
  const m = /^\s*(\d{1,4})\s*$/.exec(text.replace(/\u00a0/g, ' '))
  return m ? Number(m[1]) : undefined
}

function cleanText(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}

/** Lower case, accents and punctuation removed, a leading poll rank "(5)" dropped. */
function normalize(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/^\s*\(\d+\)\s*/, '')
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
}

/** Equal after normalisation, or all words of the shorter are words of the longer. */
export function teamNamesMatch(a: string, b: string): boolean {
  const na = normalize(a)
  const nb = normalize(b)
  if (!na || !nb) return false
  if (na === nb) return true
  const wa = na.split(' ')
  const wb = nb.split(' ')
  const [short, long] = wa.length <= wb.length ? [wa, wb] : [wb, wa]
  return short.every((w) => long.includes(w))
}
