/** The page's one live-event connection, for any component that wants live updates (undefined before it opens). */
import { createContext } from 'preact'
import type { LiveEvents } from './api/live-events.ts'

export const LiveContext = createContext<LiveEvents | undefined>(undefined)

/** Announces a short line to screen readers through the page's aria-live region. */
export const AnnounceContext = createContext<(text: string) => void>(() => undefined)
