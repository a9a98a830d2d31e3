/**
 * sibyl vote ID --answer N: a council member's vote on a dispute (DisputeGovernance.vote). Shows the member,
 * before it votes, what an overturn would do to the operator set.
 */
import { parseCommandArgs, type Command, type CommandIo } from './io.ts'
import { splitRequestId } from './evidence-command.ts'
import { chainOptions, chainUsage, keyOptions, keyUsage } from './chain/open-chain.ts'
import { runOnChain } from './chain/run-on-chain.ts'
import { findCommittedReport } from './chain/find-committed-report.ts'
import { parseAnswer } from './chain/parse-answer.ts'
import { assessSlashImpact, describeSlashImpact } from './chain/assess-slash-impact.ts'

const usage = `Usage: sibyl vote ID --answer N [--rpc URL] [--deployment FILE] [--key-env NAME] [--json]

Votes, as a member of the dispute's council, for the answer you find right: the committed answer upholds
it, another outcome index (or -1 / unresolvable) overturns it once it has a majority. Prints the tally and,
for an overturn, what it would do to the operator set (slashes, operators left, quorum) before sending.

  --answer N            the answer you vote for
${chainUsage}
${keyUsage('SIBYL_KEY')}
`

async function run(args: string[], io: CommandIo): Promise<number> {
  const split = splitRequestId('vote', args, usage, io)
  if ('exitCode' in split) return split.exitCode
  const { requestId } = split
  const cli = parseCommandArgs(split.rest, { ...chainOptions, ...keyOptions, answer: { type: 'string' } }, usage, io)
  if ('exitCode' in cli) return cli.exitCode
  const answer = parseAnswer(cli.values.answer)
  if (answer === undefined) {
    io.stderr.write(`sibyl vote: --answer must be an outcome index, -1 or unresolvable\n\n${usage}`)
    return 2
  }
  return runOnChain({
    name: 'vote',
    io,
    values: cli.values,
    keyEnvDefault: 'SIBYL_KEY',
    needKey: true,
    body: async (chain) => {
      const { governance } = chain.contracts
      const d = await governance.getDispute(requestId)
      if (d.state !== 1n) return { ok: false, message: `no dispute in vote for ${requestId}`, result: { state: d.state } }
      const overturns = answer !== BigInt(d.committedAnswer)
      const report = overturns ? await findCommittedReport(chain, requestId) : undefined
      const impact = report ? await assessSlashImpact(chain, report.signers) : undefined
      const receipt = await (await governance.vote(requestId, answer)).wait()
      const after = await governance.getDispute(requestId)
      const votes = await governance.votesFor(requestId, answer)
      const { threshold } = await governance.councilAt(d.councilEpoch)
      return {
        ok: true,
        result: { requestId, answer, votes, threshold, decided: after.decided, decision: after.decided ? after.decision : undefined, impact, tx: receipt?.hash },
        text: [
          `voted ${answer} on ${requestId}: ${votes} of ${threshold} needed${after.decided ? `; decided ${after.decision} (run sibyl execute ${requestId})` : ''}`,
          ...(impact ? [describeSlashImpact(impact)] : []),
        ].join('\n'),
      }
    },
  })
}

export const voteCommand: Command = { name: 'vote', summary: "a council member's vote on a dispute", usage, run }
