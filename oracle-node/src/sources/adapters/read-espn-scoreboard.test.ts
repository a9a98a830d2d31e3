import test from 'ava'
import { readFileSync } from 'node:fs'
import { resolveSportsWinner } from '../../resolve/resolve-sports-winner.ts'
import { readEspnScoreboard } from './read-espn-scoreboard.ts'

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'))
const gamesOf = (name: string) => {
  const read = readEspnScoreboard(fixture(name))
  if (!read.ok) throw new Error(read.message)
  return read.games
}
const ask = (name: string, homeTeam: string, awayTeam: string, extra: Record<string, unknown> = {}) =>
  resolveSportsWinner({ games: gamesOf(name), homeTeam, awayTeam, outcomes: [homeTeam, awayTeam], nowSec: 2e9, ...extra })

test('ESPN scoreboard: teams with their other names, home side, final status, the scoreboard day', (t) => {
  const games = gamesOf('espn-scoreboard-nfl.json')
  t.is(games.length, 2)
  t.like(games[0], { homeIndex: 0, final: true, date: '2024-01-15', startsAt: '2024-01-15T18:00Z' })
  t.deepEqual(games[0]!.teams[0], { name: 'Buffalo Bills', aliases: ['Buffalo', 'Bills', 'BUF'], score: 31 })
  t.like(ask('espn-scoreboard-nfl.json', 'Buffalo Bills', 'Pittsburgh Steelers', { gameDate: '2024-01-15' }), { answer: { kind: 'outcome', index: 0 }, game: { homeScore: 31, awayScore: 17 } })
  t.like(ask('espn-scoreboard-nfl.json', 'Bills', 'PIT'), { answer: { kind: 'outcome', index: 0 } })
  // Not final yet: too early. Another date: not this scoreboard's game.
  t.like(ask('espn-scoreboard-nfl.json', 'Tampa Bay Buccaneers', 'Philadelphia Eagles'), { answer: { kind: 'tooEarly' } })
  t.like(ask('espn-scoreboard-nfl.json', 'Buffalo Bills', 'Pittsburgh Steelers', { gameDate: '2024-01-14' }), { answer: { kind: 'unresolvable' } })
  // A pairing of teams that played that day, but not each other.
  t.like(ask('espn-scoreboard-nfl.json', 'Buffalo Bills', 'Philadelphia Eagles'), { answer: { kind: 'unresolvable' } })
})

test('ESPN doubleheader: numbered by start instant; without a number or time, abstain', (t) => {
  t.like(ask('espn-scoreboard-mlb-doubleheader.json', 'New York Yankees', 'Boston Red Sox'), { answer: { kind: 'unresolvable' } })
  t.like(ask('espn-scoreboard-mlb-doubleheader.json', 'New York Yankees', 'Boston Red Sox', { gameNumber: 1 }), { answer: { kind: 'outcome', index: 0 }, game: { homeScore: 5, awayScore: 2 } })
  t.like(ask('espn-scoreboard-mlb-doubleheader.json', 'Yankees', 'Red Sox', { gameNumber: 2 }), { answer: { kind: 'outcome', index: 1 }, game: { homeScore: 3, awayScore: 7 } })
})

test('ESPN college names: "Michigan" is the Wolverines, never Michigan State', (t) => {
  t.like(ask('espn-scoreboard-ncaam.json', 'Illinois', 'Michigan'), { answer: { kind: 'outcome', index: 0 } })
  t.like(ask('espn-scoreboard-ncaam.json', 'Purdue', 'Michigan'), { answer: { kind: 'unresolvable' } })
  t.like(ask('espn-scoreboard-ncaam.json', 'Purdue Boilermakers', 'Michigan State Spartans'), { answer: { kind: 'outcome', index: 1 } })
})

test('ESPN: wrong shapes are values; lists are bounded', (t) => {
  t.like(readEspnScoreboard({ sports: [] }), { ok: false, reason: 'shape' })
  t.like(readEspnScoreboard([1, 2]), { ok: false, reason: 'shape' })
  const event = (fixture('espn-scoreboard-nfl.json') as { events: unknown[] }).events[0]
  const many = { events: Array.from({ length: 50_000 }, () => event) }
  const read = readEspnScoreboard(many)
  t.true(read.ok && read.games.length === 1000)
  const odd = { events: [{ competitions: [{ competitors: [{ team: { displayName: 'A' }, score: '-1' }, { team: {}, score: 'x' }] }] }, null, 7] }
  t.like(readEspnScoreboard(odd), { ok: true, games: [] })
})
