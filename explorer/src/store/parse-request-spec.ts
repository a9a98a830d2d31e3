/**
 * What the explorer shows of a request's spec: the on-chain text is a question spec (protocol/question-spec.ts)
 * when a Sibyl client made the request, but anyone may request with any text, so a spec that does not parse is
 * shown as its text, never trusted as a spec.
 */
import { questionSpecSchema } from '@sibyl/protocol/question-spec'

/** Characters of a non-spec text shown as the question (ResolutionOracle.MAX_SPEC_BYTES bounds the whole). */
const MAX_QUESTION_CHARS = 1000

export type ParsedRequestSpec = {
  question: string
  /** The spec as JSON when the text is a valid question spec; null otherwise. */
  spec: object | null
  sources: string[]
}

export function parseRequestSpec(text: string): ParsedRequestSpec {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    return { question: text.slice(0, MAX_QUESTION_CHARS), spec: null, sources: [] }
  }
  const parsed = questionSpecSchema.safeParse(raw)
  if (!parsed.success || typeof raw !== 'object' || raw === null) return { question: text.slice(0, MAX_QUESTION_CHARS), spec: null, sources: [] }
  return { question: parsed.data.question, spec: raw, sources: parsed.data.sources.map((s) => s.url) }
}
