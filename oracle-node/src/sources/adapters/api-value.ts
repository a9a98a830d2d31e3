/**
 * What a numeric API adapter returns: the value as the provider published it (a plain decimal string, never
 * a float), its unit, and where it was read — or why not, as a value (house style: expected failures are
 * values; only bugs throw).
 */

export type ApiValueFailureReason =
  /** The provider answered with an error (Kraken's `error`, Binance's `code`/`msg`, Coinbase's `message`). */
  | 'provider_error'
  /** The document does not have the shape the adapter reads. */
  | 'shape'
  /** The shape is right but the asked instrument / field is absent. */
  | 'not_found'
  /** The field is there but is not a plain decimal number. */
  | 'not_a_number'

export type ApiValue =
  | { ok: true; decimal: string; unit: string | undefined; evidence: string }
  | { ok: false; reason: ApiValueFailureReason; message: string }

export const apiFailure = (reason: ApiValueFailureReason, message: string): ApiValue => ({ ok: false, reason, message: message.slice(0, 300) })

/** A plain object (not an array, not null), or undefined. */
export function objectAt(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
}

/** An own property of a plain object (never one from the prototype chain). */
export function own(obj: Record<string, unknown> | undefined, key: string): unknown {
  return obj !== undefined && Object.hasOwn(obj, key) ? obj[key] : undefined
}
