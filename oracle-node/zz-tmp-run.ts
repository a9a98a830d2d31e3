import { readFileSync } from 'node:fs'
import { questionToStatement } from '@sibyl/oracle-node/resolve/question-statement'
const qs = ['/tmp/rv/q1.txt', '/tmp/rv/q2.txt', '/tmp/rv/q3.txt'].flatMap((f) => readFileSync(f, 'utf8').split('\n')).filter((l) => l.trim() !== '')
let changed = 0
for (const q of qs) {
  const old = q.trim().replace(/\?+\s*$/, '').trim().replace(/^(will|would|did|does|do|is|are|was|were|has|have|had|can|could|should|shall|may|might)\s+/i, '')
  const s = questionToStatement(q)
  if (s !== old) { changed++; console.log(q, ' => ', s) }
}
console.log(`${changed} of ${qs.length} rewritten`)
