/**
 * Readability.js test pages from news sites. The expected text is Readability's own reviewed output, so the
 * library scores about 1.0 here by construction: it is a ceiling, not a rival.
 */
import { createMainTextAdapter } from './main-text-adapter.ts'
import { text } from '../read-dataset.ts'

export const readabilityNewsHtml = createMainTextAdapter({
  name: 'readability_news_html',
  folder: 'readability_news_html',
  protocol: 'extractDocument(html).text vs the expected text (Readability output, reviewed): token F1 per page',
  gold: (row) => text(row.expected_text),
})
