/** The spec a request carries, checked against its on-chain hash and parsed strictly. */
import { keccak256, toUtf8Bytes } from 'ethers'
import { questionSpecSchema, type QuestionSpec } from '@sibyl/protocol/question-spec'
import { describeIssues } from '@sibyl/protocol/schema-parts'
import type { ResolutionRequest } from '../chain/fetch-requests.ts'

export type ParsedSpec = { ok: true; spec: QuestionSpec } | { ok: false; reason: string }

export function parseRequestSpec(request: ResolutionRequest): ParsedSpec {
  if (keccak256(toUtf8Bytes(request.spec)) !== request.specHash) {
    return { ok: false, reason: 'spec does not match its on-chain hash (URI specs are not fetched yet)' }
  }
  let raw: unknown
  try {
    raw = JSON.parse(request.spec)
  } catch {
    return { ok: false, reason: 'spec is not JSON' }
  }
  const parsed = questionSpecSchema.safeParse(raw)
  if (!parsed.success) {
    return { ok: false, reason: `spec invalid: ${describeIssues(parsed.error)[0] ?? ''}` }
  }
  if (parsed.data.outcomes.length !== request.outcomes.length || parsed.data.outcomes.some((o, i) => o !== request.outcomes[i])) {
    return { ok: false, reason: 'spec outcomes differ from the on-chain outcome labels' }
  }
  return { ok: true, spec: parsed.data }
}
