/**
 * JSON.parse for attacker-chosen text, with the nesting bounded. V8 parses deep nesting fine but every
 * recursive walk after it (JSON.stringify, structured clone to another thread, a path or adapter reader)
 * overflows the stack on it: 2 MB of "[" is a million levels and a RangeError. So the depth is measured
 * first, by one linear scan that skips string contents, and a document nested deeper than `maxDepth` is a
 * failure value. Real APIs nest a few dozen levels at most.
 */

export type ParseJsonBoundedLimits = { maxChars: number; maxDepth: number }

export type ParseJsonBoundedReturnType = { ok: true; value: unknown } | { ok: false; reason: 'too_large' | 'too_deep' | 'syntax'; message: string }

export const defaultParseJsonLimits: Readonly<ParseJsonBoundedLimits> = Object.freeze({ maxChars: 8_000_000, maxDepth: 64 })

/** The deepest nesting of [ and { outside strings, stopping as soon as it passes `limit`. */
export function jsonNestingDepth(text: string, limit: number): number {
  let depth = 0
  let deepest = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c) i++ // backslash: skip the escaped character
      else if (c === 0x22) inString = false
      continue
    }
    if (c === 0x22) inString = true
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > deepest) {
        deepest = depth
        if (deepest > limit) return deepest
      }
    } else if (c === 0x5d || c === 0x7d) depth--
  }
  return deepest
}

export function parseJsonBounded(text: string, limits: Partial<ParseJsonBoundedLimits> = {}): ParseJsonBoundedReturnType {
  const { maxChars, maxDepth } = { ...defaultParseJsonLimits, ...limits }
  if (text.length > maxChars) return { ok: false, reason: 'too_large', message: `JSON text longer than ${maxChars} characters` }
  if (jsonNestingDepth(text, maxDepth) > maxDepth) return { ok: false, reason: 'too_deep', message: `JSON nested deeper than ${maxDepth} levels` }
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch (e) {
    return { ok: false, reason: 'syntax', message: `not valid JSON: ${(e as Error).message.slice(0, 200)}` }
  }
}
