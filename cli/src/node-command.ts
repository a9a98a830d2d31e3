/**
 * sibyl node --config FILE
 * Runs an oracle node until SIGINT/SIGTERM, then finishes the round in hand (for at most `stopGraceMs`), drains
 * NATS and closes its journal.
 */
import { ConfigError, loadNodeConfig } from '@sibyl/oracle-node/config/node-config'
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, parseCommandArgs, type Command, type CommandIo, waitForShutdownSignal } from './io.ts'

const usage = `Usage: sibyl node --config FILE

Runs an oracle node: watches the chain for questions, reads their sources, judges them with the configured
models, signs (with slashing protection) and publishes observations to NATS JetStream.

  --config FILE   node config (YAML or JSON); see the README's configuration reference
`

async function run(args: string[], io: CommandIo): Promise<number> {
  const cli = parseCommandArgs(args, { config: { type: 'string' } }, usage, io)
  if ('exitCode' in cli) return cli.exitCode
  const { values } = cli
  if (!values.config) {
    io.stderr.write(`sibyl node: --config is required\n\n${usage}`)
    return EXIT_USAGE
  }
  let config
  try {
    config = loadNodeConfig(values.config)
  } catch (error) {
    io.stderr.write(`sibyl node: ${(error as Error).message}\n`)
    return EXIT_USAGE
  }
  // Loaded here, not at the top: the models and their runtime are heavy and `--help` should not pay for them.
  const { startOracleNode } = await import('@sibyl/oracle-node/node/start-oracle-node')
  const { createPipelineResolver } = await import('@sibyl/oracle-node/node/create-pipeline-resolver')
  let started
  try {
    started = await startOracleNode({ config, env: io.env, createResolver: createPipelineResolver })
  } catch (error) {
    io.stderr.write(`sibyl node: ${(error as Error).message}\n`)
    return error instanceof ConfigError ? EXIT_USAGE : EXIT_FAILED
  }
  await waitForShutdownSignal()
  await started.stop()
  return EXIT_OK
}

export const nodeCommand: Command = { name: 'node', summary: 'run an oracle node', usage, run }
