/**
 * Reads one value out of a JSON document by a small path language: `data.price`, `quotes[0].close`,
 * `a["b.c"]`, `$.data.price` (a leading `$` is the root). Only own properties of plain objects and
 * indexes of arrays are followed: `__proto__`, `constructor` and `prototype` are refused outright, so a
 * path can never reach Object.prototype or a function, whatever the document says.
 *
 * Expected failures are values: `{ ok: false, reason, message }`.
 */

export type JsonPathSegment = { kind: 'key'; key: string } | { kind: 'index'; index: number }

export type ExtractJsonPathErrorReason = 'invalid_path' | 'forbidden_key' | 'too_deep' | 'not_found' | 'type_mismatch'

export type ExtractJsonPathReturnType =
  | { ok: true; value: unknown }
  | { ok: false; reason: ExtractJsonPathErrorReason; message: string; at?: string }

export const maxJsonPathSegments = 32
export const maxJsonPathChars = 500

const forbiddenKeys = new Set(['__proto__', 'constructor', 'prototype'])
const identifier = /^[A-Za-z_$][A-Za-z0-9_$-]*/

type Parsed = { ok: true; segments: JsonPathSegment[] } | { ok: false; reason: ExtractJsonPathErrorReason; message: string }

function parsePath(path: string): Parsed {
  const bad = (message: string): Parsed => ({ ok: false, reason: 'invalid_path', message })
  if (path.length === 0) return bad('empty path')
  if (path.length > maxJsonPathChars) return bad(`path longer than ${maxJsonPathChars} characters`)
  const segments: JsonPathSegment[] = []
  let i = 0
  if (path[0] === '$') {
    i = 1
    if (i < path.length && path[i] !== '.' && path[i] !== '[') return bad('expected "." or "[" after "$"')
    if (path[i] === '.') i++
    if (i >= path.length && path.length > 1) return bad('path ends after "$."')
  }
  let expectKey = true // at the start, or right after "."
  while (i < path.length) {
    const c = path[i]!
    if (c === '[') {
      const close = path.indexOf(']', i)
      const quote = path[i + 1]
      if (quote === '"' || quote === "'") {
        // Quoted key: backslash escapes the quote or a backslash.
        let key = ''
        let j = i + 2
        for (; j < path.length && path[j] !== quote; j++) {
          if (path[j] === '\\' && j + 1 < path.length) j++
          key += path[j]
        }
        if (j >= path.length || path[j + 1] !== ']') return bad(`unterminated quoted key at ${i}`)
        segments.push({ kind: 'key', key })
        i = j + 2
      } else {
        if (close < 0) return bad(`unterminated "[" at ${i}`)
        const inner = path.slice(i + 1, close)
        if (!/^(0|[1-9][0-9]{0,8})$/.test(inner)) return bad(`index "${inner.slice(0, 20)}" is not a non-negative integer`)
        segments.push({ kind: 'index', index: Number(inner) })
        i = close + 1
      }
      expectKey = false
    } else if (c === '.') {
      if (expectKey) return bad(`empty segment at ${i}`)
      i++
      expectKey = true
      if (i >= path.length) return bad('path ends with "."')
    } else {
      if (!expectKey) return bad(`expected "." or "[" at ${i}`)
      const m = identifier.exec(path.slice(i))
      if (!m) return bad(`unexpected character ${JSON.stringify(c)} at ${i}`)
      segments.push({ kind: 'key', key: m[0] })
      i += m[0].length
      expectKey = false
    }
    if (segments.length > maxJsonPathSegments) return { ok: false, reason: 'too_deep', message: `more than ${maxJsonPathSegments} segments` }
  }
  if (segments.length === 0 && path !== '$') return bad('no segments')
  for (const s of segments) {
    if (s.kind === 'key' && forbiddenKeys.has(s.key)) return { ok: false, reason: 'forbidden_key', message: `key "${s.key}" is not allowed` }
  }
  return { ok: true, segments }
}

function describe(segments: readonly JsonPathSegment[]): string {
  return segments.map((s) => (s.kind === 'index' ? `[${s.index}]` : `[${JSON.stringify(s.key)}]`)).join('') || '$'
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** Follows `path` into `value` (a parsed JSON document). */
export function extractJsonPath(value: unknown, path: string): ExtractJsonPathReturnType {
  const parsed = parsePath(path)
  if (!parsed.ok) return parsed
  let current = value
  for (let k = 0; k < parsed.segments.length; k++) {
    const segment = parsed.segments[k]!
    const at = describe(parsed.segments.slice(0, k + 1))
    if (segment.kind === 'index') {
      if (!Array.isArray(current)) return { ok: false, reason: 'type_mismatch', message: `expected an array before ${at}`, at }
      if (segment.index >= current.length) return { ok: false, reason: 'not_found', message: `index out of range at ${at} (length ${current.length})`, at }
      current = current[segment.index]
    } else {
      if (!isPlainObject(current)) return { ok: false, reason: 'type_mismatch', message: `expected an object before ${at}`, at }
      if (!Object.hasOwn(current, segment.key)) return { ok: false, reason: 'not_found', message: `no key at ${at}`, at }
      current = current[segment.key]
    }
  }
  return { ok: true, value: current }
}

/**
 * A JSON number or numeric string as a plain decimal string ("43210.12", "0.00000012"), or undefined.
 * Numbers arrive as doubles (JSON.parse): their shortest round-trip form is the decimal the provider wrote
 * whenever it had at most 15 significant digits; it is never given in exponent form here. Strings are
 * taken as written when they are plain decimals (exchanges publish prices as strings for this reason).
 */
export function jsonDecimalText(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? plainDecimal(String(value)) : undefined
  if (typeof value !== 'string') return undefined
  const s = value.trim()
  if (s.length > 80) return undefined
  if (/^-?\d+(\.\d+)?$/.test(s)) return s
  return /^-?\d+(\.\d+)?e[+-]?\d+$/i.test(s) ? plainDecimal(s) : undefined
}

/** "1.2e-7" -> "0.00000012"; plain input unchanged. Exponents are bounded (a double's are within ±324). */
function plainDecimal(s: string): string | undefined {
  const m = /^(-?)(\d+)(?:\.(\d+))?e([+-]?\d+)$/i.exec(s)
  if (!m) return s
  const [, sign, int, frac = '', expText] = m
  const exp = Number(expText)
  if (!Number.isInteger(exp) || Math.abs(exp) > 400) return undefined
  const digits = `${int}${frac}`.replace(/^0+(?=\d)/, '')
  const point = int!.replace(/^0+(?=\d)/, '').length + exp
  let out: string
  if (point <= 0) out = `0.${'0'.repeat(-point)}${digits}`
  else if (point >= digits.length) out = `${digits}${'0'.repeat(point - digits.length)}`
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`
  out = out.includes('.') ? out.replace(/0+$/, '').replace(/\.$/, '') : out
  return `${sign}${out}`
}
