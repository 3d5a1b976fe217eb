// The unit tree kept per process: every request needs the member's home unit and the units of
// their grants, and dashboards need a unit's path and children; units change only when an admin
// edits the tree. The unit writers call `unitsChanged()` after their write commits (or inside the
// transaction with its `tx`): this process forgets at once, the other instances through the
// realtime bus (boot subscribes with `listenForUnitChanges`). A unit missing from the copy
// (created since, by another instance) reloads it.
import { db, type Db } from "~/db/client.server";
import { units } from "~/db/schema";
import { bus } from "~/realtime/bus.server";

export type UnitInfo = { id: number; code: string; name: string; kind: string; parentId: number | null };

export type UnitTree = {
  byId: Map<number, UnitInfo>;
  byCode: Map<string, UnitInfo>;
  /** Direct children of a unit, in code order. */
  childrenOf: (id: number) => UnitInfo[];
  /** Ids of a unit and every unit below it. */
  subtreeIds: (id: number) => number[];
};

const TOPIC = "org.units-changed";
let table: Promise<UnitTree> | null = null;

function forget() {
  table = null;
}

function buildTree(rows: UnitInfo[]): UnitTree {
  const children = new Map<number, UnitInfo[]>();
  for (const u of [...rows].sort((a, b) => (a.code < b.code ? -1 : 1))) {
    if (u.parentId === null) continue;
    const list = children.get(u.parentId);
    if (list) list.push(u);
    else children.set(u.parentId, [u]);
  }
  const subtreeIds = (id: number) => {
    const ids = [id];
    for (let i = 0; i < ids.length; i++) for (const c of children.get(ids[i]) ?? []) ids.push(c.id);
    return ids;
  };
  return {
    byId: new Map(rows.map((u) => [u.id, u])),
    byCode: new Map(rows.map((u) => [u.code, u])),
    childrenOf: (id) => children.get(id) ?? [],
    subtreeIds,
  };
}

function load() {
  const loading = db
    .select({ id: units.id, code: units.code, name: units.name, kind: units.kind, parentId: units.parentId })
    .from(units)
    .then(buildTree);
  // A failed load is not kept.
  loading.catch(() => {
    if (table === loading) table = null;
  });
  return loading;
}

/** The whole tree, with `id` in it when that unit exists (a unit created elsewhere reloads the copy). */
export async function unitTree(id?: number): Promise<UnitTree> {
  const current = (table ??= load());
  const tree = await current;
  if (id === undefined || tree.byId.has(id)) return tree;
  if (table === current) table = load();
  return table!;
}

/** The whole tree, with the unit of code `code` in it when that unit exists. */
export async function unitTreeWithCode(code: string): Promise<UnitTree> {
  const current = (table ??= load());
  const tree = await current;
  if (tree.byCode.has(code)) return tree;
  if (table === current) table = load();
  return table!;
}

/** Code and name of a unit, or null when there is no such unit. */
export async function unitById(id: number): Promise<UnitInfo | null> {
  return (await unitTree(id)).byId.get(id) ?? null;
}

/** Call after a committed change to units, or inside the writing transaction with its `tx`. */
export async function unitsChanged(tx?: Pick<Db, "execute">) {
  forget();
  await bus.publish(TOPIC, {}, tx);
}

export async function listenForUnitChanges() {
  await bus.subscribe(TOPIC, forget);
}
