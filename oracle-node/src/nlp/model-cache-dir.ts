/**
 * Where models that install from npm are converted to: the first of
 *   1. `$SIBYL_MODEL_CACHE` (any non-empty path, made absolute),
 *   2. `$XDG_CACHE_HOME/sibyl/models` (when XDG_CACHE_HOME is an absolute path, per the XDG spec),
 *   3. `<home>/.cache/sibyl/models`.
 * The folder uses the transformers.js local layout (`<dir>/<org>/<name>/...`), so it can also be given as
 * `model.modelsDir`. The environment and home folder are passed in: only `main()` reads the process's.
 */
import { isAbsolute, join, resolve } from 'node:path'

export const MODEL_CACHE_ENV = 'SIBYL_MODEL_CACHE'

export type ResolveModelCacheDirParameters = {
  env: Record<string, string | undefined>
  homeDir: string
}

export function resolveModelCacheDir({ env, homeDir }: ResolveModelCacheDirParameters): string {
  const explicit = env[MODEL_CACHE_ENV]
  if (explicit !== undefined && explicit !== '') return resolve(explicit)
  const xdg = env.XDG_CACHE_HOME
  if (xdg !== undefined && isAbsolute(xdg)) return join(xdg, 'sibyl', 'models')
  return join(homeDir, '.cache', 'sibyl', 'models')
}
