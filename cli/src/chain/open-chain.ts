/**
 * What every on-chain command shares: where the chain is (--rpc, or SIBYL_RPC), which deployment
 * (--deployment, or SIBYL_DEPLOYMENT), and whose key sends (--key-env NAME, or --keystore FILE with its
 * password in --password-env). Keys are read from the environment or an encrypted keystore, never from the
 * command line (which other users of the machine can read) and never printed.
 */
import { JsonRpcProvider, Wallet } from 'ethers'
import { readDeployment, type Deployment } from '@sibyl/protocol/deployment'
import { loadSigner } from '@sibyl/service-kit/config/load-signer'
import { connectContracts, type LocalContracts } from '@sibyl/contracts/connect-contracts'

export const chainOptions = {
  rpc: { type: 'string' },
  deployment: { type: 'string' },
  json: { type: 'boolean' },
} as const

export const keyOptions = {
  'key-env': { type: 'string' },
  keystore: { type: 'string' },
  'password-env': { type: 'string' },
} as const

export const chainUsage = `  --rpc URL             JSON-RPC endpoint of the chain (default: $SIBYL_RPC)
  --deployment FILE     the address file written by sibyl deploy (default: $SIBYL_DEPLOYMENT)
  --json                print one JSON object instead of text`

export function keyUsage(defaultEnv: string): string {
  return `  --key-env NAME        environment variable holding the sending key (default ${defaultEnv})
  --keystore FILE       an encrypted keystore (sibyl keys new) instead; its password in --password-env
  --password-env NAME   environment variable holding the keystore's password (default SIBYL_KEYSTORE_PASSWORD)`
}

export type ChainValues = { rpc?: string; deployment?: string; 'key-env'?: string; keystore?: string; 'password-env'?: string }

export type Chain = {
  provider: JsonRpcProvider
  deployment: Deployment
  /** Connected to the sending wallet when there is one, else read-only. */
  contracts: LocalContracts
  wallet: Wallet | undefined
  close: () => void
}

export type OpenChainResult = { ok: true; chain: Chain } | { ok: false; message: string }

/** Validates the options and connects; a missing or bad option is a message (exit 2), nothing is sent. */
export async function openChain(
  values: ChainValues,
  env: Record<string, string | undefined>,
  options: { keyEnvDefault: string; needKey: boolean },
): Promise<OpenChainResult> {
  const rpc = values.rpc ?? env.SIBYL_RPC
  const deploymentFile = values.deployment ?? env.SIBYL_DEPLOYMENT
  if (!rpc) return { ok: false, message: '--rpc is required (or SIBYL_RPC)' }
  if (!deploymentFile) return { ok: false, message: '--deployment is required (or SIBYL_DEPLOYMENT)' }
  let deployment: Deployment
  try {
    deployment = readDeployment(deploymentFile)
  } catch (error) {
    const meta = (error as { metaMessages?: string[] }).metaMessages ?? []
    return { ok: false, message: [(error as Error).message, ...meta].join(' ') }
  }
  let wallet: Wallet | undefined
  const wantsKey = options.needKey || values['key-env'] !== undefined || values.keystore !== undefined
  if (wantsKey) {
    if (values.keystore !== undefined && values['key-env'] !== undefined) return { ok: false, message: 'give --key-env or --keystore, not both' }
    try {
      wallet =
        values.keystore !== undefined
          ? await loadSigner({ source: 'keystore', path: values.keystore, passwordEnv: values['password-env'] ?? 'SIBYL_KEYSTORE_PASSWORD' }, env)
          : await loadSigner({ source: 'env', env: values['key-env'] ?? options.keyEnvDefault }, env)
    } catch (error) {
      return { ok: false, message: (error as Error).message }
    }
  }
  const provider = new JsonRpcProvider(rpc, Number(deployment.chainId), { staticNetwork: true, cacheTimeout: -1 })
  provider.pollingInterval = 200
  const connected = wallet ? wallet.connect(provider) : undefined
  return {
    ok: true,
    chain: {
      provider,
      deployment,
      contracts: connectContracts(deployment, connected ?? provider),
      wallet: connected,
      close: () => provider.destroy(),
    },
  }
}
