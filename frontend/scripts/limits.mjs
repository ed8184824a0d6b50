// Writes src/api/limits.json: the maxLength of every request body field, by "METHOD path",
// read from the portal API's OpenAPI document, so that the forms state the server's own
// limits without shipping the whole document.
import { readFileSync, writeFileSync } from "node:fs";

const doc = JSON.parse(readFileSync("src/api/openapi.json", "utf8"));
const out = {};
for (const [path, ops] of Object.entries(doc.paths)) {
  for (const [method, op] of Object.entries(ops)) {
    let schema = op?.requestBody?.content?.["application/json"]?.schema;
    if (schema?.$ref) schema = doc.components.schemas[schema.$ref.split("/").pop()];
    const fields = {};
    for (const [name, prop] of Object.entries(schema?.properties ?? {})) {
      if (typeof prop.maxLength === "number") fields[name] = prop.maxLength;
    }
    if (Object.keys(fields).length) out[`${method.toUpperCase()} ${path}`] = fields;
  }
}
writeFileSync("src/api/limits.json", JSON.stringify(out, null, 1) + "\n");
