/** The NATS connection of `sibyl evidence` and `sibyl replay`: a reader of the network, secured or open. */
import { connect, type NatsConnection } from '@nats-io/transport-node'
import { natsClientOptions } from '@sibyl/service-kit/nats/connect-nats'
import type { CommandIo } from './io.ts'

export type EvidenceReaderFlags = { nats?: string | undefined; 'nats-creds'?: string | undefined; 'nats-ca'?: string | undefined }

/** Connects as the flags say; a failure is written to stderr as `sibyl COMMAND: …` and returned as undefined. */
export async function connectEvidenceReader(command: string, values: EvidenceReaderFlags, io: CommandIo): Promise<NatsConnection | undefined> {
  return connect({
    ...natsClientOptions({
      servers: [values.nats ?? 'nats://127.0.0.1:4222'],
      ...(values['nats-creds'] ? { credentialsFile: values['nats-creds'] } : {}),
      ...(values['nats-ca'] ? { tls: { caFile: values['nats-ca'] } } : {}),
    }),
    name: `sibyl-${command}`,
    timeout: 10_000,
  }).catch((error: unknown) => {
    io.stderr.write(`sibyl ${command}: cannot reach NATS: ${(error as Error).message}\n`)
    return undefined
  })
}
