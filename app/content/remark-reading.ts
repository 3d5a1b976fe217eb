// The remark step of compiling a reading. It checks what authors wrote, so a mistake becomes a
// compile error with a line and column instead of a page that breaks when a member opens it:
// only the reading components (KeyPoint, Quote, Figure, Term) and harmless HTML, no imports, no
// page-level "#" heading. It turns images beside the file (<Figure src="x.svg">, ![alt](x.png))
// into imports that esbuild bundles, with their width and height; and it counts the characters
// a member reads (CJK characters + Latin words, not markup, code or expressions).
import fs from "node:fs";
import path from "node:path";
import { countReadingText } from "./count";
import { imageSize } from "./image-size";

/** Components a reading may use; ReadingView provides them. */
export const READING_COMPONENTS = ["KeyPoint", "Quote", "Figure", "Term"] as const;
/** Components that are blocks: they stand on their own lines, never inside a sentence. */
const BLOCK_COMPONENTS = new Set(["KeyPoint", "Quote", "Figure"]);
const REQUIRED_ATTRIBUTES: Record<string, string[]> = { Figure: ["src", "alt"], Quote: ["source"], Term: ["explain"] };
/** Attributes whose text the member reads as part of the page. */
const READ_ATTRIBUTES: Record<string, string[]> = { Figure: ["caption"], Quote: ["source"], KeyPoint: ["title"] };
const FORBIDDEN_HTML = new Set([
  "script", "style", "iframe", "frame", "object", "embed", "form", "input", "button", "textarea",
  "select", "link", "meta", "base", "html", "head", "body",
]);
export const IMAGE_EXTENSIONS = /\.(png|jpe?g|gif|webp|avif|svg)$/i;

type Point = { line: number; column: number; offset?: number };
type Position = { start: Point; end: Point };
type Attribute = {
  type: "mdxJsxAttribute" | "mdxJsxExpressionAttribute";
  name?: string;
  value?: string | { type: "mdxJsxAttributeValueExpression"; value: string; data?: { estree?: unknown } } | null;
  data?: { estree?: unknown };
};
type Node = {
  type: string;
  position?: Position;
  children?: Node[];
  value?: string;
  name?: string | null;
  attributes?: Attribute[];
  url?: string;
  alt?: string | null;
  depth?: number;
  data?: { estree?: { body?: { type: string; source?: { value?: unknown } }[] } } & Record<string, unknown>;
};
type VFileLike = { fail(reason: string, place?: unknown): never };

export type ReadingStats = { chars: number };

/**
 * Expressions may hold constants only ({2024}, width={480}, or an MDX comment): a name or a call
 * would compile and then throw while a member opens the page.
 */
const CONSTANT_NODES = new Set([
  "Program", "ExpressionStatement", "Literal", "TemplateLiteral", "TemplateElement", "ArrayExpression",
  "ObjectExpression", "Property", "UnaryExpression", "BinaryExpression",
]);

function constantProblem(estree: unknown): string | null {
  let problem: string | null = null;
  const walk = (node: unknown, parent: Record<string, unknown> | null, key: string | null): void => {
    if (problem || !node || typeof node !== "object") return;
    if (Array.isArray(node)) {
      for (const item of node) walk(item, parent, key);
      return;
    }
    const n = node as Record<string, unknown>;
    if (typeof n.type !== "string") return;
    const isPropertyName = n.type === "Identifier" && parent?.type === "Property" && key === "key" && !parent.computed;
    if (!isPropertyName && !CONSTANT_NODES.has(n.type)) {
      problem = n.type === "Identifier" ? `"${String(n.name)}" is not defined in a reading` : `only constants are allowed in {…} (found ${n.type})`;
      return;
    }
    if (n.type === "TemplateLiteral" && Array.isArray(n.expressions) && n.expressions.length > 0) {
      problem = "template literals with ${…} are not allowed in a reading";
      return;
    }
    for (const [k, v] of Object.entries(n)) {
      if (k !== "loc" && k !== "range" && k !== "comments" && k !== "position") walk(v, n, k);
    }
  };
  walk(estree, null, null);
  return problem;
}

/** The remark plugin; `dir` is the folder of the MDX file, `stats` receives the character count. */
export function remarkReading({ dir, stats }: { dir: string; stats: ReadingStats }) {
  return () => (tree: Node, file: VFileLike) => {
    const imports: Node[] = [];
    let chars = 0;

    /** `import <name> from "./x.png"` for an image beside the file, with its size when known. */
    const importImage = (src: string, place: Node) => {
      if (src.split(/[\\/]/).includes("..")) file.fail(`Image "${src}" must be beside the reading (in its folder or below)`, place);
      if (!IMAGE_EXTENSIONS.test(src)) file.fail(`"${src}" is not an image (png, jpg, gif, webp, avif or svg)`, place);
      const absolute = path.resolve(dir, src);
      let bytes: Buffer;
      try {
        bytes = fs.readFileSync(absolute);
      } catch {
        file.fail(`Image not found: ${src}`, place);
      }
      const name = `__readingImage${imports.length}`;
      const specifier = src.startsWith(".") ? src : `./${src}`;
      imports.push({
        type: "mdxjsEsm",
        value: "",
        data: {
          estree: {
            type: "Program",
            sourceType: "module",
            body: [
              {
                type: "ImportDeclaration",
                specifiers: [{ type: "ImportDefaultSpecifier", local: { type: "Identifier", name } }],
                source: { type: "Literal", value: specifier, raw: JSON.stringify(specifier) },
              },
            ],
          },
        } as unknown as Node["data"],
      });
      const expression = {
        type: "mdxJsxAttributeValueExpression" as const,
        value: name,
        data: { estree: { type: "Program", sourceType: "module", body: [{ type: "ExpressionStatement", expression: { type: "Identifier", name } }] } },
      };
      return { expression, size: imageSize(bytes, path.extname(src)) };
    };

    const attribute = (node: Node, name: string) =>
      node.attributes?.find((a) => a.type === "mdxJsxAttribute" && a.name === name);

    const addSize = (node: Node, size: { width: number; height: number } | null) => {
      if (!size || attribute(node, "width") || attribute(node, "height")) return;
      node.attributes!.push({ type: "mdxJsxAttribute", name: "width", value: String(size.width) });
      node.attributes!.push({ type: "mdxJsxAttribute", name: "height", value: String(size.height) });
    };

    const checkElement = (node: Node) => {
      const name = node.name;
      if (!name) return; // a fragment
      if (/^[A-Z]/.test(name) || name.includes(".")) {
        if (!(READING_COMPONENTS as readonly string[]).includes(name)) {
          file.fail(`Unknown component <${name}>: a reading may use ${READING_COMPONENTS.map((c) => `<${c}>`).join(", ")}`, node);
        }
      } else if (FORBIDDEN_HTML.has(name.toLowerCase())) {
        file.fail(`<${name}> is not allowed in a reading`, node);
      }
      for (const attr of node.attributes ?? []) {
        if (attr.type === "mdxJsxExpressionAttribute") file.fail(`{...} spread attributes are not allowed in a reading`, node);
        if (attr.value && typeof attr.value === "object") {
          const problem = constantProblem(attr.value.data?.estree);
          if (problem) file.fail(`<${name} ${attr.name}>: ${problem}`, node);
        }
      }
      for (const required of REQUIRED_ATTRIBUTES[name] ?? []) {
        const found = attribute(node, required);
        if (!found || found.value === null || found.value === undefined || found.value === "") {
          file.fail(`<${name}> needs its ${required}="…" attribute`, node);
        }
      }
      if (BLOCK_COMPONENTS.has(name) && node.type === "mdxJsxTextElement") {
        file.fail(`<${name}> is a block: put it on its own lines, not inside a sentence`, node);
      }
      for (const read of READ_ATTRIBUTES[name] ?? []) {
        const value = attribute(node, read)?.value;
        if (typeof value === "string") chars += countReadingText(value);
      }
      if (name === "Figure") {
        const src = attribute(node, "src")!;
        if (typeof src.value !== "string") file.fail(`<Figure src> must be a plain file name, e.g. src="diagram.svg"`, node);
        if (isRelative(src.value)) {
          const { expression, size } = importImage(src.value, node);
          src.value = expression;
          addSize(node, size);
        }
      }
    };

    const visit = (node: Node) => {
      switch (node.type) {
        case "yaml":
        case "toml":
        case "code":
        case "inlineCode":
          return;
        case "mdxFlowExpression":
        case "mdxTextExpression": {
          const problem = constantProblem(node.data?.estree);
          if (problem) file.fail(problem, node);
          return;
        }
        case "mdxjsEsm":
          // Generated nodes (the frontmatter export) have no position; authors' have one.
          if (node.position) file.fail("import and export are not allowed in a reading; put images beside the file and use <Figure src=…>", node);
          return;
        case "heading":
          if (node.depth === 1) file.fail('Use "##" for sections: the page heading is the title from the frontmatter', node);
          break;
        case "text":
          chars += countReadingText(node.value ?? "");
          return;
        case "mdxJsxFlowElement":
        case "mdxJsxTextElement":
          checkElement(node);
          break;
      }
      const children = node.children;
      if (!children) return;
      for (let i = 0; i < children.length; i += 1) {
        const child = children[i];
        // A block component written on one line (<KeyPoint>…</KeyPoint>) parses as a paragraph
        // holding it; lift it out so it is not rendered inside a <p>.
        if (child.type === "paragraph") {
          const significant = (child.children ?? []).filter((c) => !(c.type === "text" && !c.value?.trim()));
          const only = significant[0];
          if (significant.length === 1 && only.type === "mdxJsxTextElement" && only.name && BLOCK_COMPONENTS.has(only.name)) {
            children[i] = { ...only, type: "mdxJsxFlowElement" };
          }
        }
        // A Markdown image beside the file: ![alt](diagram.png)
        const current = children[i];
        if (current.type === "image" && current.url && isRelative(current.url)) {
          const { expression, size } = importImage(current.url, current);
          const element: Node = {
            type: "mdxJsxTextElement",
            name: "img",
            position: current.position,
            attributes: [
              { type: "mdxJsxAttribute", name: "src", value: expression },
              { type: "mdxJsxAttribute", name: "alt", value: current.alt ?? "" },
            ],
            children: [],
          };
          addSize(element, size);
          children[i] = element;
          continue;
        }
        visit(current);
      }
    };

    visit(tree);
    tree.children?.unshift(...imports);
    stats.chars = chars;
  };
}

function isRelative(src: string) {
  return !/^[a-z][a-z0-9+.-]*:/i.test(src) && !src.startsWith("/") && !src.startsWith("#");
}
