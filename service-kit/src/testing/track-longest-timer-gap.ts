/**
 * For tests: the longest stretch between two runs of a timer that fires every `everyMs`, i.e. the longest time the
 * event loop was held while the tracker ran. Wall clock, waiting for a core included.
 */
export type TimerGapTracker = {
  /** Starts counting from now, forgetting earlier gaps. */
  reset: () => void
  /** Stops the timer and returns the longest gap seen, in milliseconds. */
  stop: () => number
}

export function trackLongestTimerGap(everyMs = 1): TimerGapTracker {
  let last = performance.now()
  let longest = 0
  const timer = setInterval(() => {
    const now = performance.now()
    longest = Math.max(longest, now - last)
    last = now
  }, everyMs)
  return {
    reset() {
      last = performance.now()
      longest = 0
    },
    stop() {
      clearInterval(timer)
      return Math.max(longest, performance.now() - last)
    },
  }
}
