/**
 * Where the demo's content lives: feeds/demo/ holds data only (the question specs with their expected
 * outcomes, the feed spec and the fictional sites); the code that reads it is here, in devnet.
 */
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** feeds/demo/ of this checkout. */
export const DEMO_DATA_DIR = fileURLToPath(new URL('../../feeds/demo/', import.meta.url))

/** The files of a demo data folder. */
export function demoDataFiles(dataDir: string = DEMO_DATA_DIR) {
  return {
    questions: join(dataDir, 'questions.json'),
    feed: join(dataDir, 'nwc-usd.json'),
    sites: join(dataDir, 'sites'),
  } as const
}

/** Stands for the demo sites' base URL (an origin, no trailing slash) in the data files' source URLs. */
export const SITES_URL_PLACEHOLDER = '{{sitesUrl}}'
