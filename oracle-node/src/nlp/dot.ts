/**
 * Dot product of two vectors: the cosine similarity of two L2-normalised embeddings (the embedder returns
 * them normalised), so it is the one similarity the ranking and the judge's features use.
 */
export function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0
  // Over the shorter length, so a mismatched pair gives a number rather than NaN from reading past the end.
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) sum += a[i]! * b[i]!
  return sum
}
