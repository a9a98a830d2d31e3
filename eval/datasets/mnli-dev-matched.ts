/** MultiNLI dev-matched: premise as the evidence, hypothesis as the claim; neutral is an abstention. */
import { createNliAdapter } from './nli-adapter.ts'

export const mnliDevMatched = createNliAdapter('mnli_dev_matched')
