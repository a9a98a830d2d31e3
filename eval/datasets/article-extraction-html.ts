/** Zyte article-extraction benchmark pages: human-annotated article body. */
import { createMainTextAdapter } from './main-text-adapter.ts'
import { text } from '../read-dataset.ts'

export const articleExtractionHtml = createMainTextAdapter({
  name: 'article_extraction_html',
  folder: 'article_extraction_html',
  protocol: 'extractDocument(html).text vs the annotated article body: token F1 per page (Readability on the same pages)',
  gold: (row) => text(row.article_body),
})
