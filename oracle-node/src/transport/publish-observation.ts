/**
 * Publishes a signed observation to JetStream with a message id, so the server drops a republished copy
 * (a node restarted between publish and journal update). Bounded retries; the result is a value.
 */
import type { JetStreamClient } from '@nats-io/jetstream'
import { observationMessageId, observationSubject } from '@sibyl/protocol/subjects'
import type { ObservationMessage } from '@sibyl/protocol/messages'

export type PublishResult =
  | { ok: true; stream: string; seq: number; duplicate: boolean; subject: string }
  | { ok: false; error: string; attempts: number }

export async function publishObservation(
  js: JetStreamClient,
  message: ObservationMessage,
  options: { attempts?: number; timeoutMs?: number; backoffMs?: number } = {},
): Promise<PublishResult> {
  const target = {
    chainId: BigInt(message.domain.chainId),
    contract: message.domain.verifyingContract,
    requestId: message.observation.requestId,
  }
  const subject = observationSubject({ chainId: target.chainId, signer: message.signer })
  const msgID = observationMessageId({ ...target, round: message.observation.round, signer: message.signer, signature: message.signature })
  const data = new TextEncoder().encode(JSON.stringify(message))
  const attempts = options.attempts ?? 5
  let lastError = ''
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const ack = await js.publish(subject, data, { msgID, timeout: options.timeoutMs ?? 5000 })
      return { ok: true, stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate, subject }
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error)
      if (attempt < attempts) await new Promise((r) => setTimeout(r, (options.backoffMs ?? 250) * 2 ** (attempt - 1)))
    }
  }
  return { ok: false, error: lastError, attempts }
}
