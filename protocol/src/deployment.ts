/**
 * The address file `sibyl deploy` writes and every other component reads: which contracts make up one
 * Sibyl deployment on one chain.
 */
import { readFileSync } from 'node:fs'
import { z } from 'zod'
import { BaseError } from './errors.ts'
import { addressSchema, describeIssues } from './schema-parts.ts'

const address = addressSchema

export const deploymentSchema = z
  .object({
    version: z.literal(1),
    chainId: z.string().regex(/^[1-9][0-9]*$/),
    deployedAtBlock: z.number().int().nonnegative(),
    contracts: z
      .object({
        token: address,
        staking: address,
        resolutionOracle: address,
        disputeGovernance: address,
        feeds: z
          .array(z.object({ description: z.string().min(1), address, feedId: z.string(), decimals: z.number().int() }).strict())
          .max(256),
      })
      .strict(),
  })
  .strict()

export type Deployment = z.infer<typeof deploymentSchema>

export class DeploymentFileError extends BaseError {
  override name = 'DeploymentFileError' as const
}

export function readDeployment(path: string): Deployment {
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'))
  } catch (cause) {
    throw new DeploymentFileError(`Cannot read the deployment file ${path}.`, { cause })
  }
  const parsed = deploymentSchema.safeParse(raw)
  if (!parsed.success) {
    throw new DeploymentFileError(`The deployment file ${path} is invalid.`, { metaMessages: describeIssues(parsed.error) })
  }
  return parsed.data
}
