// Once per test run: a pre-migrated PGlite template, so each test file's in-memory database
// loads it instead of running initdb and every migration again.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildPgliteTemplate } from "../../scripts/pglite-template.js";

export default async function setup() {
  if (process.env.DATABASE_URL) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pglite-template-"));
  process.env.PGLITE_TEMPLATE = await buildPgliteTemplate(path.join(dir, "template.tar.gz"));
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
