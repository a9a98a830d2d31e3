/**
 * Test and script helper: the shared labelled data folder, from SIBYL_DATA_DIR or `../shared/data` beside the
 * repo root. The node itself never reads it.
 */
import { fileURLToPath } from 'node:url'
import { resolve } from 'node:path'

export function resolveTestDataDir(environment: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = environment.SIBYL_DATA_DIR
  if (fromEnv !== undefined && fromEnv !== '') return resolve(fromEnv)
  // oracle-node/src/resolve/ -> repo root -> ../shared/data
  return resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', '..', 'shared', 'data')
}
