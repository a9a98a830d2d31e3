/**
 * sibyl aggregator --config FILE
 * Runs an aggregator until SIGINT/SIGTERM, then finishes commits in flight (for at most `stopGraceMs`) and
 * drains NATS.
 */
import { ConfigError } from '@sibyl/service-kit/config/config-parts'
import { loadAggregatorConfig } from '@sibyl/aggregator/config/aggregator-config'
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, parseCommandArgs, type Command, type CommandIo, waitForShutdownSignal } from './io.ts'

const usage = `Usage: sibyl aggregator --config FILE

Runs an aggregator: reads signed observations from NATS JetStream (sharing the work with any other
aggregators of the deployment), verifies signatures and stakes, rejects outliers, and commits each round's
consensus on-chain exactly once. Outliers and non-responders are published on sibyl.v1.outliers.>.

  --config FILE   aggregator config (YAML or JSON); see the README's configuration reference
`

async function run(args: string[], io: CommandIo): Promise<number> {
  const cli = parseCommandArgs(args, { config: { type: 'string' } }, usage, io)
  if ('exitCode' in cli) return cli.exitCode
  const { values } = cli
  if (!values.config) {
    io.stderr.write(`sibyl aggregator: --config is required\n\n${usage}`)
    return EXIT_USAGE
  }
  let config
  try {
    config = loadAggregatorConfig(values.config)
  } catch (error) {
    io.stderr.write(`sibyl aggregator: ${(error as Error).message}\n`)
    return EXIT_USAGE
  }
  const { startAggregator } = await import('@sibyl/aggregator/start-aggregator')
  let started
  try {
    started = await startAggregator({ config, env: io.env })
  } catch (error) {
    io.stderr.write(`sibyl aggregator: ${(error as Error).message}\n`)
    return error instanceof ConfigError ? EXIT_USAGE : EXIT_FAILED
  }
  await waitForShutdownSignal()
  await started.stop()
  return EXIT_OK
}

export const aggregatorCommand: Command = { name: 'aggregator', summary: 'run an aggregator', usage, run }
