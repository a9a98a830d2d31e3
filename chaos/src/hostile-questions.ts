/**
 * The questions of a chaos run and their true answers. An honest question is a demo question as it is (its
 * expected outcome is in feeds/demo/questions.json). A hostile question is a demo question with one more source:
 * a page of the hostile site. That page can only fail (it holds no score and no price a reader could take), and
 * the question's own honest sources still decide it — the sports tally counts only sources that decided, the
 * threshold takes the median of the sources that gave a value. So its true answer is the demo question's
 * expected outcome; a node that lets the hostile page throw away the other sources answers "unresolvable"
 * instead (a wrong commit if it reaches a quorum) or nothing (a lost request).
 */
import { buildDemoQuestions, type DemoQuestion } from '@sibyl/devnet/demo-questions'
import { questionSpecSchema } from '@sibyl/protocol/question-spec'
import type { HostileKind, PlannedQuestion } from './plan-schedule.ts'

export type ChaosQuestion = {
  label: string
  specJson: string
  outcomes: string[]
  /** The answer an honest quorum commits: the outcome index. */
  truth: bigint
}

export type BuildChaosQuestionParameters = {
  demoSitesUrl: string
  hostilePageUrl: (kind: HostileKind) => string
}

export function createQuestionBuilder(parameters: BuildChaosQuestionParameters): (planned: PlannedQuestion) => ChaosQuestion {
  const demo = new Map<string, DemoQuestion>(buildDemoQuestions(parameters.demoSitesUrl).map((q) => [q.key, q]))
  return (planned) => {
    const base = demo.get(planned.base)
    if (!base) throw new TypeError(`no demo question ${planned.base}`)
    const truth = BigInt(base.expectedOutcomeIndex)
    if (!planned.hostile) return { label: base.key, specJson: base.specJson, outcomes: [...base.outcomes], truth }
    const spec = JSON.parse(base.specJson) as { sources: Record<string, unknown>[] }
    const url = parameters.hostilePageUrl(planned.hostile)
    spec.sources.push(planned.hostile === 'nested-json' ? { url, format: 'json', jsonPath: 'price' } : { url, weight: 1 })
    const specJson = JSON.stringify(spec)
    // The same check a node makes: a question the nodes refuse as malformed would measure nothing.
    questionSpecSchema.parse(JSON.parse(specJson))
    return { label: `${base.key}+${planned.hostile}`, specJson, outcomes: [...base.outcomes], truth }
  }
}
