/**
 * sibyl explorer --config FILE
 * Serves the explorer (web app + JSON API) over one deployment until SIGINT/SIGTERM.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { ConfigError } from '@sibyl/service-kit/config/config-parts'
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, parseCommandArgs, type Command, type CommandIo, waitForShutdownSignal } from './io.ts'

const usage = `Usage: sibyl explorer --config FILE

Runs the explorer: indexes the deployment's contracts (requests, commits, disputes, stakes, feed rounds; with
the configured confirmations) and reads the observation and outlier streams from NATS as a read-only identity,
then serves the web app and its JSON API (/api/requests, /api/feeds, /api/operators, /api/disputes,
/api/events; see explorer/README.md). It holds no key and sends no transaction.

  --config FILE   explorer config (YAML or JSON); see explorer/README.md
`

async function run(args: string[], io: CommandIo): Promise<number> {
  const cli = parseCommandArgs(args, { config: { type: 'string' } }, usage, io)
  if ('exitCode' in cli) return cli.exitCode
  const { values } = cli
  if (!values.config) {
    io.stderr.write(`sibyl explorer: --config is required\n\n${usage}`)
    return EXIT_USAGE
  }
  const [{ loadExplorerConfig }, { DEFAULT_STATIC_DIR }] = await Promise.all([import('@sibyl/explorer/explorer-config'), import('@sibyl/explorer/server/create-explorer-server')])
  let config
  try {
    config = loadExplorerConfig(values.config)
  } catch (error) {
    io.stderr.write(`sibyl explorer: ${(error as Error).message}\n`)
    return EXIT_USAGE
  }
  const staticDir = config.staticDir ?? DEFAULT_STATIC_DIR
  if (!existsSync(join(staticDir, 'index.html'))) {
    io.stderr.write(`sibyl explorer: the web app is not built (${join(staticDir, 'index.html')} is missing): run \`npm run build\` first\n`)
    return EXIT_FAILED
  }
  const [{ readDeployment }, { createLogger }, { natsAuthFromConfig }, { startExplorer }] = await Promise.all([
    import('@sibyl/protocol/deployment'),
    import('@sibyl/service-kit/log/create-logger'),
    import('@sibyl/service-kit/config/config-parts'),
    import('@sibyl/explorer/start-explorer'),
  ])
  let started
  try {
    started = await startExplorer({
      rpcUrls: config.chain.rpcUrls,
      deployment: readDeployment(config.chain.deploymentFile),
      nats: { servers: config.nats.servers, ...natsAuthFromConfig(config.nats, io.env) },
      port: config.http.port,
      host: config.http.host,
      confirmations: config.chain.confirmations,
      pollIntervalMs: config.chain.pollIntervalMs,
      maxBlockRange: config.chain.maxBlockRange,
      requestTimeoutMs: config.chain.requestTimeoutMs,
      feedSpecs: config.feedSpecs,
      staticDir,
      logger: createLogger({ level: config.log.level, bindings: { service: 'explorer', name: config.name } }),
    })
  } catch (error) {
    io.stderr.write(`sibyl explorer: ${(error as Error).message}\n`)
    return error instanceof ConfigError ? EXIT_USAGE : EXIT_FAILED
  }
  io.stdout.write(`sibyl explorer: serving ${started.url}\n`)
  await waitForShutdownSignal()
  await started.close()
  return EXIT_OK
}

export const explorerCommand: Command = { name: 'explorer', summary: 'serve the explorer: requests, feeds, operators and disputes in a browser', usage, run }
