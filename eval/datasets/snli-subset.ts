/** SNLI 1.0 (part of dev/test): premise as the evidence, hypothesis as the claim; neutral is an abstention. */
import { createNliAdapter } from './nli-adapter.ts'

export const snliSubset = createNliAdapter('snli_subset')
