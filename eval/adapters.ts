/** Every dataset the evaluation knows, in report order. */
import type { DatasetAdapter } from './dataset-adapter.ts'
import { articleExtractionHtml } from './datasets/article-extraction-html.ts'
import { climateFever } from './datasets/climate-fever.ts'
import { discoveryFoolMeTwice } from './datasets/discovery-fool-me-twice.ts'
import { feverSymmetric } from './datasets/fever-symmetric.ts'
import { foolMeTwice, foolMeTwiceRetrieved } from './datasets/fool-me-twice.ts'
import { forecastbenchResolvedMarkets } from './datasets/forecastbench-resolved-markets.ts'
import { mnliDevMatched } from './datasets/mnli-dev-matched.ts'
import { productPriceHtml } from './datasets/product-price-html.ts'
import { readabilityNewsHtml } from './datasets/readability-news-html.ts'
import { snliSubset } from './datasets/snli-subset.ts'
import { sportsBoxscoreHtml } from './datasets/sports-boxscore-html.ts'
import { wice } from './datasets/wice.ts'

export const ADAPTERS: readonly DatasetAdapter[] = [
  feverSymmetric,
  foolMeTwice,
  foolMeTwiceRetrieved,
  discoveryFoolMeTwice,
  climateFever,
  wice,
  mnliDevMatched,
  snliSubset,
  sportsBoxscoreHtml,
  productPriceHtml,
  articleExtractionHtml,
  readabilityNewsHtml,
  forecastbenchResolvedMarkets,
]
