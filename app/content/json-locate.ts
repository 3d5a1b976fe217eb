// Where things are in a JSON file, so a course.json problem is reported with a line and column.

export type Location = { line: number; column: number };

/** 1-based line and column of a character offset. */
export function offsetToLocation(text: string, offset: number): Location {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split("\n");
  return { line: lines.length, column: lines[lines.length - 1].length + 1 };
}

/** Location of a JSON.parse SyntaxError ("… at position 42", or Node 20's "(line 3 column 5)"). */
export function jsonSyntaxLocation(text: string, error: unknown): Location | null {
  const message = error instanceof Error ? error.message : String(error);
  const lineColumn = /line (\d+) column (\d+)/.exec(message);
  if (lineColumn) return { line: Number(lineColumn[1]), column: Number(lineColumn[2]) };
  const position = /position (\d+)/.exec(message);
  if (position) return offsetToLocation(text, Number(position[1]));
  if (/end of JSON input/i.test(message)) return offsetToLocation(text, text.length);
  return null;
}

/**
 * Where the value at `pointer` (e.g. ["lessons", 2, "file"]) starts in valid JSON text; when it is
 * missing, where its nearest existing ancestor starts (a missing key is reported at its object).
 */
export function locateJsonPath(text: string, pointer: (string | number)[]): Location {
  let i = 0;
  let best = 0;
  const space = () => {
    while (i < text.length && /\s/.test(text[i])) i += 1;
  };
  const readString = () => {
    const start = i;
    i += 1;
    while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    i += 1;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const skipValue = (): void => {
    space();
    const c = text[i];
    if (c === '"') {
      readString();
    } else if (c === "{" || c === "[") {
      const close = c === "{" ? "}" : "]";
      i += 1;
      space();
      if (text[i] === close) {
        i += 1;
        return;
      }
      for (;;) {
        if (c === "{") {
          space();
          readString();
          space();
          i += 1; // ':'
        }
        skipValue();
        space();
        if (text[i] === ",") {
          i += 1;
          continue;
        }
        i += 1;
        return;
      }
    } else {
      while (i < text.length && !/[\s,\]}]/.test(text[i])) i += 1;
    }
  };
  /** Descends along the pointer from the value at `i`; returns when the path ends or is missing. */
  const descend = (depth: number): void => {
    space();
    best = i;
    if (depth === pointer.length) return;
    const want = pointer[depth];
    const c = text[i];
    if (c !== "{" && c !== "[") return;
    i += 1;
    space();
    if (text[i] === (c === "{" ? "}" : "]")) return;
    for (let index = 0; ; index += 1) {
      let key: string | number = index;
      if (c === "{") {
        space();
        key = readString();
        space();
        i += 1; // ':'
      }
      if (String(key) === String(want)) return descend(depth + 1);
      skipValue();
      space();
      if (text[i] !== ",") return;
      i += 1;
    }
  };
  try {
    descend(0);
  } catch {}
  return offsetToLocation(text, best);
}
