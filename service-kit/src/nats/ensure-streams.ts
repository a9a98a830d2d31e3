/**
 * Creates the JetStream streams Sibyl uses if they are missing (idempotent; several services may race).
 * Their names and limits are defined in `@sibyl/protocol/subjects`, beside the subjects they hold.
 */
import { jetstreamManager, type StreamConfig } from '@nats-io/jetstream'
import { nanos, type NatsConnection } from '@nats-io/nats-core'
import { streams } from '@sibyl/protocol/subjects'

export async function ensureStreams(nc: NatsConnection): Promise<void> {
  const jsm = await jetstreamManager(nc)
  const wanted: (Partial<StreamConfig> & { name: string })[] = Object.values(streams).map((s) => ({
    name: s.name,
    subjects: [...s.subjects],
    max_age: nanos(s.maxAgeMs),
    duplicate_window: nanos(s.duplicateWindowMs),
    max_msg_size: s.maxMsgBytes,
  }))
  for (const config of wanted) {
    try {
      await jsm.streams.info(config.name)
    } catch {
      try {
        await jsm.streams.add(config)
      } catch (error) {
        // Another service created it between our look and our add.
        await jsm.streams.info(config.name).catch(() => {
          throw error
        })
      }
    }
  }
}
