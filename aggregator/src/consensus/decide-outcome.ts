/**
 * The answer of a resolution round, by the rule the contract enforces: an answer signed by a quorum of the
 * active operators (ResolutionOracle._requireQuorum). With n = 3f+1 and quorum n - f, two different answers
 * cannot both reach quorum, so the first answer found with a quorum is the only one.
 */
export type OutcomeVote = { signer: string; answer: bigint }

export type DecideOutcomeReturnType<T extends OutcomeVote> =
  | { reached: true; answer: bigint; agreeing: T[]; dissenting: T[] }
  | { reached: false; leading?: { answer: bigint; count: number }; needed: number }

export function decideOutcome<T extends OutcomeVote>(votes: readonly T[], quorum: number): DecideOutcomeReturnType<T> {
  const byAnswer = new Map<bigint, T[]>()
  for (const vote of votes) {
    const list = byAnswer.get(vote.answer)
    if (list) list.push(vote)
    else byAnswer.set(vote.answer, [vote])
  }
  let leading: { answer: bigint; count: number } | undefined
  for (const [answer, list] of byAnswer) {
    if (quorum > 0 && list.length >= quorum) {
      return { reached: true, answer, agreeing: list, dissenting: votes.filter((v) => v.answer !== answer) }
    }
    if (!leading || list.length > leading.count) leading = { answer, count: list.length }
  }
  return { reached: false, ...(leading ? { leading } : {}), needed: quorum }
}
