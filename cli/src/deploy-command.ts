/**
 * sibyl deploy --rpc URL [--config FILE] [--out FILE] [--key-env NAME]
 * Deploys the contract set and writes the address file the node, the aggregator and the demo read.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { JsonRpcProvider, Wallet } from 'ethers'
import { DeployError, deploySibyl } from '@sibyl/contracts/deploy'
import { deployConfigSchema } from '@sibyl/contracts/deploy-config'
import { describeIssues } from '@sibyl/protocol/schema-parts'
import { describeContractError } from '@sibyl/contracts/decode-error'
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, parseCommandArgs, type Command, type CommandIo } from './io.ts'
import { toJson } from './chain/run-on-chain.ts'

const usage = `Usage: sibyl deploy [--rpc URL] [--config FILE] [--out FILE] [--key-env NAME]

Deploys Staking, ResolutionOracle, DisputeGovernance, the configured feeds and, when the config names no
token, Chainlink's LinkToken; then writes the address file (default: deployments/<chainId>.json).

  --rpc URL        JSON-RPC endpoint of the chain (default: $SIBYL_RPC)
  --config FILE    deploy config (JSON); every field has a default for local networks
  --out FILE       where to write the address file
  --key-env NAME   environment variable holding the deployer's private key (default SIBYL_DEPLOYER_KEY)
`

const CONNECT_TIMEOUT_MS = 10_000

async function run(args: string[], io: CommandIo): Promise<number> {
  const cli = parseCommandArgs(
    args,
    { rpc: { type: 'string' }, config: { type: 'string' }, out: { type: 'string' }, 'key-env': { type: 'string', default: 'SIBYL_DEPLOYER_KEY' } },
    usage,
    io,
  )
  if ('exitCode' in cli) return cli.exitCode
  const { values } = cli
  values.rpc ??= io.env.SIBYL_RPC
  if (!values.rpc) {
    io.stderr.write(`sibyl deploy: --rpc is required (or SIBYL_RPC)\n\n${usage}`)
    return EXIT_USAGE
  }
  const keyEnv = values['key-env'] ?? 'SIBYL_DEPLOYER_KEY'
  const key = io.env[keyEnv]
  if (!key || !/^(0x)?[0-9a-fA-F]{64}$/.test(key)) {
    io.stderr.write(`sibyl deploy: ${keyEnv} must hold the deployer's private key (64 hex digits)\n`)
    return EXIT_USAGE
  }
  let rawConfig: unknown = {}
  if (values.config) {
    try {
      rawConfig = JSON.parse(readFileSync(values.config, 'utf8'))
    } catch (error) {
      io.stderr.write(`sibyl deploy: cannot read ${values.config}: ${(error as Error).message}\n`)
      return EXIT_USAGE
    }
  }
  const parsed = deployConfigSchema.safeParse(rawConfig)
  if (!parsed.success) {
    for (const line of describeIssues(parsed.error)) io.stderr.write(`sibyl deploy: config ${line}\n`)
    return EXIT_USAGE
  }

  const provider = new JsonRpcProvider(values.rpc, undefined, { cacheTimeout: -1 })
  provider.pollingInterval = 200
  try {
    // ethers retries network detection forever; an operator with a wrong URL should hear about it.
    await Promise.race([
      provider.getNetwork(),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`no answer from ${values.rpc} within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS).unref(),
      ),
    ])
    const signer = new Wallet(key, provider)
    const deployment = await deploySibyl({ signer, config: rawConfig as never })
    const out = values.out ?? `deployments/${deployment.chainId}.json`
    mkdirSync(dirname(out), { recursive: true })
    writeFileSync(out, `${JSON.stringify(deployment, null, 2)}\n`)
    // The parameters actually used (defaults filled in), so a local network's windows and epoch are on record.
    io.stdout.write(`${toJson({ event: 'deployed', out, ...deployment, parameters: parsed.data })}\n`)
    return EXIT_OK
  } catch (error) {
    io.stderr.write(`sibyl deploy: ${error instanceof DeployError ? error.message : describeContractError(error)}\n`)
    return EXIT_FAILED
  } finally {
    provider.destroy()
  }
}

export const deployCommand: Command = {
  name: 'deploy',
  summary: 'deploy the contracts and write the address file',
  usage,
  run,
}
