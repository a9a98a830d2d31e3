/**
 * Where the shared labelled data lives: SIBYL_DATA_DIR, else `<repo>/../shared/data` (this file sits at
 * `<repo>/oracle-node/src/sources/testing/`). Test-only: library code never reads the environment.
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export function sharedDataDir(): string {
  const fromEnv = process.env['SIBYL_DATA_DIR']
  return fromEnv && fromEnv.length > 0 ? fromEnv : fileURLToPath(new URL('../../../../../shared/data/', import.meta.url))
}

export function hasSharedDataset(name: string): boolean {
  return existsSync(`${sharedDataDir()}/${name}/data.jsonl`)
}
