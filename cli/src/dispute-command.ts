/**
 * sibyl dispute ID --answer N [--bond WEI]: claims, with a bond, that a committed answer is wrong
 * (DisputeGovernance.dispute). Approves the bond to the dispute contract first; the first claim opens the
 * dispute with the report's signer list read from ReportCommitted.
 */
import { requestStatusName } from '@sibyl/protocol/request-status'
import { parseCommandArgs, type Command, type CommandIo } from './io.ts'
import { splitRequestId } from './evidence-command.ts'
import { chainOptions, chainUsage, keyOptions, keyUsage } from './chain/open-chain.ts'
import { runOnChain } from './chain/run-on-chain.ts'
import { findCommittedReport } from './chain/find-committed-report.ts'
import { parseAnswer } from './chain/parse-answer.ts'
import { assessSlashImpact, describeSlashImpact } from './chain/assess-slash-impact.ts'
import { mintIfShort, readMintKey } from './chain/mint-if-short.ts'

const usage = `Usage: sibyl dispute ID --answer N [--bond WEI] [--mint-key-env NAME] [--rpc URL] [--deployment FILE] [--key-env NAME] [--json]

Claims that the right answer of request ID is N (an outcome index, or -1 / unresolvable), posting a bond
(default: the minimum bond) in the network token, approved to DisputeGovernance here. The first claim must
come within the dispute window and locks the signers' stake; later claims (one per address) until the
council decides. Prints what overturning would do to the operator set (slashes, operators left, quorum).
If the council decides for your answer, run sibyl execute and then sibyl claim.

  --answer N            the answer you claim is right
  --bond WEI            bond in the network token (default: DisputeGovernance.minBondWei)
  --mint-key-env NAME   local networks only: the token owner's key, to mint the bond to the sender first
${chainUsage}
${keyUsage('SIBYL_KEY')}
`

async function run(args: string[], io: CommandIo): Promise<number> {
  const split = splitRequestId('dispute', args, usage, io)
  if ('exitCode' in split) return split.exitCode
  const { requestId } = split
  const cli = parseCommandArgs(split.rest, { ...chainOptions, ...keyOptions, answer: { type: 'string' }, bond: { type: 'string' }, 'mint-key-env': { type: 'string' } }, usage, io)
  if ('exitCode' in cli) return cli.exitCode
  const answer = parseAnswer(cli.values.answer)
  if (answer === undefined) {
    io.stderr.write(`sibyl dispute: --answer must be an outcome index, -1 or unresolvable\n\n${usage}`)
    return 2
  }
  if (cli.values.bond !== undefined && !/^[0-9]+$/.test(cli.values.bond)) {
    io.stderr.write('sibyl dispute: --bond must be an integer number of wei\n')
    return 2
  }
  const mint = readMintKey(cli.values['mint-key-env'], io.env)
  if (!mint.ok) {
    io.stderr.write(`sibyl dispute: ${mint.message}\n`)
    return 2
  }
  return runOnChain({
    name: 'dispute',
    io,
    values: cli.values,
    keyEnvDefault: 'SIBYL_KEY',
    needKey: true,
    body: async (chain) => {
      const { oracle, governance, token } = chain.contracts
      const from = chain.wallet!.address
      const request = await oracle.getRequest(requestId)
      const status = requestStatusName(request.status) ?? String(request.status)
      if (status !== 'Committed' && status !== 'Disputed') return { ok: false, message: `request ${requestId} is ${status}: only a committed answer can be disputed`, result: { status } }
      if (answer === BigInt(request.answer)) return { ok: false, usage: true, message: `${answer} is the committed answer: a claim must name another` }
      const minBondWei = await governance.minBondWei()
      const bondWei = cli.values.bond !== undefined ? BigInt(cli.values.bond) : minBondWei
      if (bondWei < minBondWei) return { ok: false, usage: true, message: `--bond ${bondWei} is below the minimum bond ${minBondWei} wei` }
      const steps: string[] = []
      if (mint.key && (await mintIfShort(chain, mint.key, from, bondWei))) steps.push('minted')
      const balanceWei = await token.balanceOf(from)
      if (balanceWei < bondWei) return { ok: false, message: `${from} holds ${balanceWei} wei of the token, the bond is ${bondWei}`, result: { balanceWei, bondWei } }
      const report = await findCommittedReport(chain, requestId)
      if (!report) return { ok: false, message: `no ReportCommitted event for ${requestId} since the deployment block` }
      const impact = await assessSlashImpact(chain, report.signers)
      const governanceAddress = chain.deployment.contracts.disputeGovernance
      if ((await token.allowance(from, governanceAddress)) < bondWei) {
        await (await token.approve(governanceAddress, bondWei)).wait()
        steps.push('approved')
      }
      const receipt = await (await governance.dispute(requestId, answer, bondWei, report.signers)).wait()
      steps.push(status === 'Committed' ? 'opened' : 'claimed')
      const d = await governance.getDispute(requestId)
      return {
        ok: true,
        result: { requestId, committedAnswer: report.answer, claimedAnswer: answer, bondWei, votingEndsAt: d.votingEndsAt, steps, impact, tx: receipt?.hash },
        text: [
          `disputed ${requestId}: claimed ${answer} against ${report.answer} with a bond of ${bondWei} wei; the council votes until ${new Date(Number(d.votingEndsAt) * 1000).toISOString()}`,
          describeSlashImpact(impact),
        ].join('\n'),
      }
    },
  })
}

export const disputeCommand: Command = { name: 'dispute', summary: 'claim, with a bond, that a committed answer is wrong', usage, run }
