// Importing members from the spreadsheet template (XLSX or CSV) and exporting them in it.
// Every row is checked before anything is written; a clean file goes in with one statement
// (PostgreSQL `unnest` arrays) inside one transaction.
import { PassThrough } from "node:stream";
import ExcelJS from "exceljs";
import { asc, eq, like, and, sql } from "drizzle-orm";
import { db } from "~/db/client.server";
import { units, users } from "~/db/schema";
import { hashPassword } from "~/auth/password.server";
import { employeeNo as employeeNoSchema, isoDate, phone as phoneSchema } from "./forms";
import { CODE_SEGMENT, isCadrePosition, MEMBER_STATUSES, STATUS_LABELS, type MemberStatus } from "./kinds";

/** The template's columns, in order, with their exact headers. */
export const MEMBER_COLUMNS = ["姓名", "工号", "手机号", "所在组织编码", "人员类别", "入党日期", "职务"] as const;
export type MemberColumn = (typeof MEMBER_COLUMNS)[number];

export const MAX_IMPORT_ROWS = 20_000;
export const MAX_IMPORT_BYTES = 10 * 1024 * 1024;
/** How many errors an answer lists; `total` says how many there were in all. */
export const MAX_REPORTED_ERRORS = 200;
/** Nobody joined the Party before it was founded. */
const EARLIEST_JOIN_DATE = "1921-07-01";

const LIMITS = { name: 50, position: 50, unitCode: 60 } as const;

/** `row` is the spreadsheet row as the user sees it (header = 1); 0 means the whole file. */
export type ImportError = { row: number; column: string; message: string };
export type ImportResult = { ok: true; count: number } | { ok: false; errors: ImportError[]; total: number };

export type ParsedRow = { row: number; cells: string[] };
export type ParsedFile = { type: "xlsx" | "csv"; headerRow: number; header: string[]; rows: ParsedRow[] };
export type ParseResult = { ok: true; file: ParsedFile } | { ok: false; errors: ImportError[] };

export type ImportFile = { name: string; bytes: Uint8Array };

const WHOLE_FILE = 0;

function fileError(message: string): { ok: false; errors: ImportError[] } {
  return { ok: false, errors: [{ row: WHOLE_FILE, column: "", message }] };
}

/** Quotes a user's value inside a message, shortened so one bad cell cannot flood the page. */
function quote(value: string) {
  const chars = Array.from(value);
  return `“${chars.length > 30 ? `${chars.slice(0, 30).join("")}…` : value}”`;
}

// ---------------------------------------------------------------------------------------------
// Reading the file

const WRONG_TYPE = "文件类型不对：请上传用模板填写的 .xlsx 文件或 .csv 文件";

function startsWith(bytes: Uint8Array, magic: number[]) {
  return magic.every((b, i) => bytes[i] === b);
}

/** What the bytes are, whatever the file is called. */
function sniff(bytes: Uint8Array): "zip" | "ole" | "other-binary" | "text" {
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) return "zip";
  // Old .xls, and also password-protected .xlsx (an encrypted OLE container).
  if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return "ole";
  const knownBinary = [
    [0x25, 0x50, 0x44, 0x46], // %PDF
    [0x89, 0x50, 0x4e, 0x47], // PNG
    [0xff, 0xd8, 0xff], // JPEG
    [0x47, 0x49, 0x46, 0x38], // GIF
    [0x50, 0x4b, 0x05, 0x06], // empty zip
    [0x1f, 0x8b], // gzip
    [0x52, 0x61, 0x72, 0x21], // RAR
    [0x37, 0x7a, 0xbc, 0xaf], // 7z
  ];
  if (knownBinary.some((m) => startsWith(bytes, m))) return "other-binary";
  return "text";
}

/** Decodes CSV bytes: UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030/GBK as Excel saves it in China. */
export function decodeText(bytes: Uint8Array): string | null {
  let text: string | null = null;
  if (startsWith(bytes, [0xef, 0xbb, 0xbf])) text = tryDecode("utf-8", bytes.subarray(3));
  else if (startsWith(bytes, [0xff, 0xfe])) text = tryDecode("utf-16le", bytes.subarray(2));
  else if (startsWith(bytes, [0xfe, 0xff])) text = tryDecode("utf-16be", bytes.subarray(2));
  else text = tryDecode("utf-8", bytes) ?? tryDecode("gb18030", bytes);
  // Text has no NULs or other control characters besides tab and line breaks.
  // eslint-disable-next-line no-control-regex
  if (text === null || /[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(text)) return null;
  return text;
}

function tryDecode(encoding: string, bytes: Uint8Array) {
  try {
    return new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return null;
  }
}

export type CsvResult = { ok: true; records: ParsedRow[] } | { ok: false; row: number; cell: number; message: string };

/**
 * RFC 4180 CSV: fields separated by `delimiter`, records by CRLF, LF or CR; a field in double
 * quotes may hold delimiters, line breaks and doubled quotes. `row` is the record number (as a
 * spreadsheet shows it), not the line number, so a quoted line break does not shift it.
 * Quotes inside an unquoted field are kept as they are, as Excel does.
 */
export function parseCsv(text: string, delimiter = ","): CsvResult {
  const records: ParsedRow[] = [];
  const n = text.length;
  let cells: string[] = [];
  let row = 1;
  let i = 0;
  while (i < n) {
    let value: string;
    if (text.charCodeAt(i) === 34) {
      // quoted field
      i += 1;
      value = "";
      for (;;) {
        const q = text.indexOf('"', i);
        if (q === -1) {
          return { ok: false, row, cell: cells.length, message: "引号没有闭合：以英文双引号 \" 开头的内容必须以 \" 结束" };
        }
        value += text.slice(i, q);
        if (text.charCodeAt(q + 1) === 34) {
          value += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      if (i < n && text[i] !== delimiter && text[i] !== "\n" && text[i] !== "\r") {
        return { ok: false, row, cell: cells.length, message: "引号位置不对：英文双引号 \" 结束之后、逗号之前还有其他字符" };
      }
    } else {
      let j = i;
      while (j < n) {
        const c = text[j];
        if (c === delimiter || c === "\n" || c === "\r") break;
        j += 1;
      }
      value = text.slice(i, j);
      i = j;
    }
    cells.push(value);
    if (i >= n) break;
    if (text[i] === delimiter) {
      i += 1;
      if (i >= n) cells.push("");
      continue;
    }
    i += text[i] === "\r" && text[i + 1] === "\n" ? 2 : 1;
    records.push({ row, cells });
    cells = [];
    row += 1;
  }
  if (cells.length > 0) records.push({ row, cells });
  return { ok: true, records };
}

/** Excel saves "CSV" with commas; "Unicode text" and some locales use tabs or semicolons. */
function guessDelimiter(text: string) {
  const firstLine = text.slice(0, Math.max(0, text.search(/\r|\n/)) || text.length);
  if (firstLine.includes(",")) return ",";
  if (firstLine.includes("\t")) return "\t";
  if (firstLine.includes(";")) return ";";
  return ",";
}

function isBlank(cells: string[]) {
  return cells.every((c) => c.trim() === "");
}

/** Header and data rows from records; blank rows are skipped but keep their numbers. */
function toParsedFile(type: ParsedFile["type"], records: ParsedRow[]): ParseResult {
  const nonBlank = records.filter((r) => !isBlank(r.cells));
  if (nonBlank.length === 0) return fileError("文件是空的：没有表头，也没有人员数据");
  const [header, ...rows] = nonBlank;
  return { ok: true, file: { type, headerRow: header.row, header: header.cells.map((c) => c.trim()), rows } };
}

function pad2(n: number) {
  return String(n).padStart(2, "0");
}

function isoFromUtcDate(d: Date) {
  if (Number.isNaN(d.getTime())) return "";
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
}

function numberText(n: number) {
  if (!Number.isFinite(n)) return String(n);
  // Integers keep every digit (no exponent), so a 工号 or 手机号 typed as a number survives.
  if (Number.isInteger(n)) return Math.abs(n) < 1e21 ? BigInt(n).toString() : String(n);
  return String(n);
}

/** Any exceljs cell value as the text the user sees (dates as YYYY-MM-DD). */
export function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number") return numberText(value);
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  if (value instanceof Date) return isoFromUtcDate(value);
  if ("richText" in value) return value.richText.map((r) => r.text).join("");
  if ("hyperlink" in value) {
    const text = value.text as unknown;
    return typeof text === "string" ? text : cellText(text as ExcelJS.CellValue);
  }
  if ("formula" in value || "sharedFormula" in value) return cellText((value.result ?? null) as ExcelJS.CellValue);
  if ("error" in value) return value.error;
  return "";
}

async function readXlsx(bytes: Uint8Array): Promise<ParseResult> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as ExcelJS.Buffer);
  } catch {
    return fileError("无法读取这个 XLSX 文件：它可能已损坏或不是 Excel 文件。请用 Excel 或 WPS 打开后重新另存为 .xlsx");
  }
  const visible = workbook.worksheets.filter((ws) => ws.state === "visible" || ws.state === undefined);
  const sheet = visible.find((ws) => ws.name === TEMPLATE_SHEET) ?? visible[0] ?? workbook.worksheets[0];
  if (!sheet) return fileError(WRONG_TYPE);
  const records: ParsedRow[] = [];
  let tooMany = false;
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    if (records.length > MAX_IMPORT_ROWS + 1) {
      tooMany = true;
      return;
    }
    const cells: string[] = [];
    const last = Math.min(row.cellCount, 64);
    for (let c = 1; c <= last; c++) cells.push(cellText(row.getCell(c).value));
    records.push({ row: rowNumber, cells });
  });
  if (tooMany) return tooManyRows(sheet.actualRowCount - 1);
  return toParsedFile("xlsx", records);
}

function readCsv(text: string): ParseResult {
  if (text.trim() === "") return fileError("文件是空的：没有表头，也没有人员数据");
  const parsed = parseCsv(text, guessDelimiter(text));
  if (!parsed.ok) {
    // Name the column when the broken quote lies below the header.
    const first = parseCsv(text.slice(0, text.search(/\r|\n/) === -1 ? text.length : text.search(/\r|\n/)), guessDelimiter(text));
    const header = first.ok && parsed.row > 1 ? (first.records[0]?.cells ?? []) : [];
    return { ok: false, errors: [{ row: parsed.row, column: header[parsed.cell]?.trim() ?? "", message: parsed.message }] };
  }
  return toParsedFile("csv", parsed.records);
}

function tooManyRows(count: number) {
  return fileError(`文件有 ${count} 行人员数据，超过单次导入上限 ${MAX_IMPORT_ROWS} 行，请分成几个文件导入`);
}

/** Reads an XLSX or CSV file into a header and rows of text; refuses anything else. */
export async function parseMemberFile(file: ImportFile): Promise<ParseResult> {
  const { bytes } = file;
  if (bytes.byteLength === 0) return fileError("文件是空的：没有表头，也没有人员数据");
  if (bytes.byteLength > MAX_IMPORT_BYTES) return fileError(`文件太大：最多 ${MAX_IMPORT_BYTES / 1024 / 1024} MB`);
  switch (sniff(bytes)) {
    case "zip":
      return readXlsx(bytes);
    case "ole":
      return fileError("这是旧版 Excel（.xls）文件或设了密码的文件：请在 Excel 或 WPS 中另存为 .xlsx（不设密码）后再导入");
    case "other-binary":
      return fileError(WRONG_TYPE);
    case "text": {
      const text = decodeText(bytes);
      if (text === null) return fileError(WRONG_TYPE);
      return readCsv(text);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Checking the rows

/** Rows of a raw query; both drivers (PGlite, node-postgres) answer with `{ rows }`. */
async function rowsOf<T>(query: PromiseLike<unknown>): Promise<T[]> {
  return ((await query) as { rows: T[] }).rows;
}

/** The member form's rules (app/org/forms.ts), so an imported member could be saved by the form too. */
const EMPLOYEE_NO = { test: (v: string) => employeeNoSchema.safeParse(v).success };
const PHONE = { test: (v: string) => phoneSchema.safeParse(v).success };
const FORMULA_ERROR = /^#(N\/A|REF!|NAME\?|DIV\/0!|NULL!|VALUE!|NUM!|SPILL!|CALC!|GETTING_DATA)$/;

const STATUS_BY_LABEL = new Map<string, MemberStatus>(MEMBER_STATUSES.map((s) => [STATUS_LABELS[s], s]));
const STATUS_LIST = MEMBER_STATUSES.map((s) => STATUS_LABELS[s]).join("、");

/** Header text as typed: spaces, a "*" required-marker and full-width forms do not matter. */
function headerKey(text: string) {
  return text.normalize("NFKC").replace(/[\s*]/g, "");
}

/** Full-width digits and letters (common in Chinese input) become ASCII; spaces go. */
function asciiish(value: string) {
  return value.normalize("NFKC").replace(/\s+/g, "");
}

/** A code typed as a number loses its leading zeros; codes are whole 3-digit segments, so pad back. */
export function normaliseUnitCode(value: string) {
  const v = asciiish(value);
  if (/^\d+$/.test(v) && v.length % CODE_SEGMENT !== 0) {
    return v.padStart(Math.ceil(v.length / CODE_SEGMENT) * CODE_SEGMENT, "0");
  }
  return v;
}

function todayInChina() {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
}

/** Excel's day numbers (1900 system): day 25569 is 1970-01-01. */
function fromExcelSerial(serial: number) {
  return isoFromUtcDate(new Date(Math.round((serial - 25569) * 86_400_000)));
}

export type DateCheck = { ok: true; value: string } | { ok: false; message: string };

/** 2015-07-01, 2015/7/1, 2015.7.1, 2015年7月1日, 20150701 or an Excel day number; real, not future. */
export function parseJoinDate(raw: string, today = todayInChina()): DateCheck {
  const v = asciiish(raw);
  let y: number, m: number, d: number;
  let match = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(v) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(v);
  if (match) {
    [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  } else if ((match = /^\d{5}(\.\d+)?$/.exec(v))) {
    const iso = fromExcelSerial(Number(v));
    [y, m, d] = iso.split("-").map(Number);
  } else {
    return { ok: false, message: `入党日期${quote(raw)}无法识别：请写成 2015-07-01 这样的日期` };
  }
  const iso = `${String(y).padStart(4, "0")}-${pad2(m)}-${pad2(d)}`;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (m < 1 || m > 12 || d < 1 || date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) {
    return { ok: false, message: `入党日期${quote(raw)}不是一个真实存在的日期` };
  }
  if (!isoDate.safeParse(iso).success) return { ok: false, message: `入党日期${quote(raw)}无法识别：请写成 2015-07-01 这样的日期` };
  if (iso > today) return { ok: false, message: `入党日期${quote(raw)}晚于今天` };
  if (iso < EARLIEST_JOIN_DATE) return { ok: false, message: `入党日期${quote(raw)}早于 1921 年 7 月 1 日，请检查` };
  return { ok: true, value: iso };
}

export type ImportedMember = {
  row: number;
  name: string;
  employeeNo: string;
  phone: string | null;
  unitCode: string;
  status: MemberStatus;
  joinedPartyOn: string | null;
  position: string;
};

type Checked = { ok: true; members: (ImportedMember & { unitId: number })[] } | { ok: false; errors: ImportError[]; total: number };

const columnOrder = new Map<string, number>(MEMBER_COLUMNS.map((c, i) => [c, i]));

function sortAndCap(errors: ImportError[]): { ok: false; errors: ImportError[]; total: number } {
  errors.sort((a, b) => a.row - b.row || (columnOrder.get(a.column) ?? 99) - (columnOrder.get(b.column) ?? 99));
  return { ok: false, errors: errors.slice(0, MAX_REPORTED_ERRORS), total: errors.length };
}

/** Maps the template headers to cell positions, or explains what is missing. */
function mapHeader(file: ParsedFile): { ok: true; index: Record<MemberColumn, number> } | { ok: false; errors: ImportError[] } {
  const known = new Set<string>(MEMBER_COLUMNS);
  const positions = new Map<string, number[]>();
  const unknown: string[] = [];
  file.header.forEach((cell, i) => {
    const key = headerKey(cell);
    if (!key) return;
    if (known.has(key)) positions.set(key, [...(positions.get(key) ?? []), i]);
    else unknown.push(cell);
  });
  const errors: ImportError[] = [];
  const row = file.headerRow;
  const extra = unknown.length > 0 ? `；表头里有无法识别的列：${unknown.map(quote).join("、")}` : "";
  for (const column of MEMBER_COLUMNS) {
    const found = positions.get(column) ?? [];
    if (found.length === 0) {
      errors.push({ row, column, message: `缺少“${column}”列：请使用模板的表头，不要删除或改名${extra}` });
    } else if (found.length > 1) {
      errors.push({ row, column, message: `“${column}”列出现了 ${found.length} 次，只能有一列` });
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  const index = Object.fromEntries(MEMBER_COLUMNS.map((c) => [c, positions.get(c)![0]])) as Record<MemberColumn, number>;
  return { ok: true, index };
}

/** Checks every row (formats, units and scope, duplicates in the file and in the database). */
export async function checkMemberRows(file: ParsedFile, scopePrefixes: string[]): Promise<Checked> {
  const header = mapHeader(file);
  if (!header.ok) return sortAndCap(header.errors);
  if (file.rows.length === 0) {
    return sortAndCap([{ row: WHOLE_FILE, column: "", message: "文件只有表头，没有人员数据：请从第 2 行起每行填写一人" }]);
  }
  if (file.rows.length > MAX_IMPORT_ROWS) return sortAndCap(tooManyRows(file.rows.length).errors);

  const errors: ImportError[] = [];
  const members: ImportedMember[] = [];
  const { index } = header;
  const today = todayInChina();
  for (const { row, cells } of file.rows) {
    const fail = (column: MemberColumn, message: string) => errors.push({ row, column, message });
    // A formula that failed (#N/A, #REF!…) is reported once, and the cell counts as unreadable.
    const broken = new Set<MemberColumn>();
    for (const c of MEMBER_COLUMNS) {
      const v = (cells[index[c]] ?? "").trim();
      if (FORMULA_ERROR.test(v)) {
        broken.add(c);
        fail(c, `${c}是公式出错的结果 ${v}：请填写实际内容`);
      }
    }
    const get = (c: MemberColumn) => (broken.has(c) ? "" : (cells[index[c]] ?? "").trim());
    const required = (c: MemberColumn) => {
      const v = get(c);
      if (!v && !broken.has(c)) fail(c, `${c}不能为空`);
      return v;
    };
    // A line break typed inside a cell (Alt+Enter) becomes a space.
    const oneLine = (v: string) => v.replace(/\s*[\r\n]+\s*/g, " ");

    const name = oneLine(required("姓名"));
    if (name && Array.from(name).length > LIMITS.name) fail("姓名", `姓名太长：最多 ${LIMITS.name} 个字`);

    const employeeNo = asciiish(required("工号"));
    if (employeeNo && !EMPLOYEE_NO.test(employeeNo)) {
      fail("工号", employeeNo.length > 32 ? "工号太长：最多 32 位" : `工号${quote(employeeNo)}格式不对：只能包含字母、数字、- 和 _`);
    }

    const phoneRaw = get("手机号");
    const phone = phoneRaw ? asciiish(phoneRaw).replace(/^\+?86-?/, "").replace(/-/g, "") : "";
    if (phone && !PHONE.test(phone)) fail("手机号", `手机号${quote(phoneRaw)}格式不对：应为 1 开头的 11 位数字，可以不填`);

    const unitCode = normaliseUnitCode(required("所在组织编码"));
    if (unitCode && (!/^\d+$/.test(unitCode) || unitCode.length > LIMITS.unitCode)) {
      fail("所在组织编码", `所在组织编码${quote(unitCode)}格式不对：应为数字，每级 3 位，如 001002`);
    }

    const statusLabel = required("人员类别");
    const status = STATUS_BY_LABEL.get(statusLabel.replace(/\s+/g, ""));
    if (statusLabel && !status) fail("人员类别", `人员类别${quote(statusLabel)}无法识别：应为 ${STATUS_LIST} 之一`);

    const dateRaw = get("入党日期");
    let joinedPartyOn: string | null = null;
    if (dateRaw) {
      const date = parseJoinDate(dateRaw, today);
      if (date.ok) joinedPartyOn = date.value;
      else fail("入党日期", date.message);
    }

    const position = oneLine(get("职务"));
    if (Array.from(position).length > LIMITS.position) fail("职务", `职务太长：最多 ${LIMITS.position} 个字`);

    members.push({ row, name, employeeNo, phone: phone || null, unitCode, status: status ?? "full", joinedPartyOn, position });
  }

  // The same 工号 or 手机号 twice in the file: every row involved names the others.
  const duplicates = (column: "工号" | "手机号", key: (m: ImportedMember) => string | null) => {
    const rowsByValue = new Map<string, number[]>();
    for (const m of members) {
      const v = key(m);
      if (!v) continue;
      const rows = rowsByValue.get(v);
      if (rows) rows.push(m.row);
      else rowsByValue.set(v, [m.row]);
    }
    for (const [value, rows] of rowsByValue) {
      if (rows.length < 2) continue;
      for (const row of rows) {
        const others = rows.filter((r) => r !== row);
        const listed = others.length > 5 ? `${others.slice(0, 5).join("、")} 等 ${others.length} 行` : `${others.join("、")} 行`;
        errors.push({ row, column, message: `${column}${quote(value)}重复：与第 ${listed}相同` });
      }
    }
  };
  duplicates("工号", (m) => (EMPLOYEE_NO.test(m.employeeNo) ? m.employeeNo : null));
  duplicates("手机号", (m) => (m.phone && PHONE.test(m.phone) ? m.phone : null));

  // Units: they must exist and lie in the importer's subtrees.
  const validCode = (c: string) => /^\d+$/.test(c) && c.length <= LIMITS.unitCode;
  const codes = [...new Set(members.map((m) => m.unitCode).filter(validCode))];
  const unitRows = codes.length
    ? await rowsOf<{ id: number; code: string }>(db.execute(sql`select id, code from ${units} where code = any(${sql.param(codes)}::text[])`))
    : [];
  const unitByCode = new Map(unitRows.map((u) => [u.code, Number(u.id)]));
  for (const m of members) {
    if (!validCode(m.unitCode)) continue; // empty or malformed: already reported
    if (!unitByCode.has(m.unitCode)) {
      errors.push({ row: m.row, column: "所在组织编码", message: `找不到组织编码${quote(m.unitCode)}对应的组织` });
    } else if (!scopePrefixes.some((p) => m.unitCode.startsWith(p))) {
      errors.push({ row: m.row, column: "所在组织编码", message: `组织编码${quote(m.unitCode)}不在你的管理范围内` });
    }
  }

  // 工号 and 手机号 already held by someone in the database (disabled accounts included).
  const employeeNos = [...new Set(members.map((m) => m.employeeNo).filter((v) => EMPLOYEE_NO.test(v)))];
  const phones = [...new Set(members.map((m) => m.phone).filter((v): v is string => !!v && PHONE.test(v)))];
  if (employeeNos.length || phones.length) {
    const taken = await rowsOf<{ employee_no: string; phone: string | null }>(
      db.execute(sql`
        select employee_no, phone from ${users}
        where employee_no = any(${sql.param(employeeNos)}::text[]) or phone = any(${sql.param(phones)}::text[])`),
    );
    const takenNos = new Set(taken.map((t) => t.employee_no));
    const takenPhones = new Set(taken.map((t) => t.phone).filter(Boolean));
    for (const m of members) {
      if (takenNos.has(m.employeeNo)) {
        errors.push({ row: m.row, column: "工号", message: `工号${quote(m.employeeNo)}已被系统中的其他人员使用` });
      }
      if (m.phone && takenPhones.has(m.phone)) {
        errors.push({ row: m.row, column: "手机号", message: `手机号${quote(m.phone)}已被系统中的其他人员使用` });
      }
    }
  }

  if (errors.length > 0) return sortAndCap(errors);
  return { ok: true, members: members.map((m) => ({ ...m, unitId: unitByCode.get(m.unitCode)! })) };
}

// ---------------------------------------------------------------------------------------------
// Writing

function pgErrorOf(error: unknown): { code?: string; constraint?: string; detail?: string } | null {
  let e = error as { code?: string; cause?: unknown } | null;
  for (let depth = 0; e && depth < 4; depth++) {
    if (typeof e.code === "string") return e as { code: string; constraint?: string; detail?: string };
    e = e.cause as typeof e;
  }
  return null;
}

/** Inserts checked members in one statement inside one transaction; all or nothing. */
async function writeMembers(members: (ImportedMember & { unitId: number })[], passwordHash: string): Promise<ImportResult> {
  const col = <T>(pick: (m: ImportedMember & { unitId: number }) => T) => sql.param(members.map(pick));
  try {
    const count = await db.transaction(async (tx) => {
      const result = await rowsOf<{ n: number }>(tx.execute(sql`
        with inserted as (
          insert into ${users} (name, employee_no, phone, unit_id, status, position, is_cadre, joined_party_on, password_hash, must_change_password)
          select r.name, r.employee_no, r.phone, r.unit_id, r.status::member_status, r.position, r.is_cadre, r.joined_party_on, ${passwordHash}, true
          from unnest(
            ${col((m) => m.name)}::text[],
            ${col((m) => m.employeeNo)}::text[],
            ${col((m) => m.phone)}::text[],
            ${col((m) => m.unitId)}::int[],
            ${col((m) => m.status)}::text[],
            ${col((m) => m.position)}::text[],
            ${col((m) => isCadrePosition(m.position))}::bool[],
            ${col((m) => m.joinedPartyOn)}::date[]
          ) as r(name, employee_no, phone, unit_id, status, position, is_cadre, joined_party_on)
          returning 1
        )
        select count(*)::int as n from inserted`));
      return Number(result[0].n);
    });
    return { ok: true, count };
  } catch (error) {
    // Someone else took a 工号/手机号, or a unit went away, between the check and the write.
    const pgError = pgErrorOf(error);
    if (pgError?.code === "23505" || pgError?.code === "23503") {
      const taken = /=\((.*)\)/.exec(pgError.detail ?? "")?.[1];
      const member = taken ? members.find((m) => m.employeeNo === taken || m.phone === taken) : undefined;
      const column = pgError.code === "23503" ? "所在组织编码" : member && member.phone === taken ? "手机号" : "工号";
      const message =
        pgError.code === "23503"
          ? "导入时有组织被删除了，未导入任何数据，请重新导入"
          : `${column}${taken ? quote(taken) : ""}刚刚被其他人员占用，未导入任何数据，请检查后重新导入`;
      return { ok: false, errors: [{ row: member?.row ?? WHOLE_FILE, column: member ? column : "", message }], total: 1 };
    }
    throw error;
  }
}

/**
 * Imports members from an XLSX or CSV file made from the template. Checks every row first
 * and writes nothing when anything is wrong; otherwise writes all rows in one transaction.
 * `scopePrefixes` are the unit codes of the importer's subtrees.
 */
export async function importMembers({
  file,
  initialPassword,
  scopePrefixes,
}: {
  file: ImportFile;
  initialPassword: string;
  scopePrefixes: string[];
}): Promise<ImportResult> {
  const parsed = await parseMemberFile(file);
  if (!parsed.ok) return sortAndCap(parsed.errors);
  const checked = await checkMemberRows(parsed.file, scopePrefixes);
  if (!checked.ok) return checked;
  // argon2 is slow on purpose: hash once, every imported member starts with the same hash.
  return writeMembers(checked.members, await hashPassword(initialPassword));
}

// ---------------------------------------------------------------------------------------------
// Template and export

const TEMPLATE_SHEET = "人员";

const COLUMN_SPECS: Record<MemberColumn, { width: number; numFmt?: string; note: string }> = {
  姓名: { width: 12, note: "必填，最多 50 个字" },
  工号: { width: 14, numFmt: "@", note: "必填，用于登录，不能与他人重复。只能包含字母、数字、- 和 _，最多 32 位" },
  手机号: { width: 15, numFmt: "@", note: "选填，1 开头的 11 位手机号，也可用于登录，不能与他人重复" },
  所在组织编码: { width: 16, numFmt: "@", note: "必填，每级 3 位数字，如 001002。见“组织编码”表；请按文本填写，保留开头的 0" },
  人员类别: { width: 14, note: `必填，从下拉列表选择：${STATUS_LIST}` },
  入党日期: { width: 14, numFmt: "yyyy-mm-dd", note: "选填，如 2015-07-01，不能晚于今天" },
  职务: { width: 18, note: "选填，如 支部书记、组织委员；含“书记”或“委员”的按 56 学时要求" },
};

const FROZEN_HEADER: Partial<ExcelJS.WorksheetView>[] = [{ state: "frozen", ySplit: 1 }];
const HEADER_FILL: ExcelJS.Fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFFFE0DC" } };

function setUpMemberSheet(sheet: ExcelJS.Worksheet, { notes }: { notes: boolean }) {
  sheet.columns = MEMBER_COLUMNS.map((header) => ({
    header,
    key: header,
    width: COLUMN_SPECS[header].width,
    style: COLUMN_SPECS[header].numFmt ? { numFmt: COLUMN_SPECS[header].numFmt } : {},
  }));
  const headerRow = sheet.getRow(1);
  headerRow.font = { bold: true };
  headerRow.eachCell((cell) => {
    cell.fill = HEADER_FILL;
    cell.numFmt = "General";
    if (notes) cell.note = COLUMN_SPECS[cell.value as MemberColumn].note;
  });
  const statusColumn = sheet.getColumn(MEMBER_COLUMNS.indexOf("人员类别") + 1).letter;
  (sheet as unknown as { dataValidations: { add(address: string, v: ExcelJS.DataValidation): void } }).dataValidations.add(
    `${statusColumn}2:${statusColumn}${MAX_IMPORT_ROWS + 1}`,
    {
      type: "list",
      allowBlank: true,
      formulae: [`"${MEMBER_STATUSES.map((s) => STATUS_LABELS[s]).join(",")}"`],
      showErrorMessage: true,
      errorTitle: "人员类别",
      error: `请从下拉列表选择：${STATUS_LIST}`,
    },
  );
}

/**
 * The import template: the 人员 sheet (header only, with notes and a list for 人员类别), a
 * 填写说明 sheet with an example, and, when given, the importer's units and their codes.
 */
export async function memberTemplateXlsx(options: { units?: { code: string; name: string }[] } = {}): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = "网上党校";
  const sheet = workbook.addWorksheet(TEMPLATE_SHEET, { views: FROZEN_HEADER });
  setUpMemberSheet(sheet, { notes: true });

  const help = workbook.addWorksheet("填写说明");
  help.columns = MEMBER_COLUMNS.map((c) => ({ key: c, width: COLUMN_SPECS[c].width + 4 }));
  const lines = [
    "党员导入模板 · 填写说明",
    "1. 在“人员”表中从第 2 行起每行填写一人，不要修改、删除或调换第 1 行的表头。",
    `2. 必填：姓名、工号、所在组织编码、人员类别（${STATUS_LIST}）；选填：手机号、入党日期、职务。`,
    "3. 工号和手机号不能与文件中或系统中的其他人员重复；导入的人员首次登录时须修改初始密码。",
    "4. 所在组织编码见“组织编码”表；编码开头的 0 必须保留（单元格已设为文本）。",
    `5. 一次最多导入 ${MAX_IMPORT_ROWS} 人，文件不超过 ${MAX_IMPORT_BYTES / 1024 / 1024} MB；也可另存为 CSV（UTF-8 或 GBK 编码）上传。`,
    "6. 文件中只要有一处错误就不会导入任何人，页面会列出每处错误的行号、列名和原因，改正后重新上传即可。",
    "",
    "示例（请勿复制到“人员”表）：",
  ];
  for (const line of lines) help.addRow([line]);
  help.getRow(1).font = { bold: true, size: 14 };
  const exampleHeader = help.addRow([...MEMBER_COLUMNS]);
  exampleHeader.font = { bold: true };
  exampleHeader.eachCell((cell) => (cell.fill = HEADER_FILL));
  help.addRow(["张三", "E10001", "13800000000", "001001", STATUS_LABELS.full, "2015-07-01", "组织委员"]);
  help.addRow(["李四", "E10002", "", "001001002", STATUS_LABELS.activist, "", ""]);

  if (options.units?.length) {
    const list = workbook.addWorksheet("组织编码");
    list.columns = [
      { header: "组织编码", key: "code", width: 16, style: { numFmt: "@" } },
      { header: "组织名称", key: "name", width: 30 },
    ];
    list.getRow(1).font = { bold: true };
    for (const u of options.units) list.addRow({ code: u.code, name: `${"　".repeat(u.code.length / CODE_SEGMENT - 1)}${u.name}` });
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/**
 * Members (enabled accounts) whose home unit lies in the subtree `unitCode`, in the template's
 * columns, so the file imports again as it is. Written as a stream: a committee may be large.
 */
export async function exportMembersXlsx(unitCode: string): Promise<Buffer> {
  const rows = await db
    .select({
      name: users.name,
      employeeNo: users.employeeNo,
      phone: users.phone,
      unitCode: units.code,
      status: users.status,
      joinedPartyOn: users.joinedPartyOn,
      position: users.position,
    })
    .from(users)
    .innerJoin(units, eq(units.id, users.unitId))
    .where(and(like(units.code, `${unitCode.replace(/[\\%_]/g, "\\$&")}%`), eq(users.disabled, false)))
    .orderBy(asc(units.code), asc(users.employeeNo));

  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    out.on("end", resolve);
    out.on("error", reject);
  });
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet(TEMPLATE_SHEET, { views: FROZEN_HEADER });
  setUpMemberSheet(sheet, { notes: false });
  sheet.getRow(1).commit();
  for (const r of rows) {
    sheet
      .addRow([
        r.name,
        r.employeeNo,
        r.phone ?? "",
        r.unitCode,
        STATUS_LABELS[r.status],
        r.joinedPartyOn ? new Date(`${r.joinedPartyOn}T00:00:00Z`) : "",
        r.position,
      ])
      .commit();
  }
  sheet.commit();
  await workbook.commit();
  await ended;
  return Buffer.concat(chunks);
}

export const XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/**
 * A Content-Disposition for a download with a Chinese file name: an ASCII fallback for old
 * clients and the real name in RFC 5987 form (`filename*=UTF-8''…`).
 */
export function attachmentDisposition(filename: string, asciiFallback: string) {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must go
  const safe = filename.replace(/[\\/:*?"<>|\u0000-\u001f]/g, "_");
  const encoded = encodeURIComponent(safe).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${asciiFallback.replace(/[^\x20-\x7e]|["\\]/g, "_")}"; filename*=UTF-8''${encoded}`;
}
