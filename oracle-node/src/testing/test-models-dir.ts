/**
 * Test-only: the shared models folder, from SIBYL_MODELS_DIR or `../shared/models` beside the repo root.
 * Tests, benchmarks and judge-lab import this; no file the node runs does (the node gets its folder from its
 * config).
 */
import { fileURLToPath } from 'node:url'
import { resolve } from 'node:path'

export function resolveTestModelsDir(environment: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = environment.SIBYL_MODELS_DIR
  if (fromEnv !== undefined && fromEnv !== '') return resolve(fromEnv)
  // oracle-node/src/testing/ -> repo root -> ../shared/models
  return resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', '..', 'shared', 'models')
}
