/**
 * Creates the JetStream streams Sibyl uses if they are missing (idempotent; several nodes may race).
 * Observations are kept for a day, with a duplicate window long enough that a node republishing after a
 * restart is dropped by the server.
 */
import { jetstreamManager, type StreamConfig } from '@nats-io/jetstream'
import { nanos, type NatsConnection } from '@nats-io/nats-core'
import { streams } from '@sibyl/protocol/subjects'

export const DUPLICATE_WINDOW_MS = 2 * 60 * 60 * 1000

export async function ensureStreams(nc: NatsConnection): Promise<void> {
  const jsm = await jetstreamManager(nc)
  const wanted: (Partial<StreamConfig> & { name: string })[] = [
    {
      name: streams.observations.name,
      subjects: [...streams.observations.subjects],
      max_age: nanos(24 * 60 * 60 * 1000),
      duplicate_window: nanos(DUPLICATE_WINDOW_MS),
      max_msg_size: 64 * 1024,
    },
    {
      name: streams.outliers.name,
      subjects: [...streams.outliers.subjects],
      max_age: nanos(30 * 24 * 60 * 60 * 1000),
      duplicate_window: nanos(DUPLICATE_WINDOW_MS),
      max_msg_size: 256 * 1024,
    },
  ]
  for (const config of wanted) {
    try {
      await jsm.streams.info(config.name)
    } catch {
      try {
        await jsm.streams.add(config)
      } catch (error) {
        // Another node created it between our look and our add.
        await jsm.streams.info(config.name).catch(() => {
          throw error
        })
      }
    }
  }
}
