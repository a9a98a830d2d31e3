/** Schema pieces every boundary shares, and one way to say what a failed parse found wrong. */
import { z } from 'zod'

export const addressSchema = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'expected a 20-byte 0x-hex address')
export const bytes32Schema = z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'expected 32 bytes of 0x-hex')

/** "path.to.field: message" per issue, "(root)" when the whole value is wrong. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`)
}
