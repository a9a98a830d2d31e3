/**
 * Reads a question spec file and checks it exactly as a node will (oracle-node parse-request-spec: JSON,
 * protocol questionSpecSchema, outcome labels equal to the request's) and as ResolutionOracle will
 * (MAX_SPEC_BYTES). What goes on-chain is the compact JSON text; its keccak256 is the specHash.
 */
import { readFileSync } from 'node:fs'
import { keccak256, toUtf8Bytes } from 'ethers'
import { questionSpecSchema, type QuestionSpec } from '@sibyl/protocol/question-spec'
import { describeIssues } from '@sibyl/protocol/schema-parts'

/** ResolutionOracle.MAX_SPEC_BYTES: a longer spec reverts with SpecTooLong. */
export const MAX_SPEC_BYTES = 8192

export type LoadedSpec = { ok: true; spec: QuestionSpec; text: string; specHash: string; bytes: number } | { ok: false; problems: string[] }

export function loadQuestionSpec(path: string): LoadedSpec {
  let raw: string
  try {
    raw = readFileSync(path, 'utf8')
  } catch (error) {
    return { ok: false, problems: [`cannot read ${path}: ${(error as Error).message}`] }
  }
  let json: unknown
  try {
    json = JSON.parse(raw)
  } catch (error) {
    return { ok: false, problems: [`${path} is not JSON: ${(error as Error).message}`] }
  }
  const parsed = questionSpecSchema.safeParse(json)
  if (!parsed.success) return { ok: false, problems: describeIssues(parsed.error).map((line) => `${path}: ${line}`) }
  const text = JSON.stringify(json)
  const bytes = Buffer.byteLength(text, 'utf8')
  if (bytes > MAX_SPEC_BYTES) return { ok: false, problems: [`${path}: ${bytes} bytes of compact JSON, the contract takes at most ${MAX_SPEC_BYTES}`] }
  return { ok: true, spec: parsed.data, text, specHash: keccak256(toUtf8Bytes(text)), bytes }
}
