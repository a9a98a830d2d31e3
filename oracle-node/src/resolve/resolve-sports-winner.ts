/**
 * The winner of one game between `homeTeam` and `awayTeam`, from a box-score or scoreboard page (Sports
 * Reference, read-sports-reference-games.ts) or from games a structured source already read (ESPN's
 * scoreboard API, sources/adapters/).
 *
 * Which game: a team is matched by its whole name or a known alias (team-aliases.ts), never by a part of
 * a name — "Michigan" is not "Michigan State". Then, when the question gives them, the game's date, its
 * number on that date (a doubleheader's game 1 or 2) and its local start time; a game the source dates,
 * numbers or times otherwise is not the game asked about. Games that remain and disagree on the result
 * (a doubleheader the question does not tell apart) are not guessed between: the answer is unresolvable,
 * with the field the question lacks. A game not on the page is declined, always (too early before the
 * event time). Sides are matched by name, not by the source's home/away order.
 */
import type { ResolutionAnswer } from '@sibyl/protocol/answers'
import type { ScoreboardGame, ScoreboardTeam } from '../sources/adapters/scoreboard-game.ts'
import { readSportsReferenceGames } from './read-sports-reference-games.ts'
import { sameTeam } from './team-aliases.ts'

export type ResolveSportsWinnerParameters = {
  /** A box-score or scoreboard page; or `games`, read by a structured source. */
  html?: string
  games?: readonly ScoreboardGame[]
  homeTeam: string
  awayTeam: string
  /** Team names (or "Draw" / "Tie"), as in the question spec. */
  outcomes: readonly string[]
  /** Unix seconds now and, when known, when the game was due: a missing game before then is "too early". */
  nowSec: number
  eventTimeSec?: number | undefined
  /** "YYYY-MM-DD", the game's date where it is played. */
  gameDate?: string | undefined
  /** 1 / 2 for a doubleheader's games. */
  gameNumber?: number | undefined
  /** "HH:MM" local start time. */
  startTime?: string | undefined
}

export type GameScore = { homeTeam: string; awayTeam: string; homeScore: number; awayScore: number; final: boolean }

export type ResolveSportsWinnerReturnType = {
  answer: ResolutionAnswer
  /** Set when the game was found with a final score. */
  game: GameScore | undefined
  winner: 'home' | 'away' | 'draw' | undefined
  reason: string
}

type Match = { game: ScoreboardGame; home: ScoreboardTeam; away: ScoreboardTeam }

/** Reads the source and answers with the winner's outcome index, or why it cannot. */
export function resolveSportsWinner(parameters: ResolveSportsWinnerParameters): ResolveSportsWinnerReturnType {
  const { homeTeam, awayTeam, outcomes, nowSec, eventTimeSec, gameDate, gameNumber, startTime } = parameters
  const games = parameters.games ?? (parameters.html !== undefined ? readSportsReferenceGames(parameters.html).games : [])
  const decline = (reason: string, answer: ResolutionAnswer = { kind: 'unresolvable' }): ResolveSportsWinnerReturnType => ({ answer, game: undefined, winner: undefined, reason })
  const early = eventTimeSec !== undefined && nowSec < eventTimeSec
  const pair = `${awayTeam} at ${homeTeam}`

  // 1. The two teams, by whole name or alias; both must be on the same game.
  let matches: Match[] = []
  for (const game of games) {
    const [a, b] = game.teams
    const aHome = isTeam(homeTeam, a) && !isTeam(awayTeam, a)
    const bAway = isTeam(awayTeam, b) && !isTeam(homeTeam, b)
    const aAway = isTeam(awayTeam, a) && !isTeam(homeTeam, a)
    const bHome = isTeam(homeTeam, b) && !isTeam(awayTeam, b)
    if (aHome && bAway) matches.push({ game, home: a, away: b })
    else if (aAway && bHome) matches.push({ game, home: b, away: a })
  }
  // A box score and the scoreboard on the same page list one game twice.
  matches = matches.filter((m, i) => matches.findIndex((o) => sameGame(o, m)) === i)
  if (matches.length === 0) {
    return decline(`no game between ${homeTeam} and ${awayTeam} on the page (${games.length} games read)${early ? ' before the event time' : ''}`, early ? { kind: 'tooEarly' } : { kind: 'unresolvable' })
  }

  // 2. The date, the game number, the start time — each only when the question gives it.
  const notes: string[] = []
  if (gameDate !== undefined) {
    const onDate = matches.filter((m) => m.game.date === gameDate)
    const undated = matches.filter((m) => m.game.date === undefined)
    if (onDate.length > 0) matches = onDate
    else if (undated.length === matches.length) notes.push('the page does not date the game')
    else {
      const dates = [...new Set(matches.map((m) => m.game.date).filter((d) => d !== undefined))].join(', ')
      return decline(`no game between ${homeTeam} and ${awayTeam} on ${gameDate} on the page (it has ${dates})${early ? ' before the event time' : ''}`, early ? { kind: 'tooEarly' } : { kind: 'unresolvable' })
    }
  }
  if (gameNumber !== undefined) {
    const numbered = numberGames(matches)
    const same = numbered.filter((n) => n.number === gameNumber)
    if (same.length > 0) matches = same.map((n) => n.match)
    else if (matches.length === 1 && numbered[0]!.number === undefined && gameNumber === 1) notes.push('the page does not number the game')
    else if (numbered.every((n) => n.number === undefined)) return decline(`${matches.length} game(s) of ${pair} and the page does not say which is game ${gameNumber}`)
    else return decline(`no game ${gameNumber} of ${pair} on the page (it has game ${numbered.map((n) => n.number ?? '?').join(', ')})`)
  }
  if (startTime !== undefined) {
    const timed = matches.filter((m) => m.game.startTime === startTime)
    if (timed.length > 0) matches = timed
    else if (matches.every((m) => m.game.startTime === undefined)) {
      if (matches.length === 1) notes.push('the page does not give the start time')
    } else return decline(`no game of ${pair} starting at ${startTime} on the page (it has ${matches.map((m) => m.game.startTime ?? '?').join(', ')})`)
  }

  const finals = matches.filter((m) => m.game.final && m.home.score !== undefined && m.away.score !== undefined)
  if (finals.length === 0) return decline(`the game between ${homeTeam} and ${awayTeam} has no final score yet`, { kind: 'tooEarly' })
  // Games that remain and differ (a doubleheader the question does not tell apart): not guessed between.
  const results = new Set(finals.map((m) => `${m.home.score}-${m.away.score}`))
  if (results.size > 1) {
    const lacks = gameNumber === undefined && startTime === undefined ? '; the question must give gameNumber or startTime' : gameDate === undefined ? '; the question must give gameDate' : ''
    return decline(`${finals.length} games of ${pair}${gameDate ? ` on ${gameDate}` : ''} with different results (${[...results].join(', ')})${lacks}`)
  }
  const { home, away, game: found } = finals[0]!
  const game: GameScore = { homeTeam: home.name, awayTeam: away.name, homeScore: home.score!, awayScore: away.score!, final: true }
  const detail = [found.layout, found.date, found.gameNumber ? `game ${found.gameNumber}` : undefined, ...notes].filter((x) => x !== undefined).join(', ')
  const score = `${game.homeTeam} ${game.homeScore}, ${game.awayTeam} ${game.awayScore} (${detail})`
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

function isTeam(asked: string, team: ScoreboardTeam): boolean {
  return sameTeam(asked, team.name) || team.aliases.some((a) => sameTeam(asked, a))
}

function sameGame(a: Match, b: Match): boolean {
  return (
    a.home.name === b.home.name &&
    a.away.name === b.away.name &&
    a.home.score === b.home.score &&
    a.away.score === b.away.score &&
    (a.game.date === undefined || b.game.date === undefined || a.game.date === b.game.date) &&
    (a.game.gameNumber === undefined || b.game.gameNumber === undefined || a.game.gameNumber === b.game.gameNumber)
  )
}

/**
 * The number of each game on its date: as the source numbers it (0 is a single game: game 1), else by start
 * instant among the pair's games of that date when the source gives instants for all of them.
 */
function numberGames(matches: readonly Match[]): { match: Match; number: number | undefined }[] {
  const timed = matches.every((m) => m.game.startsAt !== undefined && !Number.isNaN(Date.parse(m.game.startsAt)))
  const order = timed ? [...matches].sort((a, b) => Date.parse(a.game.startsAt!) - Date.parse(b.game.startsAt!)) : []
  return matches.map((m) => {
    if (m.game.gameNumber !== undefined) return { match: m, number: m.game.gameNumber === 0 ? 1 : m.game.gameNumber }
    if (timed) return { match: m, number: matches.length === 1 ? 1 : order.indexOf(m) + 1 }
    return { match: m, number: undefined }
  })
}

function findOutcome(outcomes: readonly string[], winner: string, loser: string): number | undefined {
  const exact = outcomes.findIndex((o) => o.trim().toLowerCase() === winner.trim().toLowerCase())
  if (exact >= 0) return exact
  const candidates = outcomes.flatMap((o, i) => (sameTeam(o, winner) && !sameTeam(o, loser) ? [i] : []))
  return candidates.length === 1 ? candidates[0] : undefined
}
