/**
 * A crude suffix strip, enough to match "raise" / "raised" / "raising", "reopen" / "reopened" when the explicit
 * rules (detect-denial.ts, detect-number-conflict.ts) compare a claim's words with a passage's. Both sides go
 * through it, so it need not give real stems.
 */
export function crudeStem(word: string): string {
  return word.replace(/(?:ing|ed|es|s|e)$/, '')
}
