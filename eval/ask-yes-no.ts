/**
 * Asks the node a yes/no text question about given evidence, through its own entry point
 * (`resolveQuestion` with a `text` spec that passes the protocol's schema), and returns what it believes
 * and what it answers at its operating threshold. The evidence is handed over as the passages of one
 * source, as the source layer hands over a fetched page.
 */
import { questionSpecSchema } from '@sibyl/protocol/question-spec'
import { resolveQuestion } from '@sibyl/oracle-node/resolve/resolve-question'
import type { NodeParts } from './dataset-adapter.ts'
import { ABSTAIN } from './metrics.ts'

export type YesNoVerdict = {
  /** The more probable outcome, with no threshold; ABSTAIN when the spec itself is refused. */
  forced: 'YES' | 'NO' | typeof ABSTAIN
  /** The node's answer at its threshold. */
  answered: 'YES' | 'NO' | typeof ABSTAIN
  /** P(forced), 0..1; undefined when the spec is refused. */
  confidence: number | undefined
  /** The node's interval around its confidence, 0..1 (resolve-question.ts confidenceInterval); undefined when refused. */
  interval: [number, number] | undefined
  reason: string
}

export type AskYesNoParameters = {
  /** A statement or a question; a statement becomes "<statement>?". */
  claim: string
  passages: readonly string[]
  /** Where the evidence came from, when the dataset says (else a reserved .invalid address). */
  url?: string
}

const PLACEHOLDER_URL = 'https://evidence.invalid/'

export async function askYesNo(node: NodeParts, parameters: AskYesNoParameters): Promise<YesNoVerdict> {
  const question = `${parameters.claim.replace(/\s+/g, ' ').trim().replace(/[.?!\s]+$/, '')}?`
  const parsed = questionSpecSchema.safeParse({
    version: 1,
    type: 'text',
    question,
    sources: [{ url: validUrl(parameters.url) ?? PLACEHOLDER_URL, weight: 10 }],
    outcomes: ['YES', 'NO'],
  })
  // A node that cannot parse a spec answers "unresolvable" (question-spec.ts); so does the evaluation.
  if (!parsed.success) return { forced: ABSTAIN, answered: ABSTAIN, confidence: undefined, interval: undefined, reason: `spec refused: ${parsed.error.issues[0]?.message}` }
  const result = await resolveQuestion(
    { embedder: node.embedder, judge: node.judge },
    parsed.data,
    [{ sourceIndex: 0, text: '', passages: parameters.passages, weight: 10 }],
    { minConfidenceBps: node.minConfidenceBps, nowSec: Math.floor(Date.now() / 1000) },
  )
  const [pYes = 0, pNo = 0] = result.outcomeProbabilitiesBps ?? []
  const forced = pYes >= pNo ? 'YES' : 'NO'
  const answered = result.answer.kind === 'outcome' ? (result.answer.index === 0 ? 'YES' : 'NO') : ABSTAIN
  const interval: [number, number] = [result.confidenceInterval[0] / 10_000, result.confidenceInterval[1] / 10_000]
  return { forced, answered, confidence: Math.max(pYes, pNo) / 10_000, interval, reason: result.reason }
}

function validUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined
  try {
    const u = new URL(url)
    return (u.protocol === 'https:' || u.protocol === 'http:') && url.length <= 2048 ? url : undefined
  } catch {
    return undefined
  }
}
