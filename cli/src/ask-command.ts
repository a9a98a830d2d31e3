/**
 * sibyl ask --spec FILE --resolve-after TIME [--fee WEI]: asks the network a question from an account
 * (a builder trying a spec, or a script). Contracts ask through requestResolution themselves (README,
 * "Market builder").
 */
import { requestParams } from '@sibyl/contracts/requests'
import { parseCommandArgs, type Command, type CommandIo } from './io.ts'
import { chainOptions, chainUsage, keyOptions, keyUsage } from './chain/open-chain.ts'
import { runOnChain } from './chain/run-on-chain.ts'
import { loadQuestionSpec } from './spec/load-question-spec.ts'
import { mintIfShort, readMintKey } from './chain/mint-if-short.ts'

const usage = `Usage: sibyl ask --spec FILE --resolve-after TIME [--fee WEI] [--outcomes A,B,...] [--callback-gas N] [--quiet]
                 [--mint-key-env NAME] [--rpc URL] [--deployment FILE] [--key-env NAME] [--json]

Asks a question: checks the spec (as sibyl spec check), the fee against the oracle's minimum, the sender's
token balance and allowance (approving the fee to the oracle when the allowance is short), has the contract
check the request (checkRequest), then sends requestResolution and prints the request id.

  --spec FILE           the question spec (JSON); its outcomes are the request's outcome labels
  --resolve-after TIME  when nodes may answer: unix seconds, an ISO date, or +SECONDS from the chain's clock
  --fee WEI             fee in the network token (default: the oracle's minFeeWei)
  --outcomes A,B,...    optional: must equal the spec's outcomes (a guard against asking the wrong file)
  --callback-gas N      gas for the onResolution callback (default 0: no callback, e.g. for an account)
  --quiet               print only the request id (for REQUEST_ID=$(sibyl ask ...))
  --mint-key-env NAME   local networks only: the token owner's key, to mint the fee to the sender first
${chainUsage}
${keyUsage('SIBYL_KEY')}
`

/** Unix seconds from "1767225600", "2026-01-01T00:00:00Z" or "+120" (relative to `nowSec`). */
export function parseResolveAfter(value: string, nowSec: bigint): bigint | undefined {
  if (/^\+[0-9]+$/.test(value)) return nowSec + BigInt(value.slice(1))
  if (/^[0-9]+$/.test(value)) return BigInt(value)
  const ms = Date.parse(value)
  return Number.isNaN(ms) ? undefined : BigInt(Math.floor(ms / 1000))
}

async function run(args: string[], io: CommandIo): Promise<number> {
  const cli = parseCommandArgs(
    args,
    { ...chainOptions, ...keyOptions, spec: { type: 'string' }, 'resolve-after': { type: 'string' }, fee: { type: 'string' }, outcomes: { type: 'string' }, 'callback-gas': { type: 'string' }, quiet: { type: 'boolean' }, 'mint-key-env': { type: 'string' } },
    usage,
    io,
  )
  if ('exitCode' in cli) return cli.exitCode
  const { values } = cli
  const usageError = (message: string) => {
    io.stderr.write(`sibyl ask: ${message}\n`)
    return 2
  }
  if (!values.spec || !values['resolve-after']) return usageError(`--spec and --resolve-after are required\n\n${usage}`)
  if (values.fee !== undefined && !/^[0-9]+$/.test(values.fee)) return usageError('--fee must be an integer number of wei')
  if (values['callback-gas'] !== undefined && !/^[0-9]+$/.test(values['callback-gas'])) return usageError('--callback-gas must be an integer')
  const mint = readMintKey(values['mint-key-env'], io.env)
  if (!mint.ok) return usageError(mint.message)
  const loaded = loadQuestionSpec(values.spec)
  if (!loaded.ok) return usageError(loaded.problems.join('\n'))
  const outcomes = loaded.spec.outcomes
  if (values.outcomes !== undefined) {
    const given = values.outcomes.split(',').map((s) => s.trim())
    if (given.length !== outcomes.length || given.some((o, i) => o !== outcomes[i])) {
      return usageError(`--outcomes ${given.join(',')} differ from the spec's outcomes ${outcomes.join(',')}: nodes would refuse the request`)
    }
  }
  return runOnChain({
    name: 'ask',
    io,
    values,
    keyEnvDefault: 'SIBYL_KEY',
    needKey: true,
    body: async (chain) => {
      const { oracle, token } = chain.contracts
      const from = chain.wallet!.address
      const block = await chain.provider.getBlock('latest')
      const resolveAfter = parseResolveAfter(values['resolve-after']!, BigInt(block?.timestamp ?? 0))
      if (resolveAfter === undefined) return { ok: false, usage: true, message: `--resolve-after ${values['resolve-after']} is not a time` }
      const minFeeWei = await oracle.minFeeWei()
      const feeWei = values.fee !== undefined ? BigInt(values.fee) : minFeeWei
      if (feeWei < minFeeWei) return { ok: false, usage: true, message: `--fee ${feeWei} is below the oracle's minimum fee ${minFeeWei} wei` }
      const steps: string[] = []
      if (mint.key && (await mintIfShort(chain, mint.key, from, feeWei))) steps.push('minted')
      const balanceWei = await token.balanceOf(from)
      if (balanceWei < feeWei) return { ok: false, message: `${from} holds ${balanceWei} wei of the token (${await token.getAddress()}), the fee is ${feeWei}`, result: { balanceWei, feeWei } }
      const params = requestParams({ spec: loaded.text, outcomes, resolveAfter, feeWei, callbackGasLimit: Number(values['callback-gas'] ?? 0) })
      const oracleAddress = chain.deployment.contracts.resolutionOracle
      if ((await token.allowance(from, oracleAddress)) < feeWei) {
        await (await token.approve(oracleAddress, feeWei)).wait()
        steps.push('approved')
      }
      // The contract's own checks (outcome count, callback gas, how far ahead resolveAfter may be) before paying gas.
      await oracle.checkRequest(params)
      const receipt = await (await oracle.requestResolution(params)).wait()
      const log = receipt?.logs.map((l) => oracle.interface.parseLog(l)).find((l) => l?.name === 'ResolutionRequested')
      const requestId = String(log?.args.requestId)
      steps.push('requested')
      return {
        ok: true,
        result: { requestId, specHash: loaded.specHash, outcomes, resolveAfter, feeWei, steps, tx: receipt?.hash },
        text: values.quiet ? requestId : `asked ${requestId}\n  ${loaded.spec.question}\n  outcomes ${outcomes.map((o, i) => `${i}=${o}`).join(' ')}; resolve after ${new Date(Number(resolveAfter) * 1000).toISOString()}; fee ${feeWei} wei`,
      }
    },
  })
}

export const askCommand: Command = { name: 'ask', summary: 'ask a question (spec, outcomes, resolve-after, fee)', usage, run }
