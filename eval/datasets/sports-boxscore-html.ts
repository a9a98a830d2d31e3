/**
 * Sports Reference box scores and scoreboards: for every game the page holds, the node is asked a
 * `sports.winner` question (home vs away, outcomes the two team names, the game's date and — for a
 * doubleheader — its game number, both read from the game's box score id as a question writer would know
 * them) with the page as its one source, through `resolveQuestion`; the final score is read by the same
 * reader (`resolveSportsWinner`). A row is right when the winner and both scores are. A decline is counted
 * apart when its reason is a stated ambiguity (games the question does not tell apart). Decoys: on a
 * scoreboard, a home team paired with another game's away team on the same date is a game the page does
 * not hold (pairings that do meet on the page, as in a doubleheader, are not decoys); the node must not
 * answer it.
 */
import { questionSpecSchema } from '@sibyl/protocol/question-spec'
import { resolveQuestion } from '@sibyl/oracle-node/resolve/resolve-question'
import { resolveSportsWinner } from '@sibyl/oracle-node/resolve/resolve-sports-winner'
import type { AdapterResult, DatasetAdapter } from '../dataset-adapter.ts'
import { ABSTAIN, summarizeJudged, type JudgedRow } from '../metrics.ts'
import { readPageOrEmpty, text, type Row } from '../read-dataset.ts'

type Game = { home_team: string; away_team: string; home_score: number; away_score: number; winning_team?: string; boxscore_id?: string }

// Structured questions never touch the models; these stand in for the text judge's dependencies.
const NO_MODELS = {
  embedder: { embed: async () => { throw new Error('a sports question must not reach the text judge') } },
  judge: undefined as never,
}

/** Reasons of a decline that name an ambiguity the question leaves (resolve-sports-winner.ts). */
const AMBIGUITY = /different results|does not say which is game/

function gamesOf(row: Row): Game[] {
  if (text(row.kind) === 'game') return [{ ...(row as unknown as Game), boxscore_id: text(row.source_path).split('/').pop() ?? '' }]
  return Array.isArray(row.games) ? (row.games as Game[]) : []
}

/**
 * The date and game number a box score id encodes: "202003040VAN" / "BOS201806072" (date, then 0 for a
 * single game, 1 / 2 for a doubleheader's), "2020-01-22-19-louisville" (date). What a question writer knows.
 */
export function identifyGame(boxscoreId: string | undefined): { gameDate?: string; gameNumber?: number } {
  if (!boxscoreId) return {}
  const college = /(\d{4})-(\d{2})-(\d{2})/.exec(boxscoreId)
  const pro = /(\d{4})(\d{2})(\d{2})(\d)/.exec(boxscoreId)
  const m = college ?? pro
  if (!m) return {}
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  if (y < 1850 || mo < 1 || mo > 12 || d < 1 || d > 31) return {}
  const gameDate = `${m[1]}-${m[2]}-${m[3]}`
  const number = !college && pro ? Number(pro[4]) : 0
  return number >= 1 ? { gameDate, gameNumber: number } : { gameDate }
}

export const sportsBoxscoreHtml: DatasetAdapter = {
  name: 'sports_boxscore_html',
  folder: 'sports_boxscore_html',
  task: 'structured',
  protocol: 'sports.winner question per game on the page, with its date and game number (resolveQuestion); right = winner and final score both right; declines for a stated ambiguity counted apart; decoy pairings must be declined',
  rowId: (row) => String(row.id),
  async evaluate(context, rows): Promise<AdapterResult> {
    const judged: JudgedRow[] = []
    let winnersRight = 0
    let declinedAmbiguous = 0
    let declinedOther = 0
    let wrong = 0
    let decoys = 0
    let decoysAnswered = 0
    const misses: string[] = []
    const nowSec = Math.floor(Date.now() / 1000)
    const ask = async (html: string, homeTeam: string, awayTeam: string, game: { gameDate?: string; gameNumber?: number }) => {
      const spec = questionSpecSchema.parse({
        version: 1,
        type: 'sports.winner',
        question: `Who won the game between ${awayTeam} (away) and ${homeTeam} (home)?`,
        sources: [{ url: 'https://scores.invalid/', weight: 10 }],
        homeTeam,
        awayTeam,
        outcomes: [homeTeam, awayTeam],
        ...game,
      })
      return resolveQuestion(NO_MODELS, spec, [{ sourceIndex: 0, text: '', passages: [], html, weight: 10 }], { minConfidenceBps: context.minConfidenceBps, nowSec })
    }
    for (const row of rows) {
      const html = readPageOrEmpty(context.dataDir, context.folder, text(row.html_file), context.log)
      const games = gamesOf(row)
      for (const [i, g] of games.entries()) {
        const gold = g.home_score > g.away_score ? 'home' : g.home_score < g.away_score ? 'away' : 'draw'
        const which = identifyGame(g.boxscore_id)
        const result = await ask(html, g.home_team, g.away_team, which)
        const said = result.answer.kind === 'outcome' ? (result.answer.index === 0 ? 'home' : 'away') : ABSTAIN
        const score = resolveSportsWinner({ html, homeTeam: g.home_team, awayTeam: g.away_team, outcomes: [g.home_team, g.away_team], nowSec, ...which }).game
        const scoreRight = score?.homeScore === g.home_score && score?.awayScore === g.away_score
        if (said === gold) winnersRight++
        const verdict = said === ABSTAIN || scoreRight ? said : `${said} (wrong score)`
        if (said === ABSTAIN) {
          if (AMBIGUITY.test(result.reason)) declinedAmbiguous++
          else declinedOther++
        } else if (verdict !== gold) wrong++
        if (verdict !== gold) misses.push(`${text(row.id)}: ${g.away_team} at ${g.home_team}${which.gameDate ? ` on ${which.gameDate}` : ''}${which.gameNumber ? ` (game ${which.gameNumber})` : ''}: ${result.reason}`)
        judged.push({ id: `${text(row.id)}#${i}`, gold, forced: verdict, answered: verdict, confidence: said === ABSTAIN ? undefined : result.confidenceBps / 10_000 })
        // A decoy: this game's home team against the next game's away team, on this game's date — unless the
        // two did meet on this page (a doubleheader lists the same pairing twice): that is no decoy.
        const next = games[i + 1]
        const met = (a: string, b: string) => games.some((o) => (o.home_team === a && o.away_team === b) || (o.home_team === b && o.away_team === a))
        if (next && next.away_team !== g.home_team && next.home_team !== g.away_team && !met(g.home_team, next.away_team)) {
          decoys++
          const decoy = await ask(html, g.home_team, next.away_team, which.gameDate ? { gameDate: which.gameDate } : {})
          if (decoy.answer.kind === 'outcome') {
            decoysAnswered++
            misses.push(`${text(row.id)}: decoy ${next.away_team} at ${g.home_team} answered: ${decoy.reason}`)
          }
        }
      }
    }
    const figures = summarizeJudged(judged)
    return {
      figures,
      baselines: figures.majority ? [{ name: `majority (${figures.majority.label} team wins)`, accuracy: figures.majority.accuracy, macroF1: figures.majority.macroF1 }] : [],
      extra: {
        games: judged.length,
        pages: rows.length,
        winnerAccuracy: judged.length ? winnersRight / judged.length : Number.NaN,
        declinedAmbiguous,
        declinedOther,
        wrong,
        decoys,
        decoysAnswered,
        misses,
      },
    }
  },
}
