/**
 * sibyl execute ID: carries out a decided (or expired) dispute and settles every claim on it
 * (DisputeGovernance.execute, then settleClaim per claimant), so each party only has to run sibyl claim.
 * Before sending it shows what an overturn does to the operator set, and refuses to halt the network (no
 * active operator left) unless told so with --accept-halt.
 */
import { parseCommandArgs, type Command, type CommandIo } from './io.ts'
import { splitRequestId } from './evidence-command.ts'
import { chainOptions, chainUsage, keyOptions, keyUsage, type Chain } from './chain/open-chain.ts'
import { runOnChain } from './chain/run-on-chain.ts'
import { findCommittedReport, LOG_BLOCK_RANGE } from './chain/find-committed-report.ts'
import { assessSlashImpact, describeSlashImpact } from './chain/assess-slash-impact.ts'

const usage = `Usage: sibyl execute ID [--accept-halt] [--rpc URL] [--deployment FILE] [--key-env NAME] [--json]

Executes the dispute on request ID once the council has decided or its vote has ended (anyone may), then
settles every claim on it. Overturned: the signers are slashed; the claimants of the decided answer are
credited their bonds and reward. Upheld: the bonds go to the signers. Expired: bonds are returned.
Before sending it prints what the execution does to the operator set; when no active operator would
remain (the network halts until operators stake again) it sends nothing unless --accept-halt is given.

  --accept-halt         execute even if it leaves no active operator
${chainUsage}
${keyUsage('SIBYL_KEY')}
`

const OUTCOMES = ['overturned', 'upheld', 'expired'] as const

async function run(args: string[], io: CommandIo): Promise<number> {
  const split = splitRequestId('execute', args, usage, io)
  if ('exitCode' in split) return split.exitCode
  const { requestId } = split
  const cli = parseCommandArgs(split.rest, { ...chainOptions, ...keyOptions, 'accept-halt': { type: 'boolean' } }, usage, io)
  if ('exitCode' in cli) return cli.exitCode
  return runOnChain({
    name: 'execute',
    io,
    values: cli.values,
    keyEnvDefault: 'SIBYL_KEY',
    needKey: true,
    body: async (chain) => {
      const { governance, staking } = chain.contracts
      const d = await governance.getDispute(requestId)
      if (d.state === 0n) return { ok: false, message: `no dispute on ${requestId}` }
      if (d.state === 2n) return { ok: false, message: `the dispute on ${requestId} is already executed` }
      const now = BigInt((await chain.provider.getBlock('latest'))?.timestamp ?? 0)
      if (!d.decided && now < d.votingEndsAt) {
        return { ok: false, message: `the council has not decided and votes until ${new Date(Number(d.votingEndsAt) * 1000).toISOString()}`, result: { votingEndsAt: d.votingEndsAt } }
      }
      const report = await findCommittedReport(chain, requestId)
      if (!report) return { ok: false, message: `no ReportCommitted event for ${requestId} since the deployment block` }
      const overturns = d.decided && d.decision !== d.committedAnswer
      const impact = overturns ? await assessSlashImpact(chain, report.signers) : undefined
      if (impact?.halts && !cli.values['accept-halt']) {
        return { ok: false, message: `${describeSlashImpact(impact)}\nnothing sent: run again with --accept-halt to execute anyway`, result: { impact } }
      }
      const receipt = await (await governance.execute(requestId, report.signers)).wait()
      const claimants = await findClaimants(chain, requestId)
      const settled: string[] = []
      for (const claimant of claimants) {
        const claim = await governance.getClaim(requestId, claimant)
        if (claim.settled) continue
        await (await governance.settleClaim(requestId, claimant)).wait()
        settled.push(claimant)
      }
      const executed = await governance.getDispute(requestId)
      const outcome = OUTCOMES[Number(executed.outcome)] ?? String(executed.outcome)
      const activeNext = Number(await staking.memberCountAt((await staking.currentEpoch()) + 1n))
      return {
        ok: true,
        result: { requestId, outcome, settled, impact, activeOperatorsNextEpoch: activeNext, tx: receipt?.hash },
        text: [
          `executed the dispute on ${requestId}: ${outcome}; settled ${settled.length} claims (each claimant runs sibyl claim)`,
          ...(impact ? [describeSlashImpact(impact).replace('if overturned', 'overturned')] : []),
          `active operators from the next epoch: ${activeNext}${activeNext === 0 ? ' — THE NETWORK IS HALTED (README, "Recovering from a halt")' : ''}`,
        ].join('\n'),
      }
    },
  })
}

/** Every address that posted a claim on the dispute (Claimed events since the deployment). */
async function findClaimants(chain: Chain, requestId: string): Promise<string[]> {
  const { governance } = chain.contracts
  const head = await chain.provider.getBlockNumber()
  const claimants = new Set<string>()
  for (let from = chain.deployment.deployedAtBlock; from <= head; from += LOG_BLOCK_RANGE) {
    for (const e of await governance.queryFilter(governance.filters.Claimed(requestId), from, Math.min(head, from + LOG_BLOCK_RANGE - 1))) claimants.add(e.args.claimant)
  }
  return [...claimants]
}

export const executeCommand: Command = { name: 'execute', summary: 'carry out a decided dispute and settle its claims', usage, run }
