// Where a rule's documentation page lives: the repository for SARIF consumers, the copy shipped
// beside the bundle for the editor (it opens offline).
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Rule } from '../engine/rule';

export const REPOSITORY = 'https://github.com/seclens/seclens';

export function repoDocUri(rule: Rule): string {
  return `${REPOSITORY}/blob/main/docs/rules/${rule.name}.md`;
}

const localDocs = new Map<string, string>();
/** `docs/rules/` sits one level above the `dist/` folder that holds the bundles. */
export function localDocUri(rule: Rule): string {
  // Asked for every diagnostic of every publication: computed once per rule.
  let uri = localDocs.get(rule.name);
  if (uri === undefined) {
    uri = pathToFileURL(path.join(__dirname, '..', 'docs', 'rules', `${rule.name}.md`)).href;
    localDocs.set(rule.name, uri);
  }
  return uri;
}

export function cweUri(cwe: number): string {
  return `https://cwe.mitre.org/data/definitions/${cwe}.html`;
}
