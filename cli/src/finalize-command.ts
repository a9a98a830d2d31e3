/**
 * sibyl finalize ID: makes a committed answer final once its dispute window has passed, which pays the
 * signers' fee shares and calls the requester back. Anyone may run it (aggregators also do, see
 * "Finality" in the README); the signer list comes from the ReportCommitted event.
 */
import { requestStatusName } from '@sibyl/protocol/request-status'
import { parseCommandArgs, type Command, type CommandIo } from './io.ts'
import { splitRequestId } from './evidence-command.ts'
import { chainOptions, chainUsage, keyOptions, keyUsage } from './chain/open-chain.ts'
import { runOnChain } from './chain/run-on-chain.ts'
import { findCommittedReport } from './chain/find-committed-report.ts'

const usage = `Usage: sibyl finalize ID [--wait] [--rpc URL] [--deployment FILE] [--key-env NAME] [--json]

Finalizes request ID after its dispute window: the answer becomes final, the fee is credited to the
report's signers (withdrawn with sibyl claim) and the requester's onResolution is called. Fails, sending
nothing, while the window is open (it prints when it closes) or when the request is not committed;
with --wait it waits for the window to close instead (at most --timeout-sec, default 3600).

  --wait                wait until the dispute window has closed, then finalize
  --timeout-sec N       with --wait: give up after N seconds

${chainUsage}
${keyUsage('SIBYL_KEY')}
`

async function run(args: string[], io: CommandIo): Promise<number> {
  const split = splitRequestId('finalize', args, usage, io)
  if ('exitCode' in split) return split.exitCode
  const { requestId } = split
  const cli = parseCommandArgs(split.rest, { ...chainOptions, ...keyOptions, wait: { type: 'boolean' }, 'timeout-sec': { type: 'string' } }, usage, io)
  if ('exitCode' in cli) return cli.exitCode
  const timeoutSec = cli.values['timeout-sec'] ?? '3600'
  if (!/^[0-9]+$/.test(timeoutSec)) {
    io.stderr.write('sibyl finalize: --timeout-sec must be an integer\n')
    return 2
  }
  return runOnChain({
    name: 'finalize',
    io,
    values: cli.values,
    keyEnvDefault: 'SIBYL_KEY',
    needKey: true,
    body: async (chain) => {
      const { oracle } = chain.contracts
      const request = await oracle.getRequest(requestId)
      const status = requestStatusName(request.status) ?? String(request.status)
      if (status !== 'Committed') return { ok: false, message: `request ${requestId} is ${status}, not Committed`, result: { requestId, status } }
      // The request's own window: longer when it is contested (ResolutionOracle.disputeEndsAt).
      const windowEndsAt = await oracle.disputeEndsAt(requestId)
      const report = await findCommittedReport(chain, requestId)
      if (!report) return { ok: false, message: `no ReportCommitted event for ${requestId} since the deployment block` }
      const block = await chain.provider.getBlock('latest')
      const now = BigInt(block?.timestamp ?? 0)
      if (cli.values.wait && now < windowEndsAt) {
        // Simulated against the pending block: the window has closed when the call no longer reverts.
        const giveUpAt = Date.now() + Number(timeoutSec) * 1000
        for (;;) {
          const open = await oracle.finalize.staticCall(requestId, report.signers).then(() => false, () => true)
          if (!open) break
          if (Date.now() >= giveUpAt) return { ok: false, message: `the dispute window was still open after ${timeoutSec} s`, result: { requestId, windowEndsAt } }
          await new Promise((resolve) => setTimeout(resolve, 1000))
        }
      } else if (now < windowEndsAt) {
        return {
          ok: false,
          message: `the dispute window is open until ${new Date(Number(windowEndsAt) * 1000).toISOString()} (${windowEndsAt - now} s from the chain's clock)`,
          result: { requestId, status, windowEndsAt },
        }
      }
      const receipt = await (await oracle.finalize(requestId, report.signers)).wait()
      return {
        ok: true,
        result: { requestId, answer: report.answer, signers: report.signers, tx: receipt?.hash },
        text: `finalized ${requestId}: answer ${report.answer}, fee credited to ${report.signers.length} signers (tx ${receipt?.hash})`,
      }
    },
  })
}

export const finalizeCommand: Command = { name: 'finalize', summary: 'make a committed answer final after its dispute window', usage, run }
