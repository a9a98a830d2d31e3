/**
 * Sports Reference box scores and scoreboards: for every game the page holds, the node is asked a
 * `sports.winner` question (home vs away, outcomes the two team names) with the page as its one source,
 * through `resolveQuestion`; the final score is read by the same reader (`resolveSportsWinner`). A row is
 * right when the winner and both scores are. Decoys: on a scoreboard, a home team paired with another
 * game's away team is a game the page does not hold; the node must not answer it.
 */
import { questionSpecSchema } from '@sibyl/protocol/question-spec'
import { resolveQuestion } from '@sibyl/oracle-node/resolve/resolve-question'
import { resolveSportsWinner } from '@sibyl/oracle-node/resolve/resolve-sports-winner'
import type { AdapterResult, DatasetAdapter } from '../dataset-adapter.ts'
import { ABSTAIN, summarizeJudged, type JudgedRow } from '../metrics.ts'
import { readPageOrEmpty, text, type Row } from '../read-dataset.ts'

type Game = { home_team: string; away_team: string; home_score: number; away_score: number; winning_team?: string }

// Structured questions never touch the models; these stand in for the text judge's dependencies.
const NO_MODELS = {
  embedder: { embed: async () => { throw new Error('a sports question must not reach the text judge') } },
  judge: undefined as never,
}

function gamesOf(row: Row): Game[] {
  if (text(row.kind) === 'game') return [row as unknown as Game]
  return Array.isArray(row.games) ? (row.games as Game[]) : []
}

export const sportsBoxscoreHtml: DatasetAdapter = {
  name: 'sports_boxscore_html',
  folder: 'sports_boxscore_html',
  task: 'structured',
  protocol: 'sports.winner question per game on the page (resolveQuestion); right = winner and final score both right',
  rowId: (row) => String(row.id),
  async evaluate(context, rows): Promise<AdapterResult> {
    const judged: JudgedRow[] = []
    let winnersRight = 0
    let decoys = 0
    let decoysAnswered = 0
    const misses: string[] = []
    const nowSec = Math.floor(Date.now() / 1000)
    const ask = async (html: string, homeTeam: string, awayTeam: string) => {
      const spec = questionSpecSchema.parse({
        version: 1,
        type: 'sports.winner',
        question: `Who won the game between ${awayTeam} (away) and ${homeTeam} (home)?`,
        sources: [{ url: 'https://scores.invalid/', weight: 10 }],
        homeTeam,
        awayTeam,
        outcomes: [homeTeam, awayTeam],
      })
      return resolveQuestion(NO_MODELS, spec, [{ sourceIndex: 0, text: '', passages: [], html, weight: 10 }], { minConfidenceBps: context.minConfidenceBps, nowSec })
    }
    for (const row of rows) {
      const html = readPageOrEmpty(context.dataDir, context.folder, text(row.html_file), context.log)
      const games = gamesOf(row)
      for (const [i, g] of games.entries()) {
        const gold = g.home_score > g.away_score ? 'home' : g.home_score < g.away_score ? 'away' : 'draw'
        const result = await ask(html, g.home_team, g.away_team)
        const said = result.answer.kind === 'outcome' ? (result.answer.index === 0 ? 'home' : 'away') : ABSTAIN
        const score = resolveSportsWinner({ html, homeTeam: g.home_team, awayTeam: g.away_team, outcomes: [g.home_team, g.away_team], nowSec }).game
        const scoreRight = score?.homeScore === g.home_score && score?.awayScore === g.away_score
        if (said === gold) winnersRight++
        const verdict = said === ABSTAIN || scoreRight ? said : `${said} (wrong score)`
        if (verdict !== gold) misses.push(`${text(row.id)}: ${g.away_team} at ${g.home_team}: ${result.reason}`)
        judged.push({ id: `${text(row.id)}#${i}`, gold, forced: verdict, answered: verdict, confidence: said === ABSTAIN ? undefined : result.confidenceBps / 10_000 })
        // A decoy: this game's home team against the next game's away team.
        const next = games[i + 1]
        if (next && next.away_team !== g.home_team && next.home_team !== g.away_team) {
          decoys++
          const decoy = await ask(html, g.home_team, next.away_team)
          if (decoy.answer.kind === 'outcome') decoysAnswered++
        }
      }
    }
    const figures = summarizeJudged(judged)
    return {
      figures,
      baselines: figures.majority ? [{ name: `majority (${figures.majority.label} team wins)`, accuracy: figures.majority.accuracy, macroF1: figures.majority.macroF1 }] : [],
      extra: { games: judged.length, pages: rows.length, winnerAccuracy: judged.length ? winnersRight / judged.length : Number.NaN, decoys, decoysAnswered, misses },
    }
  },
}
