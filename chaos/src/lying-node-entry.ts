/**
 * The chaos suite's lying node, as its own process: `node --import tsx chaos/src/lying-node-entry.ts --config FILE`.
 * The same start as `sibyl node --config FILE` (cli/src/node-command.ts), with the devnet's lying resolver around
 * the real pipeline: it judges honestly, then reports the next outcome. The CLI has no such option, and must not.
 */
import { parseArgs } from 'node:util'
import { loadNodeConfig } from '@sibyl/oracle-node/config/node-config'
import { startOracleNode } from '@sibyl/oracle-node/node/start-oracle-node'
import { createPipelineResolver } from '@sibyl/oracle-node/node/create-pipeline-resolver'
import { createLyingFeedValueReader, createLyingResolver } from '@sibyl/devnet/lying-resolver'

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { config: { type: 'string' } } })
  if (!values.config) {
    process.stderr.write('lying-node-entry: --config is required\n')
    return 2
  }
  const config = loadNodeConfig(values.config)
  const started = await startOracleNode({
    config,
    env: process.env,
    createResolver: async (context) => createLyingResolver(await createPipelineResolver(context)),
    wrapFeedValueReader: (read) => createLyingFeedValueReader(read, 10n),
  })
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve())
    process.once('SIGTERM', () => resolve())
  })
  await started.stop()
  return 0
}

process.exitCode = await main().catch((error: unknown) => {
  process.stderr.write(`lying-node-entry: ${(error as Error).message}\n`)
  // Handles a failed start left open (NATS, worker threads) must not keep it alive: the run restarts it.
  process.exit(1)
})
