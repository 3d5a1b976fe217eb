// Unit codes and names kept per process: every request needs the member's home unit and the
// units of their grants, and units change only when an admin edits the tree. The unit writers
// call `unitsChanged()` after their write commits (or inside the transaction with its `tx`): this
// process forgets at once, the other instances through the realtime bus (boot subscribes with
// `listenForUnitChanges`). A unit missing from the copy (created since) reloads it.
import { db, type Db } from "~/db/client.server";
import { units } from "~/db/schema";
import { bus } from "~/realtime/bus.server";

export type UnitInfo = { code: string; name: string };

const TOPIC = "org.units-changed";
let table: Promise<Map<number, UnitInfo>> | null = null;

function forget() {
  table = null;
}

function load() {
  const loading = db
    .select({ id: units.id, code: units.code, name: units.name })
    .from(units)
    .then((rows) => new Map(rows.map((u) => [u.id, { code: u.code, name: u.name }])));
  // A failed load is not kept.
  loading.catch(() => {
    if (table === loading) table = null;
  });
  return loading;
}

/** Code and name of a unit, or null when there is no such unit. */
export async function unitById(id: number): Promise<UnitInfo | null> {
  const current = (table ??= load());
  const found = (await current).get(id);
  if (found) return found;
  if (table === current) table = load();
  return (await table!).get(id) ?? null;
}

/** Call after a committed change to units, or inside the writing transaction with its `tx`. */
export async function unitsChanged(tx?: Pick<Db, "execute">) {
  forget();
  await bus.publish(TOPIC, {}, tx);
}

export async function listenForUnitChanges() {
  await bus.subscribe(TOPIC, forget);
}
