// Builds a gzipped PGlite data directory with every migration applied. An empty DATA_DIR (or an
// in-memory test database) starts from it instead of running initdb, which takes seconds.
// Usage: node scripts/pglite-template.js [out-file]   (default build/pglite-template.tar.gz)
import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";

export async function buildPgliteTemplate(out) {
  const client = await PGlite.create("memory://", { extensions: { pg_trgm } });
  await migrate(drizzle(client), { migrationsFolder: path.resolve(process.env.MIGRATIONS_DIR ?? "drizzle") });
  const dump = await client.dumpDataDir("gzip");
  await client.close();
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, Buffer.from(await dump.arrayBuffer()));
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = path.resolve(process.argv[2] ?? "build/pglite-template.tar.gz");
  const started = Date.now();
  await buildPgliteTemplate(out);
  console.log(`PGlite template ${path.relative(process.cwd(), out)} (${Math.round(fs.statSync(out).size / 1024)} KiB) in ${Date.now() - started} ms`);
}
