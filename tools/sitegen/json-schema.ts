/**
 * Publishes the site file's schema as JSON Schema (sites/site.schema.json) so editors complete and
 * check site files. Generated from the zod schema, the single source of truth; a test keeps it current.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { siteFileSchema } from "../../constructs/site/schema";

export const SITE_JSON_SCHEMA_PATH = path.resolve(__dirname, "..", "..", "sites", "site.schema.json");

export function siteJsonSchema(): string {
  const schema = z.toJSONSchema(siteFileSchema, { io: "input", unrepresentable: "any" });
  return JSON.stringify({ ...schema, $id: "https://example.invalid/openstack-metal/site.schema.json", title: "OpenStack-on-metal site" }, null, 2) + "\n";
}

if (require.main === module) {
  fs.writeFileSync(SITE_JSON_SCHEMA_PATH, siteJsonSchema());
  console.log(`wrote ${path.relative(process.cwd(), SITE_JSON_SCHEMA_PATH)}`);
}
