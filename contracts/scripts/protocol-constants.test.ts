/**
 * protocol/ defines once what TypeScript mirrors of the contracts (style: no contract enum or limit is
 * re-declared elsewhere). These checks hold those definitions to the Solidity source and the compiled ABI,
 * so a reordered enum or a changed limit fails here instead of misreading the chain.
 */
import test from 'ava'
import { readFileSync } from 'node:fs'
import { REQUEST_STATUS } from '@sibyl/protocol/request-status'
import { MAX_SIGNERS_PER_ROUND } from '@sibyl/protocol/limits'
import { ResolutionOracle__factory } from '../generated/typechain/index.ts'

const source = (name: string) => readFileSync(new URL(`../src/${name}`, import.meta.url), 'utf8')

/** The members of `enum <name> { ... }` in a Solidity source, in declaration order (= their ABI values). */
function solidityEnum(text: string, name: string): string[] {
  const body = new RegExp(`\\benum\\s+${name}\\s*\\{([^}]*)\\}`).exec(text)?.[1]
  if (body === undefined) throw new Error(`no enum ${name}`)
  return body
    .replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, '')
    .split(',')
    .map((member) => member.trim())
    .filter((member) => member.length > 0)
}

type AbiParameter = { name: string; type: string; internalType?: string; components?: readonly AbiParameter[] }

/** Every parameter (at any depth) of the ABI whose Solidity type is `internalType`. */
function parametersOfType(abi: readonly unknown[], internalType: string): AbiParameter[] {
  const found: AbiParameter[] = []
  const visit = (parameters: readonly AbiParameter[] | undefined) => {
    for (const p of parameters ?? []) {
      if (p.internalType === internalType) found.push(p)
      visit(p.components)
    }
  }
  for (const entry of abi as { inputs?: readonly AbiParameter[]; outputs?: readonly AbiParameter[] }[]) {
    visit(entry.inputs)
    visit(entry.outputs)
  }
  return found
}

test('REQUEST_STATUS lists ResolutionOracle.Status in the order of the Solidity enum, valued by position', (t) => {
  const members = solidityEnum(source('ResolutionOracle.sol'), 'Status')
  t.deepEqual(members, ['None', 'Open', 'Committed', 'Disputed', 'Finalized'])
  t.deepEqual(Object.keys(REQUEST_STATUS), members)
  t.deepEqual(Object.values(REQUEST_STATUS), members.map((_, i) => BigInt(i)))
})

test('getRequest returns the status as the uint8 ABI encoding of the enum, as do the errors that carry it', (t) => {
  const abi = ResolutionOracle__factory.abi
  const getRequest = abi.find((entry) => entry.type === 'function' && entry.name === 'getRequest')
  const request = getRequest && 'outputs' in getRequest ? (getRequest.outputs[0] as AbiParameter | undefined) : undefined
  const status = request?.components?.find((c) => c.name === 'status')
  t.like(status, { internalType: 'enum ResolutionOracle.Status', type: 'uint8' })

  const everywhere = parametersOfType(abi, 'enum ResolutionOracle.Status')
  t.true(everywhere.length >= 3, 'getRequest and the RequestNotOpen and WrongStatus errors')
  for (const p of everywhere) t.is(p.type, 'uint8', p.name)
})

test('MAX_SIGNERS_PER_ROUND is Staking.MAX_ACTIVE_OPERATORS: a round can hold every active operator, and no more', (t) => {
  const declared = /\bMAX_ACTIVE_OPERATORS\s*=\s*(\d+)\s*;/.exec(source('Staking.sol'))?.[1]
  t.is(Number(declared), MAX_SIGNERS_PER_ROUND)
})
