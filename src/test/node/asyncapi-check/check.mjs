// Parses an AsyncAPI document with the AsyncAPI project's own parser (@asyncapi/parser, which
// validates against the specification's JSON Schema and its Spectral rules and resolves every
// $ref) and prints one line per diagnostic: "<severity> <code> <path>: <message>".
// Usage: node check.mjs FILE. Exit 0 when the parser returned a document and reported no error,
// 1 otherwise. Run by AsyncApiParserTest on the document a node serves.
import { readFile } from 'node:fs/promises';
import { Parser, DiagnosticSeverity } from '@asyncapi/parser';

const file = process.argv[2];
if (!file) {
  console.error('usage: node check.mjs FILE');
  process.exit(2);
}
const text = await readFile(file, 'utf8');
// no custom resolvers: a $ref that is not local would be fetched, and must not exist
const { document, diagnostics } = await new Parser().parse(text);
const names = Object.fromEntries(Object.entries(DiagnosticSeverity).map(([k, v]) => [v, k]));
for (const d of diagnostics) {
  console.log(`${(names[d.severity] ?? d.severity).toLowerCase()} ${d.code} /${d.path.join('/')}: ${d.message}`);
}
const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error).length;
console.log(`${document ? 'parsed' : 'no document'}, ${errors} error(s), ${diagnostics.length} diagnostic(s)`);
process.exit(document && errors === 0 ? 0 : 1);
