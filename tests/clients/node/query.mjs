// Run one SPARQL query with Comunica (@comunica/query-sparql) and print the bindings as JSON, one per line.
// Usage: node query.mjs ENDPOINT QUERY [LOCAL.ttl]
// The endpoint is a SPARQL source (Comunica sends the query, or parts of it, by the SPARQL protocol); a local
// Turtle file, when given, is a second source read into memory, so the query joins the two.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { QueryEngine } from "@comunica/query-sparql";

const [endpoint, query, local] = process.argv.slice(2);
const sources = [{ type: "sparql", value: endpoint }];
if (local) {
  sources.push({ type: "serialized", value: readFileSync(local, "utf8"), mediaType: "text/turtle", baseIRI: pathToFileURL(local).href });
}
const engine = new QueryEngine();
const result = await engine.query(query, { sources, lenient: false });
if (result.resultType === "boolean") {
  console.log(JSON.stringify({ boolean: await result.execute() }));
} else if (result.resultType === "bindings") {
  const stream = await result.execute();
  for await (const bindings of stream) {
    const row = {};
    for (const [variable, term] of bindings) row[variable.value] = term.value;
    console.log(JSON.stringify(row));
  }
} else {
  const stream = await result.execute();
  for await (const quad of stream) console.log(JSON.stringify({ s: quad.subject.value, p: quad.predicate.value, o: quad.object.value }));
}
