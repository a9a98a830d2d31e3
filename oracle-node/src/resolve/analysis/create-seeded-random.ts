/**
 * A seeded pseudo-random generator (mulberry32 over a 32-bit FNV-1a hash of the seed text). The analysis
 * draws every hash function and every bootstrap resample from it, so two nodes given the same evidence and
 * the same seed compute the same groups and the same interval, bit for bit.
 */

/** Uniform numbers in [0, 1), the same sequence for the same seed on every machine. */
export function createSeededRandom(seed: string): () => number {
  let state = hashText32(seed)
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

/** 32-bit FNV-1a of a string's UTF-16 code units (fast, deterministic; not a cryptographic hash). */
export function hashText32(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}
