// The driver's own bulk path for generated data (tests, benchmarks): COPY on PGlite, `unnest` of
// arrays on PostgreSQL — not drizzle's batched insert. Values go in as text and are cast by the
// column types given.
import { driver } from "~/db/client.server";

type Value = string | number | boolean | Date | null;

function csvField(v: Value) {
  if (v === null || v === undefined) return "";
  const text = v instanceof Date ? v.toISOString() : String(v);
  return `"${text.replace(/"/g, '""')}"`;
}

/**
 * Inserts `rows` (arrays in the order of `columns`) into `table`. `types` are the SQL types of
 * the columns (for the casts on PostgreSQL). Chunks of `chunk` rows.
 */
export async function bulkInsert(table: string, columns: string[], types: string[], rows: Value[][], { chunk = 100_000 } = {}) {
  if (!/^[a-z_]+$/.test(table) || columns.some((c) => !/^[a-z_]+$/.test(c)) || types.some((t) => !/^[a-z_0-9]+(\[\])?$/.test(t))) {
    throw new Error("bulkInsert: bad identifier");
  }
  for (let start = 0; start < rows.length; start += chunk) {
    const part = rows.slice(start, start + chunk);
    if (driver.kind === "pglite") {
      const csv = part.map((r) => r.map(csvField).join(",")).join("\n") + "\n";
      await driver.client.query(`COPY ${table} (${columns.join(", ")}) FROM '/dev/blob' WITH (FORMAT csv)`, [], { blob: new Blob([csv]) });
    } else {
      const arrays = columns.map((_, i) => part.map((r) => (r[i] === null || r[i] === undefined ? null : r[i] instanceof Date ? (r[i] as Date).toISOString() : String(r[i]))));
      const names = columns.map((_, i) => `c${i}`);
      await driver.pool.query(
        `insert into ${table} (${columns.join(", ")})
         select ${names.map((n, i) => `${n}::${types[i]}`).join(", ")}
         from unnest(${columns.map((_, i) => `$${i + 1}::text[]`).join(", ")}) as t(${names.join(", ")})`,
        arrays,
      );
    }
  }
}
