/**
 * The word tokenizer of the pair judge (pair-judge/): lower-cased letters runs, numbers (with inner "." or ","
 * kept, so "3.5" and "1,200" stay one token, as in the GloVe vocabulary), and every other non-space character
 * alone. The training script (judge-lab/src/pair-model/) receives tokens made by this very function, so
 * training and serving cannot drift apart.
 */
const WORD = /[\p{L}\p{M}]+|\p{Nd}+(?:[.,]\p{Nd}+)*|[^\s\p{L}\p{M}\p{Nd}]/gu

export function tokenizeWords(text: string, maxTokens: number): string[] {
  const tokens: string[] = []
  for (const m of text.normalize('NFC').toLowerCase().matchAll(WORD)) {
    tokens.push(m[0])
    if (tokens.length >= maxTokens) break
  }
  return tokens
}
