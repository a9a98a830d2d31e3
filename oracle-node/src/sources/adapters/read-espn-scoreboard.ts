/**
 * ESPN's scoreboard feed, `GET https://site.api.espn.com/apis/site/v2/sports/<sport>/<league>/scoreboard
 * ?dates=YYYYMMDD`: `{ leagues, season, day: { date }, events: [ { id, date, name, shortName, competitions: [ {
 * date, competitors: [ { homeAway, winner, score, team: { location, name, abbreviation, displayName,
 * shortDisplayName } } ], status: { type: { state, completed, description } }, notes: [ { headline } ] } ] } ] }`.
 *
 * Each event becomes a ScoreboardGame: the teams by display name with their other names as aliases, home
 * by `homeAway`, final when `status.type.completed`, the date of the scoreboard's `day` (ESPN dates its
 * scoreboard by the league's day; the event's own `date` is an instant in UTC, kept as `startsAt` to order
 * a doubleheader's games), the game number when a note says "Game 2". Scores may be strings or
 * `{ value, displayValue }`. Bounded: at most 1 000 events, competitors past the first four ignored.
 */
import type { ScoreboardGame, ScoreboardTeam } from './scoreboard-game.ts'
import { objectAt, own } from './api-value.ts'

export type ReadEspnScoreboardReturnType = { ok: true; games: ScoreboardGame[] } | { ok: false; reason: 'shape'; message: string }

const maxEvents = 1000

export function readEspnScoreboard(document: unknown): ReadEspnScoreboardReturnType {
  const doc = objectAt(document)
  const events = own(doc, 'events')
  if (!doc || !Array.isArray(events)) return { ok: false, reason: 'shape', message: 'expected { events: [...] }' }
  const dayDate = stringAt(own(objectAt(own(doc, 'day')), 'date'))
  const day = dayDate && /^\d{4}-\d{2}-\d{2}$/.test(dayDate) ? dayDate : undefined
  const games: ScoreboardGame[] = []
  for (const event of events.slice(0, maxEvents)) {
    const e = objectAt(event)
    const competitions = own(e, 'competitions')
    const competition = objectAt(Array.isArray(competitions) ? competitions[0] : undefined)
    const competitors = own(competition, 'competitors')
    if (!competition || !Array.isArray(competitors)) continue
    const sides = competitors.slice(0, 4).map(objectAt).filter((c): c is Record<string, unknown> => c !== undefined)
    if (sides.length !== 2) continue
    const teams = sides.map(readTeam)
    if (teams.some((t) => t === undefined)) continue
    const homeAt = sides.findIndex((c) => own(c, 'homeAway') === 'home')
    const status = objectAt(own(objectAt(own(competition, 'status') ?? own(e, 'status')), 'type'))
    const notes = own(competition, 'notes')
    const note = Array.isArray(notes) ? notes.slice(0, 8).map((n) => stringAt(own(objectAt(n), 'headline')) ?? '').join(' ') : ''
    const number = /\bgame\s+([1-3])\b/i.exec(note)
    const startsAt = stringAt(own(competition, 'date')) ?? stringAt(own(e, 'date'))
    games.push({
      teams: [teams[0]!, teams[1]!],
      homeIndex: homeAt === 0 || homeAt === 1 ? homeAt : undefined,
      final: own(status, 'completed') === true,
      date: day,
      gameNumber: number ? Number(number[1]) : undefined,
      startTime: undefined,
      startsAt,
      layout: 'espn scoreboard',
    })
  }
  return { ok: true, games }
}

function readTeam(competitor: Record<string, unknown>): ScoreboardTeam | undefined {
  const team = objectAt(own(competitor, 'team'))
  const displayName = stringAt(own(team, 'displayName'))
  const location = stringAt(own(team, 'location'))
  const nickname = stringAt(own(team, 'name'))
  const name = displayName ?? (location && nickname ? `${location} ${nickname}` : (location ?? nickname))
  if (!name) return undefined
  const aliases = [location && nickname ? `${location} ${nickname}` : undefined, location, nickname, stringAt(own(team, 'shortDisplayName')), stringAt(own(team, 'abbreviation'))]
    .filter((a): a is string => a !== undefined && a !== name)
  return { name, aliases: [...new Set(aliases)], score: readScore(own(competitor, 'score')) }
}

function readScore(value: unknown): number | undefined {
  const v = objectAt(value) ? (own(objectAt(value), 'value') ?? own(objectAt(value), 'displayValue')) : value
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d{1,4}(\.0+)?\s*$/.test(v) ? Number(v) : undefined
  return n !== undefined && Number.isInteger(n) && n >= 0 && n < 10_000 ? n : undefined
}

function stringAt(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, 100) : undefined
}
