/**
 * Test-only: the shared labelled data folder, from SIBYL_DATA_DIR or `../shared/data` beside the repo root.
 * Tests, benchmarks, the evaluation and judge-lab import this; no file the node runs does (the node never
 * reads labelled data).
 */
import { fileURLToPath } from 'node:url'
import { resolve } from 'node:path'

export function resolveTestDataDir(environment: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = environment.SIBYL_DATA_DIR
  if (fromEnv !== undefined && fromEnv !== '') return resolve(fromEnv)
  // oracle-node/src/testing/ -> repo root -> ../shared/data
  return resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', '..', 'shared', 'data')
}
