/**
 * The one error base of Sibyl. Expected failures (a source timed out, a model abstained) are values, not
 * exceptions; what is thrown is a bug or a refusal, and it says what, why, and what caused it.
 */
export type BaseErrorParameters = {
  details?: string
  cause?: unknown
  metaMessages?: string[]
}

export class BaseError extends Error {
  override name = 'SibylError'
  readonly shortMessage: string
  readonly details: string | undefined
  readonly metaMessages: string[]

  constructor(shortMessage: string, parameters: BaseErrorParameters = {}) {
    const details =
      parameters.details ?? (parameters.cause instanceof Error ? parameters.cause.message : undefined)
    const lines = [shortMessage, ...(parameters.metaMessages ?? [])]
    if (details) lines.push(`Details: ${details}`)
    super(lines.join('\n'), parameters.cause === undefined ? undefined : { cause: parameters.cause })
    this.shortMessage = shortMessage
    this.details = details
    this.metaMessages = parameters.metaMessages ?? []
  }
}
