/**
 * One game as a scoreboard source reports it, whatever the source (a Sports Reference page, ESPN's
 * scoreboard API): the two teams with their scores, whether it is over, and what identifies it on its date.
 * The sports resolver (resolve/resolve-sports-winner.ts) matches a question against these.
 */

export type ScoreboardTeam = {
  /** The name as the source prints it ("Vancouver Canucks", "Michigan State"). */
  name: string
  /** Other names the source gives the same team ("Canucks", "VAN"), from structured sources only. */
  aliases: readonly string[]
  score: number | undefined
}

export type ScoreboardGame = {
  teams: readonly [ScoreboardTeam, ScoreboardTeam]
  /** Index of the home team in `teams` when the source says which is home. */
  homeIndex: 0 | 1 | undefined
  /** Over, with a final score. */
  final: boolean
  /** The game's date where it is played, "YYYY-MM-DD", when the source says. */
  date: string | undefined
  /** 0 for a single game, 1 / 2 for the games of a doubleheader, when the source says. */
  gameNumber: number | undefined
  /** Local start time "HH:MM" (24-hour), when the source says. */
  startTime: string | undefined
  /** Start as an instant (ISO 8601), when the source gives one (APIs): orders a doubleheader's games. */
  startsAt: string | undefined
  /** Where it was read ("box score", "scoreboard", "espn scoreboard"), for reason lines. */
  layout: string
}
