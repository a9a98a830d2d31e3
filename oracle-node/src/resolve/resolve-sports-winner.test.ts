import test from 'ava'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import type { ScoreboardGame } from '../sources/adapters/scoreboard-game.ts'
import { readBoxScoreAddress, readCalendarDate, readClockTime } from './read-sports-reference-games.ts'
import { resolveSportsWinner, type ResolveSportsWinnerParameters } from './resolve-sports-winner.ts'
import { sameTeam } from './team-aliases.ts'
import { resolveTestDataDir } from '../testing/test-data-dir.ts'

const dir = join(resolveTestDataDir(), 'sports_boxscore_html')
type Game = { home_team: string; away_team: string; home_score: number; away_score: number; winning_team: string; boxscore_id?: string }
type Row = { id: string; kind: 'game' | 'scoreboard'; html_file: string; games?: Game[] } & Partial<Game>
/** The development pages of the sample (eval/development-rows.json); the 3-5-2020 scoreboard is held out. */
const development = new Set(['nhl-game-202003040VAN', 'nhl-scoreboard-3-4-2020'])
const rows: Row[] = readFileSync(join(dir, 'data.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Row).filter((r) => development.has(r.id))
const page = (file: string) => gunzipSync(readFileSync(join(dir, file))).toString('utf8')

test('every game on the development pages resolves to the annotated winner and score, with and without its date', (t) => {
  let checked = 0
  for (const row of rows) {
    const html = page(row.html_file)
    const games: Game[] = row.kind === 'game' ? [row as Game] : row.games!
    for (const g of games) {
      for (const outcomes of [[g.home_team, g.away_team], [g.away_team, 'Draw', g.home_team]]) {
        for (const gameDate of [undefined, '2020-03-04']) {
          const result = resolveSportsWinner({ html, homeTeam: g.home_team, awayTeam: g.away_team, outcomes, nowSec: 2e9, gameDate })
          t.deepEqual(result.answer, { kind: 'outcome', index: outcomes.indexOf(g.winning_team) }, `${row.id} ${g.home_team}`)
          t.is(result.game?.homeScore, g.home_score, row.id)
          t.is(result.game?.awayScore, g.away_score, row.id)
        }
      }
      // The same pairing on another date is not on the page.
      t.deepEqual(resolveSportsWinner({ html, homeTeam: g.home_team, awayTeam: g.away_team, outcomes: [g.home_team, g.away_team], nowSec: 2e9, gameDate: '2020-03-05' }).answer, { kind: 'unresolvable' })
      checked++
    }
  }
  t.is(checked, 5)
})

test('a game the page does not list is unresolvable, or too early before the event time', (t) => {
  const html = page(rows.find((r) => r.kind === 'scoreboard')!.html_file)
  const base = { html, homeTeam: 'Seattle Kraken', awayTeam: 'Calgary Flames', outcomes: ['Seattle Kraken', 'Calgary Flames'] }
  t.deepEqual(resolveSportsWinner({ ...base, nowSec: 2e9 }).answer, { kind: 'unresolvable' })
  t.deepEqual(resolveSportsWinner({ ...base, nowSec: 100, eventTimeSec: 200 }).answer, { kind: 'tooEarly' })
  // Two teams that both played that night, but not each other (a decoy), are declined.
  t.deepEqual(resolveSportsWinner({ html, homeTeam: 'Calgary Flames', awayTeam: 'Anaheim Ducks', outcomes: ['Calgary Flames', 'Anaheim Ducks'], nowSec: 2e9 }).answer, { kind: 'unresolvable' })
})

// ------------------------------------------------------------------------------------------------ builders

type Line = [name: string, score: string]
const summary = (away: Line, home: Line, status = 'Final', box = '/boxscores/202003040CGY.html', href = '/teams/X/2020.html') => `
  <div class="game_summary nohover"><table class="teams"><tbody>
    <tr class="loser"><td><a href="${href}">${away[0]}</a></td><td class="right">${away[1]}</td><td class="right gamelink"><a href="${box}">${status}</a></td></tr>
    <tr class="winner"><td><a href="${href}">${home[0]}</a></td><td class="right">${home[1]}</td><td class="right"></td></tr>
  </tbody></table></div>`
const scoreboard = (...summaries: string[]) => `<html><head><title>Scores</title></head><body><div class="game_summaries">${summaries.join('')}</div></body></html>`
const ask = (html: string, homeTeam: string, awayTeam: string, extra: Partial<ResolveSportsWinnerParameters> = {}) =>
  resolveSportsWinner({ html, homeTeam, awayTeam, outcomes: [homeTeam, awayTeam], nowSec: 2e9, ...extra })

// ------------------------------------------------------------------------------------------------ miss kinds

test('doubleheader: the game number (from the box score address) picks the game; without it, abstain and say why', (t) => {
  const html = scoreboard(
    summary(['Boston Red Sox', '2'], ['New York Yankees', '5'], 'Final', '/boxes/NYA/NYA201806261.shtml', '/teams/BOS/2018.shtml'),
    summary(['Boston Red Sox', '7'], ['New York Yankees', '3'], 'Final', '/boxes/NYA/NYA201806262.shtml', '/teams/BOS/2018.shtml'),
  )
  const none = ask(html, 'New York Yankees', 'Boston Red Sox')
  t.deepEqual(none.answer, { kind: 'unresolvable' })
  t.regex(none.reason, /different results.*gameNumber or startTime/)
  t.deepEqual(ask(html, 'New York Yankees', 'Boston Red Sox', { gameNumber: 1 }).answer, { kind: 'outcome', index: 0 })
  t.deepEqual(ask(html, 'New York Yankees', 'Boston Red Sox', { gameNumber: 2, gameDate: '2018-06-26' }).answer, { kind: 'outcome', index: 1 })
  t.like(ask(html, 'New York Yankees', 'Boston Red Sox', { gameNumber: 2 }).game, { homeScore: 3, awayScore: 7 })
  // Game 3 is not on the page; nor is either game on another date.
  t.deepEqual(ask(html, 'New York Yankees', 'Boston Red Sox', { gameNumber: 3 }).answer, { kind: 'unresolvable' })
  t.deepEqual(ask(html, 'New York Yankees', 'Boston Red Sox', { gameNumber: 1, gameDate: '2018-06-27' }).answer, { kind: 'unresolvable' })
})

test('doubleheader: the start time picks the game when the source gives start times', (t) => {
  const game = (startTime: string, home: number, away: number): ScoreboardGame => ({
    teams: [{ name: 'Boston Red Sox', aliases: [], score: away }, { name: 'New York Yankees', aliases: [], score: home }],
    homeIndex: 1,
    final: true,
    date: '2018-06-26',
    gameNumber: undefined,
    startTime,
    startsAt: undefined,
    layout: 'box score',
  })
  const games = [game('13:05', 5, 2), game('19:05', 3, 7)]
  const base = { games, homeTeam: 'New York Yankees', awayTeam: 'Boston Red Sox', outcomes: ['New York Yankees', 'Boston Red Sox'], nowSec: 2e9 }
  t.deepEqual(resolveSportsWinner({ ...base, startTime: '19:05' }).answer, { kind: 'outcome', index: 1 })
  t.deepEqual(resolveSportsWinner({ ...base, startTime: '13:05' }).answer, { kind: 'outcome', index: 0 })
  t.deepEqual(resolveSportsWinner({ ...base, startTime: '16:10' }).answer, { kind: 'unresolvable' })
  // Without numbers on the page, a game number is not guessed from the order of the page.
  t.regex(resolveSportsWinner({ ...base, gameNumber: 2 }).reason, /does not say which is game 2/)
})

test('a team whose name is a part of another team\'s ("Michigan" / "Michigan State") is never that team', (t) => {
  const html = scoreboard(
    summary(['Michigan State', '70'], ['Purdue', '64'], 'Final', '/cbb/boxscores/2020-01-05-12-purdue.html', '/cbb/schools/michigan-state/2020.html'),
    summary(['Michigan', '58'], ['Illinois', '71'], 'Final', '/cbb/boxscores/2020-01-05-14-illinois.html', '/cbb/schools/michigan/2020.html'),
  )
  t.deepEqual(ask(html, 'Purdue', 'Michigan').answer, { kind: 'unresolvable' })
  t.deepEqual(ask(html, 'Illinois', 'Michigan State').answer, { kind: 'unresolvable' })
  t.deepEqual(ask(html, 'Illinois', 'Michigan').answer, { kind: 'outcome', index: 0 })
  t.deepEqual(ask(html, 'Purdue', 'Michigan State', { gameDate: '2020-01-05' }).answer, { kind: 'outcome', index: 1 })
  t.false(sameTeam('Texas', 'North Texas'))
  t.false(sameTeam('Miami', 'Miami (OH)'))
  t.true(sameTeam('(5) Duke', 'Duke'))
  t.true(sameTeam('UConn', 'Connecticut'))
})

test('known aliases: nickname, abbreviation, city when it is the league\'s only team there', (t) => {
  const html = scoreboard(summary(['Boston Bruins', '2'], ['Florida Panthers', '1']))
  t.like(ask(html, 'Panthers', 'Bruins'), { answer: { kind: 'outcome', index: 1 }, game: { homeScore: 1, awayScore: 2 } })
  t.like(ask(html, 'FLA', 'BOS'), { answer: { kind: 'outcome', index: 1 } })
  t.true(sameTeam('Vancouver', 'Vancouver Canucks'))
  t.true(sameTeam('LA Clippers', 'Los Angeles Clippers'))
  t.false(sameTeam('New York', 'New York Rangers')) // two NHL teams in New York
  t.false(sameTeam('Arizona Cardinals', 'Arizona')) // a page's "Arizona" is the school
})

test('draws: the "Draw" outcome when there is one, else unresolvable', (t) => {
  const html = scoreboard(summary(['Arsenal', '1'], ['Chelsea', '1']))
  const spec = { html, homeTeam: 'Chelsea', awayTeam: 'Arsenal', nowSec: 2e9 }
  t.deepEqual(resolveSportsWinner({ ...spec, outcomes: ['Chelsea', 'Arsenal', 'Draw'] }).answer, { kind: 'outcome', index: 2 })
  const noDraw = resolveSportsWinner({ ...spec, outcomes: ['Chelsea', 'Arsenal'] })
  t.deepEqual(noDraw.answer, { kind: 'unresolvable' })
  t.regex(noDraw.reason, /draw/)
})

test('a listed game without a final score is too early', (t) => {
  const html = scoreboard(summary(['Boston Bruins', ''], ['Florida Panthers', ''], 'Preview'))
  const result = ask(html, 'Florida Panthers', 'Boston Bruins')
  t.deepEqual(result.answer, { kind: 'tooEarly' })
  t.regex(result.reason, /no final score/)
})

test('scoreboard rows without a team link (small schools), date rows and a line-score table do not confuse the reader', (t) => {
  const html = `<div class="game_summary">
    <table class="teams"><tbody>
      <tr class="date"><td colspan="3">Nov 11, 2017</td></tr>
      <tr class="loser"><td>Texas Wesleyan</td><td class="right">51</td><td class="right gamelink"><a href="/x">Final</a></td></tr>
      <tr class="winner"><td><a href="/cbb/schools/baylor/2018.html">Baylor</a> <span>(22)</span></td><td class="right">103</td><td></td></tr>
    </tbody></table>
    <table><tbody><tr><td><a href="/cbb/schools/baylor/2018.html">BAY</a></td><td>50</td><td>53</td></tr></tbody></table>
  </div>`
  const result = ask(html, 'Baylor', 'Texas Wesleyan', { gameDate: '2017-11-11' })
  t.deepEqual(result.answer, { kind: 'outcome', index: 0 })
  t.like(result.game, { homeScore: 103, awayScore: 51 })
  t.deepEqual(ask(html, 'Baylor', 'Texas Wesleyan', { gameDate: '2017-11-12' }).answer, { kind: 'unresolvable' })
})

test('dates, times and box score addresses', (t) => {
  t.deepEqual(readBoxScoreAddress('/boxes/NYA/NYA201806261.shtml'), { date: '2018-06-26', gameNumber: 1 })
  t.deepEqual(readBoxScoreAddress('https://www.hockey-reference.com/boxscores/202003040VAN.html'), { date: '2020-03-04', gameNumber: 0 })
  t.deepEqual(readBoxScoreAddress('/boxscores/201802040nwe.htm'), { date: '2018-02-04', gameNumber: 0 })
  t.deepEqual(readBoxScoreAddress('/cbb/boxscores/2020-01-22-19-louisville.html'), { date: '2020-01-22', gameNumber: undefined })
  t.is(readBoxScoreAddress('/teams/BOS/2018.shtml'), undefined)
  t.is(readBoxScoreAddress('/boxes/NYA/NYA201802301.shtml'), undefined)
  t.is(readCalendarDate('Wednesday, March 4, 2020, 10:30 PM'), '2020-03-04')
  t.is(readCalendarDate('Sep 7, 2017'), '2017-09-07')
  t.is(readCalendarDate('4 March 2020'), '2020-03-04')
  t.is(readClockTime('7:05 p.m. Local'), '19:05')
  t.is(readClockTime('12:10 AM'), '00:10')
})
