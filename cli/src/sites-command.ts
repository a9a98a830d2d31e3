/**
 * sibyl sites [--host HOST] [--port PORT]
 * Serves the demo's fictional news, sports and price sites (feeds/demo/sites) until SIGINT/SIGTERM.
 */
import { EXIT_OK, EXIT_USAGE, parseCommandArgs, type Command, type CommandIo, waitForShutdownSignal } from './io.ts'

const usage = `Usage: sibyl sites [--host HOST] [--port PORT]

Serves the demo's source sites (fictional news, sports results and a price page with a JSON quote), the
sources the demo's questions and feed name. For local networks and the docker-compose topology only.

  --host HOST   address to listen on (default 127.0.0.1)
  --port PORT   port (default 8080)
`

async function run(args: string[], io: CommandIo): Promise<number> {
  const cli = parseCommandArgs(args, { host: { type: 'string', default: '127.0.0.1' }, port: { type: 'string', default: '8080' } }, usage, io)
  if ('exitCode' in cli) return cli.exitCode
  const port = Number(cli.values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    io.stderr.write(`sibyl sites: --port must be 0-65535\n`)
    return EXIT_USAGE
  }
  const { startDemoSites } = await import('@sibyl/devnet/serve-demo-sites')
  const sites = await startDemoSites({ host: cli.values.host ?? '127.0.0.1', port })
  io.stdout.write(`${JSON.stringify({ event: 'sites', url: sites.url })}\n`)
  await waitForShutdownSignal()
  await sites.close()
  return EXIT_OK
}

export const sitesCommand: Command = { name: 'sites', summary: "serve the demo's source sites", usage, run }
