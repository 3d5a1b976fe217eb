/**
 * The <option>s of a unit picker: each unit's name indented (full-width spaces) by its depth
 * below the shallowest unit listed, so the tree shows in a plain <select>.
 */
export function UnitOptions({ units }: { units: { id: number; name: string; depth: number }[] }) {
  const baseDepth = Math.min(...units.map((u) => u.depth));
  return units.map((u) => (
    <option key={u.id} value={u.id}>
      {"\u3000".repeat(Math.max(0, u.depth - baseDepth))}
      {u.name}
    </option>
  ));
}
