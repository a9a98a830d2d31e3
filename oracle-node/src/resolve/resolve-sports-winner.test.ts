import test from 'ava'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { resolveSportsWinner } from './resolve-sports-winner.ts'
import { resolveTestDataDir } from '../testing/test-data-dir.ts'

const dir = join(resolveTestDataDir(), 'sports_boxscore_html')
type Game = { home_team: string; away_team: string; home_score: number; away_score: number; winning_team: string }
type Row = { id: string; kind: 'game' | 'scoreboard'; html_file: string; games?: Game[] } & Partial<Game>
const rows: Row[] = readFileSync(join(dir, 'data.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Row)

test('every game on every page of the sports dataset resolves to the annotated winner and score', (t) => {
  let checked = 0
  for (const row of rows) {
    const html = gunzipSync(readFileSync(join(dir, row.html_file))).toString('utf8')
    const games: Game[] = row.kind === 'game' ? [row as Game] : row.games!
    for (const g of games) {
      for (const outcomes of [[g.home_team, g.away_team], [g.away_team, 'Draw', g.home_team]]) {
        const result = resolveSportsWinner({ html, homeTeam: g.home_team, awayTeam: g.away_team, outcomes, nowSec: 2e9 })
        t.deepEqual(result.answer, { kind: 'outcome', index: outcomes.indexOf(g.winning_team) }, `${row.id} ${g.home_team}`)
        t.is(result.game?.homeScore, g.home_score, row.id)
        t.is(result.game?.awayScore, g.away_score, row.id)
      }
      checked++
    }
  }
  t.log(`${checked} games on ${rows.length} pages: all correct`)
  t.is(checked, 15)
})

test('a game the page does not list is unresolvable, or too early before the event time', (t) => {
  const row = rows.find((r) => r.kind === 'scoreboard')!
  const html = gunzipSync(readFileSync(join(dir, row.html_file))).toString('utf8')
  const base = { html, homeTeam: 'Seattle Kraken', awayTeam: 'Calgary Flames', outcomes: ['Seattle Kraken', 'Calgary Flames'] }
  t.deepEqual(resolveSportsWinner({ ...base, nowSec: 2e9 }).answer, { kind: 'unresolvable' })
  t.deepEqual(resolveSportsWinner({ ...base, nowSec: 100, eventTimeSec: 200 }).answer, { kind: 'tooEarly' })
})

const summary = (away: [string, string], home: [string, string], status: string) => `
  <div class="game_summaries"><div class="game_summary"><table class="teams"><tbody>
    <tr><td><a href="/teams/A/2020.html">${away[0]}</a></td><td class="right">${away[1]}</td><td class="right gamelink">${status}</td></tr>
    <tr><td><a href="/teams/B/2020.html">${home[0]}</a></td><td class="right">${home[1]}</td><td class="right"></td></tr>
  </tbody></table></div></div>`

test('draws: the "Draw" outcome when there is one, else unresolvable', (t) => {
  const html = summary(['Arsenal', '1'], ['Chelsea', '1'], '<a href="/x">Final</a>')
  const spec = { html, homeTeam: 'Chelsea', awayTeam: 'Arsenal', nowSec: 2e9 }
  t.deepEqual(resolveSportsWinner({ ...spec, outcomes: ['Chelsea', 'Arsenal', 'Draw'] }).answer, { kind: 'outcome', index: 2 })
  const noDraw = resolveSportsWinner({ ...spec, outcomes: ['Chelsea', 'Arsenal'] })
  t.deepEqual(noDraw.answer, { kind: 'unresolvable' })
  t.regex(noDraw.reason, /draw/)
})

test('a listed game without a final score is too early', (t) => {
  const html = summary(['Boston Bruins', ''], ['Florida Panthers', ''], '<a href="/x">Preview</a>')
  const result = resolveSportsWinner({ html, homeTeam: 'Florida Panthers', awayTeam: 'Boston Bruins', outcomes: ['Florida Panthers', 'Boston Bruins'], nowSec: 2e9 })
  t.deepEqual(result.answer, { kind: 'tooEarly' })
  t.regex(result.reason, /no final score/)
})

test('short team names match the page and rows are matched by name, not order', (t) => {
  const html = summary(['Boston Bruins', '2'], ['Florida Panthers', '1'], '<a href="/x">Final</a>')
  const result = resolveSportsWinner({ html, homeTeam: 'Panthers', awayTeam: 'Bruins', outcomes: ['Panthers', 'Bruins'], nowSec: 2e9 })
  t.deepEqual(result.answer, { kind: 'outcome', index: 1 })
  t.like(result.game, { homeScore: 1, awayScore: 2 })
})

test('scoreboard rows without a team link (small schools) and a line-score table do not confuse the reader', (t) => {
  const html = `<div class="game_summary">
    <table class="teams"><tbody>
      <tr class="date"><td colspan="3">Nov 11, 2017</td></tr>
      <tr class="loser"><td>Texas Wesleyan</td><td class="right">51</td><td class="right gamelink"><a href="/x">Final</a></td></tr>
      <tr class="winner"><td><a href="/cbb/schools/baylor/2018.html">Baylor</a> <span>(22)</span></td><td class="right">103</td><td></td></tr>
    </tbody></table>
    <table><tbody><tr><td><a href="/cbb/schools/baylor/2018.html">BAY</a></td><td>50</td><td>53</td></tr></tbody></table>
  </div>`
  const result = resolveSportsWinner({ html, homeTeam: 'Baylor', awayTeam: 'Texas Wesleyan', outcomes: ['Baylor', 'Texas Wesleyan'], nowSec: 2e9 })
  t.deepEqual(result.answer, { kind: 'outcome', index: 0 })
  t.like(result.game, { homeScore: 103, awayScore: 51 })
})
