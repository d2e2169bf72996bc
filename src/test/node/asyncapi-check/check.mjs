// Parses AsyncAPI documents with the AsyncAPI project's own parser (@asyncapi/parser, which
// validates against the specification's JSON Schema and its Spectral rules and resolves every
// $ref). For each FILE it prints one line per diagnostic, "FILE <severity> <code> <path>: <message>",
// then "FILE: parsed|no document, N error(s), M diagnostic(s)". Exits 0 when every file gave a
// document without errors, 1 otherwise. Usage: node check.mjs FILE...; run by ApiDocsParsersTest
// (several files per run, as loading the parser costs more than parsing).
import { readFile } from 'node:fs/promises';
import { Parser, DiagnosticSeverity } from '@asyncapi/parser';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node check.mjs FILE...');
  process.exit(2);
}
const names = Object.fromEntries(Object.entries(DiagnosticSeverity).map(([k, v]) => [v, k]));
// no custom resolvers: a $ref that is not local would be fetched, and must not exist
const parser = new Parser();
let failed = false;
for (const file of files) {
  const { document, diagnostics } = await parser.parse(await readFile(file, 'utf8'));
  for (const d of diagnostics) {
    const severity = (names[d.severity] ?? String(d.severity)).toLowerCase();
    console.log(`${file} ${severity} ${d.code} /${d.path.join('/')}: ${d.message}`);
  }
  const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error).length;
  console.log(`${file}: ${document ? 'parsed' : 'no document'}, ${errors} error(s), ${diagnostics.length} diagnostic(s)`);
  failed ||= !document || errors > 0;
}
process.exit(failed ? 1 : 0);
