/**
 * The query strings of the JSON API, as strict zod schemas: a parameter the API does not know, one given twice,
 * or one out of range is a 400 with a message that names it (`?limit=banana` → "limit must be an integer from 1
 * to 500"), never a silent default.
 */
import { z } from 'zod'
import { REQUEST_STATUSES } from '../store/explorer-types.ts'

export const MAX_REQUESTS_PAGE = 500
export const DEFAULT_REQUESTS_PAGE = 100
export const MAX_FEED_ROUNDS_PAGE = 5000
export const DEFAULT_FEED_ROUNDS_PAGE = 500

function integerParameter(name: string, min: number, max: number) {
  const message = `${name} must be an integer from ${min} to ${max}`
  return z
    .string({ message })
    .regex(/^[0-9]{1,6}$/, { message })
    .transform(Number)
    .refine((n) => n >= min && n <= max, { message })
}

export const listRequestsQuerySchema = z
  .object({
    status: z.enum(REQUEST_STATUSES, { message: `status must be one of ${REQUEST_STATUSES.join(', ')}` }).optional(),
    limit: integerParameter('limit', 1, MAX_REQUESTS_PAGE).default(DEFAULT_REQUESTS_PAGE),
    cursor: z.string({ message: 'cursor must be a string' }).min(1, { message: 'cursor must not be empty' }).max(64, { message: 'cursor is too long' }).optional(),
  })
  .strict()

export const feedRoundsQuerySchema = z.object({ limit: integerParameter('limit', 1, MAX_FEED_ROUNDS_PAGE).default(DEFAULT_FEED_ROUNDS_PAGE) }).strict()

export const emptyQuerySchema = z.object({}).strict()

export const requestIdSchema = z.string().regex(/^0x[0-9a-fA-F]{64}$/, { message: 'a request id is 0x and 64 hex digits' })
export const addressSchema = z.string().regex(/^0x[0-9a-fA-F]{40}$/, { message: 'a feed address is 0x and 40 hex digits' })

export type QueryResult<T> = { ok: true; value: T } | { ok: false; error: string }

/** Parses URLSearchParams with a strict schema; the error names the first offending parameter. */
export function parseQuery<T>(schema: z.ZodType<T>, params: URLSearchParams): QueryResult<T> {
  const raw: Record<string, string> = {}
  for (const [key, value] of params) {
    if (key in raw) return { ok: false, error: `${key} is given more than once` }
    raw[key] = value
  }
  const parsed = schema.safeParse(raw)
  if (parsed.success) return { ok: true, value: parsed.data }
  const issue = parsed.error.issues[0]
  if (issue?.code === 'unrecognized_keys') return { ok: false, error: `unknown parameter: ${issue.keys.slice(0, 3).join(', ').slice(0, 100)}` }
  return { ok: false, error: issue?.message ?? 'invalid query' }
}
