/** An answer on the command line: an outcome index, -1, or "unresolvable" (ANSWER_UNRESOLVABLE). */
import { ANSWER_UNRESOLVABLE } from '@sibyl/protocol/answers'

export function parseAnswer(value: string | undefined): bigint | undefined {
  if (value === undefined) return undefined
  if (value === 'unresolvable') return ANSWER_UNRESOLVABLE
  return /^(-1|[0-9]{1,2})$/.test(value) ? BigInt(value) : undefined
}
