import fs from "node:fs";
import path from "node:path";
import ExcelJS from "exceljs";
import { and, asc, count, eq, inArray, like } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { verifyPassword } from "~/auth/password.server";
import { startSession } from "~/auth/session.server";
import { db } from "~/db/client.server";
import { units, users } from "~/db/schema";
import {
  exportMembersXlsx,
  importMembers,
  MAX_IMPORT_ROWS,
  MAX_REPORTED_ERRORS,
  MEMBER_COLUMNS,
  memberTemplateXlsx,
  parseMemberFile,
  type ImportResult,
} from "~/org/member-import.server";
import { action as importAction, loader as importLoader } from "~/routes/admin.import";
import { loader as exportLoader } from "~/routes/admin.export[.xlsx]";
import { loader as templateLoader } from "~/routes/admin.import.template[.xlsx]";
import { makeMember, makeUnitTree } from "~/seed/factories.server";

const FIXTURES = path.resolve("tests/fixtures/import");
const PASSWORD = "Welcome2024";

type Cell = string | number | Date | null | ExcelJS.CellValue;

let tree: Awaited<ReturnType<typeof makeUnitTree>>;
let other: Awaited<ReturnType<typeof makeUnitTree>>;
let admin: Awaited<ReturnType<typeof makeMember>>;
let organiser: Awaited<ReturnType<typeof makeMember>>;
let plainMember: Awaited<ReturnType<typeof makeMember>>;
/** The admin administers 一总支 (001001) and everything below it. */
let scope: string[];
const code = (name: string) => tree.get(name)!.code;
const unitId = (name: string) => tree.get(name)!.id;

beforeAll(async () => {
  tree = await makeUnitTree({
    name: "测试集团党委",
    kind: "committee",
    children: [
      {
        name: "一总支",
        kind: "general_branch",
        children: [
          { name: "一支部", kind: "branch", children: [{ name: "一组", kind: "group" }] },
          { name: "二支部", kind: "branch" },
          { name: "三支部", kind: "branch" },
        ],
      },
      { name: "机关支部", kind: "branch" },
    ],
  });
  other = await makeUnitTree({ name: "另一党委", kind: "committee" });
  admin = await makeMember({
    unitId: unitId("一总支"),
    name: "管理员",
    employeeNo: "ADMIN01",
    phone: "13000000001",
    grants: [{ unitId: unitId("一总支"), role: "admin" }],
  });
  organiser = await makeMember({
    unitId: unitId("一支部"),
    name: "支部书记甲",
    employeeNo: "ORG01",
    position: "支部书记",
    grants: [{ unitId: unitId("一支部"), role: "organiser" }],
  });
  plainMember = await makeMember({ unitId: unitId("一组"), name: "普通党员", employeeNo: "MEM01" });
  scope = [code("一总支")];
});

// ------------------------------------------------------------------------------------------
// helpers

async function xlsxFile(rows: Cell[][], header: readonly string[] = MEMBER_COLUMNS, name = "members.xlsx") {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet("人员");
  sheet.addRow([...header]);
  for (const r of rows) sheet.addRow(r as ExcelJS.CellValue[]);
  return { name, bytes: new Uint8Array(await workbook.xlsx.writeBuffer()) };
}

function csvFile(lines: string[], { bom = true, name = "members.csv" } = {}) {
  const text = [MEMBER_COLUMNS.join(","), ...lines].join("\r\n") + "\r\n";
  const body = new TextEncoder().encode(text);
  return { name, bytes: bom ? new Uint8Array([0xef, 0xbb, 0xbf, ...body]) : body };
}

function fixture(name: string) {
  return { name, bytes: new Uint8Array(fs.readFileSync(path.join(FIXTURES, name))) };
}

async function userCount() {
  const [{ n }] = await db.select({ n: count() }).from(users);
  return n;
}

async function cookieFor(userId: number) {
  return (await startSession(userId)).split(";")[0];
}

/** Imports `file`, expecting a refusal that writes nothing; returns the errors. */
async function expectRefused(file: { name: string; bytes: Uint8Array }, prefixes = scope) {
  const before = await userCount();
  const result = await importMembers({ file, initialPassword: PASSWORD, scopePrefixes: prefixes });
  expect(result.ok).toBe(false);
  expect(await userCount()).toBe(before);
  return (result as Extract<ImportResult, { ok: false }>).errors;
}

function row(name: string, employeeNo: string, unitCode: string, extra: Partial<Record<"phone" | "status" | "date" | "position", Cell>> = {}): Cell[] {
  return [name, employeeNo, extra.phone ?? "", unitCode, extra.status ?? "正式党员", extra.date ?? "", extra.position ?? ""];
}

async function membersByEmployeeNo(prefix: string) {
  return db.select().from(users).where(like(users.employeeNo, `${prefix}%`)).orderBy(asc(users.employeeNo));
}

async function readXlsx(bytes: ArrayBuffer | Uint8Array) {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(Buffer.from(bytes as ArrayBuffer) as unknown as ExcelJS.Buffer);
  return workbook;
}

function multipart(fields: Record<string, string | File>, cookie: string) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  return new Request("http://localhost/admin/import", { method: "POST", body: form, headers: { cookie } });
}

async function thrownResponse(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Response) return error;
    throw error;
  }
  throw new Error("expected a thrown Response");
}

// ------------------------------------------------------------------------------------------

describe("the tree used by the fixtures", () => {
  it("has the codes the hand-written CSV fixtures use", () => {
    expect(code("一总支")).toBe("001001");
    expect(code("一支部")).toBe("001001001");
    expect(code("一组")).toBe("001001001001");
    expect(code("机关支部")).toBe("001002");
    expect(other.get("另一党委")!.code).toBe("002");
  });
});

describe("clean files", () => {
  it("imports an XLSX with numbers, dates, rich text and formulas normalised", async () => {
    const before = await userCount();
    const file = await xlsxFile([
      row("王一", "X0001", code("一支部"), { phone: "13900000001", date: new Date(Date.UTC(2015, 6, 1)), position: "支部书记" }),
      // 工号, 手机号 and 组织编码 typed as numbers: digits kept, the code's leading zeros restored
      ["王二", 20002, 13900000002, Number(code("一组")), "预备党员", "2020/7/1", ""],
      [{ richText: [{ text: "王" }, { text: "三", font: { bold: true } }] }, "X0003", "", code("二支部"), "入党积极分子", "", "组织委员"],
      [{ formula: 'CONCATENATE("王","四")', result: "王四" }, "X0004", " 13900000004 ", code("一总支"), " 群众 ", "", "  "],
    ]);
    const result = await importMembers({ file, initialPassword: PASSWORD, scopePrefixes: scope });
    expect(result).toEqual({ ok: true, count: 4 });
    expect(await userCount()).toBe(before + 4);

    const byNo = new Map((await db.select().from(users).where(inArray(users.employeeNo, ["X0001", "20002", "X0003", "X0004"]))).map((u) => [u.employeeNo, u]));
    expect(byNo.get("X0001")).toMatchObject({ name: "王一", phone: "13900000001", unitId: unitId("一支部"), status: "full", joinedPartyOn: "2015-07-01", position: "支部书记", isCadre: true, mustChangePassword: true, disabled: false });
    expect(byNo.get("20002")).toMatchObject({ name: "王二", phone: "13900000002", unitId: unitId("一组"), status: "probationary", joinedPartyOn: "2020-07-01", isCadre: false });
    expect(byNo.get("X0003")).toMatchObject({ name: "王三", phone: null, unitId: unitId("二支部"), status: "activist", joinedPartyOn: null, position: "组织委员", isCadre: true });
    expect(byNo.get("X0004")).toMatchObject({ name: "王四", phone: "13900000004", unitId: unitId("一总支"), status: "staff", position: "" });

    // Hashed once: every imported member carries the same hash, and it is the initial password's.
    const hashes = new Set([...byNo.values()].map((u) => u.passwordHash));
    expect(hashes.size).toBe(1);
    expect(await verifyPassword([...hashes][0], PASSWORD)).toBe(true);
  });

  it("imports the downloaded template once filled in (keeping its notes, list and other sheets)", async () => {
    const template = await readXlsx(await memberTemplateXlsx({ units: [{ code: code("一总支"), name: "一总支" }] }));
    const sheet = template.getWorksheet("人员")!;
    sheet.getRow(2).values = ["模板甲", "TPL1", "13312345678", code("一组"), "正式党员", new Date(Date.UTC(2016, 6, 1)), "组织委员"];
    sheet.getRow(3).values = ["模板乙", "TPL2", undefined, code("二支部"), "预备党员", undefined, undefined] as ExcelJS.CellValue[];
    const bytes = new Uint8Array(await template.xlsx.writeBuffer());
    expect(await importMembers({ file: { name: "filled.xlsx", bytes }, initialPassword: PASSWORD, scopePrefixes: scope })).toEqual({ ok: true, count: 2 });
    const rows = await membersByEmployeeNo("TPL");
    expect(rows.map((u) => [u.name, u.phone, u.unitId, u.status, u.joinedPartyOn, u.position, u.isCadre])).toEqual([
      ["模板甲", "13312345678", unitId("一组"), "full", "2016-07-01", "组织委员", true],
      ["模板乙", null, unitId("二支部"), "probationary", null, "", false],
    ]);
  });

  it("imports a UTF-8 CSV with BOM, quoted commas, quotes and line breaks", async () => {
    const result = await importMembers({ file: fixture("members-utf8-bom.csv"), initialPassword: PASSWORD, scopePrefixes: scope });
    expect(result).toEqual({ ok: true, count: 3 });
    const rows = await membersByEmployeeNo("U");
    expect(rows.map((u) => [u.employeeNo, u.name, u.phone, u.status, u.joinedPartyOn, u.position, u.isCadre, u.unitId])).toEqual([
      ["U0001", "周, 恩", "13600000001", "full", "2010-07-01", "组织委员,兼纪检委员", true, unitId("一支部")],
      ["U0002", "吴用", null, "staff", null, '班组长 "老吴"', false, unitId("一支部")],
      // a line break typed inside a cell becomes a space
      ["U0003", "多行 姓名", null, "full", "2012-07-01", "", false, unitId("一支部")],
    ]);
  });

  it("imports a GB18030-encoded CSV as Excel saves it in China", async () => {
    const result = await importMembers({ file: fixture("members-gb18030.csv"), initialPassword: PASSWORD, scopePrefixes: scope });
    expect(result).toEqual({ ok: true, count: 3 });
    const rows = await membersByEmployeeNo("G");
    expect(rows.map((u) => [u.employeeNo, u.name, u.phone, u.status, u.joinedPartyOn, u.position])).toEqual([
      ["G0001", "欧阳修", "13700000001", "full", "2001-07-01", "支部书记"],
      ["G0002", "赵钱孙", null, "probationary", "2023-06-30", ""],
      ["G0003", "李𠀀", "13700000003", "activist", null, "宣传委员"],
    ]);
  });
});

describe("broken files are refused with row, column and reason, and write nothing", () => {
  it("missing column", async () => {
    const header = MEMBER_COLUMNS.filter((c) => c !== "手机号");
    const errors = await expectRefused(await xlsxFile([["甲", "M1", code("一支部"), "正式党员", "", ""]], header));
    expect(errors).toEqual([{ row: 1, column: "手机号", message: expect.stringContaining("缺少“手机号”列") }]);
  });

  it("renamed column names the missing one and the unknown one", async () => {
    const header = MEMBER_COLUMNS.map((c) => (c === "所在组织编码" ? "组织" : c));
    const errors = await expectRefused(await xlsxFile([row("甲", "M1", code("一支部"))], header));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ row: 1, column: "所在组织编码" });
    expect(errors[0].message).toMatch(/缺少“所在组织编码”列.*无法识别的列：“组织”/);
  });

  it("unknown unit code", async () => {
    const errors = await expectRefused(await xlsxFile([row("甲", "K1", code("一支部")), row("乙", "K2", "001009")]));
    expect(errors).toEqual([{ row: 3, column: "所在组织编码", message: "找不到组织编码“001009”对应的组织" }]);
  });

  it("unit code outside the admin's scope", async () => {
    const errors = await expectRefused(
      await xlsxFile([row("甲", "K1", code("机关支部")), row("乙", "K2", code("一支部")), row("丙", "K3", other.get("另一党委")!.code)]),
    );
    expect(errors).toEqual([
      { row: 2, column: "所在组织编码", message: `组织编码“${code("机关支部")}”不在你的管理范围内` },
      { row: 4, column: "所在组织编码", message: "组织编码“002”不在你的管理范围内" },
    ]);
  });

  it("duplicate employee number within the file names both rows", async () => {
    const errors = await expectRefused(
      await xlsxFile([row("甲", "D1", code("一支部")), row("乙", "D2", code("一支部")), row("丙", "D1", code("二支部"))]),
    );
    expect(errors).toEqual([
      { row: 2, column: "工号", message: "工号“D1”重复：与第 4 行相同" },
      { row: 4, column: "工号", message: "工号“D1”重复：与第 2 行相同" },
    ]);
  });

  it("duplicate phone within the file, and a phone already in use", async () => {
    const errors = await expectRefused(
      await xlsxFile([
        row("甲", "P1", code("一支部"), { phone: "13811112222" }),
        row("乙", "P2", code("一支部"), { phone: "13811112222" }),
        row("丙", "P3", code("一支部"), { phone: admin.phone! }),
      ]),
    );
    expect(errors).toEqual([
      { row: 2, column: "手机号", message: "手机号“13811112222”重复：与第 3 行相同" },
      { row: 3, column: "手机号", message: "手机号“13811112222”重复：与第 2 行相同" },
      { row: 4, column: "手机号", message: "手机号“13000000001”已被系统中的其他人员使用" },
    ]);
  });

  it("employee number already used by an existing member", async () => {
    const errors = await expectRefused(await xlsxFile([row("甲", "E1", code("一支部")), row("管理员二", "ADMIN01", code("一支部"))]));
    expect(errors).toEqual([{ row: 3, column: "工号", message: "工号“ADMIN01”已被系统中的其他人员使用" }]);
  });

  it("bad dates: unreadable, impossible, in the future, before 1921", async () => {
    const errors = await expectRefused(
      await xlsxFile([
        row("甲", "T1", code("一支部"), { date: "去年七月" }),
        row("乙", "T2", code("一支部"), { date: "2023-02-30" }),
        row("丙", "T3", code("一支部"), { date: "2015-13-01" }),
        row("丁", "T4", code("一支部"), { date: "2999-01-01" }),
        row("戊", "T5", code("一支部"), { date: "1900-01-01" }),
        row("己", "T6", code("一支部"), { date: "2016/2/29" }),
      ]),
    );
    expect(errors).toEqual([
      { row: 2, column: "入党日期", message: "入党日期“去年七月”无法识别：请写成 2015-07-01 这样的日期" },
      { row: 3, column: "入党日期", message: "入党日期“2023-02-30”不是一个真实存在的日期" },
      { row: 4, column: "入党日期", message: "入党日期“2015-13-01”不是一个真实存在的日期" },
      { row: 5, column: "入党日期", message: "入党日期“2999-01-01”晚于今天" },
      { row: 6, column: "入党日期", message: "入党日期“1900-01-01”早于 1921 年 7 月 1 日，请检查" },
    ]);
  });

  it("empty file (no bytes, or only a BOM and blank lines)", async () => {
    expect(await expectRefused({ name: "empty.xlsx", bytes: new Uint8Array() })).toEqual([
      { row: 0, column: "", message: "文件是空的：没有表头，也没有人员数据" },
    ]);
    const blank = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode("\r\n\r\n , ,\r\n")]);
    expect(await expectRefused({ name: "blank.csv", bytes: blank })).toEqual([{ row: 0, column: "", message: "文件是空的：没有表头，也没有人员数据" }]);
    const emptySheet = new ExcelJS.Workbook();
    emptySheet.addWorksheet("人员");
    const bytes = new Uint8Array(await emptySheet.xlsx.writeBuffer());
    expect(await expectRefused({ name: "empty-sheet.xlsx", bytes })).toEqual([{ row: 0, column: "", message: "文件是空的：没有表头，也没有人员数据" }]);
  });

  it("header-only file (XLSX and CSV)", async () => {
    const message = "文件只有表头，没有人员数据：请从第 2 行起每行填写一人";
    expect(await expectRefused(await xlsxFile([]))).toEqual([{ row: 0, column: "", message }]);
    expect(await expectRefused(csvFile([]))).toEqual([{ row: 0, column: "", message }]);
    // The downloadable template itself, uploaded unfilled
    expect(await expectRefused({ name: "党员导入模板.xlsx", bytes: new Uint8Array(await memberTemplateXlsx()) })).toEqual([{ row: 0, column: "", message }]);
  });

  it("wrong file type: PNG or PDF renamed .xlsx, old .xls, a zip that is not a workbook", async () => {
    const wrong = [{ row: 0, column: "", message: "文件类型不对：请上传用模板填写的 .xlsx 文件或 .csv 文件" }];
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1]);
    expect(await expectRefused({ name: "members.xlsx", bytes: png })).toEqual(wrong);
    const pdf = new TextEncoder().encode("%PDF-1.7\n%\u00e2\u00e3\n1 0 obj\n<<>>\nendobj\n");
    expect(await expectRefused({ name: "members.xlsx", bytes: pdf })).toEqual(wrong);
    // Arbitrary binary without a known signature is not mistaken for a GBK CSV either
    const binary = new Uint8Array(256).map((_, i) => (i * 73 + 11) % 256);
    expect(await expectRefused({ name: "members.csv", bytes: binary })).toEqual(wrong);
    const xls = new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0]);
    expect((await expectRefused({ name: "members.xls", bytes: xls }))[0].message).toMatch(/旧版 Excel（\.xls）/);
    const notWorkbook = new Uint8Array([0x50, 0x4b, 0x03, 0x04, ...new Uint8Array(60)]);
    expect((await expectRefused({ name: "members.xlsx", bytes: notWorkbook }))[0].message).toMatch(/无法读取这个 XLSX 文件/);
  });

  it("CSV with a broken quote names the record and column", async () => {
    const errors = await expectRefused(fixture("broken-quote.csv"));
    expect(errors).toEqual([{ row: 3, column: "职务", message: "引号没有闭合：以英文双引号 \" 开头的内容必须以 \" 结束" }]);
    const trailing = await expectRefused(csvFile([`"甲"x,Q1,,${code("一支部")},正式党员,,`]));
    expect(trailing).toEqual([{ row: 2, column: "姓名", message: "引号位置不对：英文双引号 \" 结束之后、逗号之前还有其他字符" }]);
  });

  it("invalid 人员类别", async () => {
    const errors = await expectRefused(csvFile([`甲,S1,,${code("一支部")},党员,,`, `乙,S2,,${code("一支部")},,,`]));
    expect(errors).toEqual([
      { row: 2, column: "人员类别", message: "人员类别“党员”无法识别：应为 正式党员、预备党员、入党积极分子、群众 之一" },
      { row: 3, column: "人员类别", message: "人员类别不能为空" },
    ]);
  });

  it("bad phone", async () => {
    const errors = await expectRefused(csvFile([`甲,H1,1380013800,${code("一支部")},正式党员,,`, `乙,H2,23800138000,${code("一支部")},正式党员,,`]));
    expect(errors).toEqual([
      { row: 2, column: "手机号", message: "手机号“1380013800”格式不对：应为 1 开头的 11 位数字，可以不填" },
      { row: 3, column: "手机号", message: "手机号“23800138000”格式不对：应为 1 开头的 11 位数字，可以不填" },
    ]);
  });

  it("required fields, bad employee number, bad code format and too long values", async () => {
    const long = "长".repeat(51);
    const errors = await expectRefused(
      csvFile([`,R1,,${code("一支部")},正式党员,,`, `甲,,,,正式党员,,`, `乙,R#3,,00A1,正式党员,,`, `${long},R4,,${code("一支部")},正式党员,,${long}`, `丙,${"R".repeat(33)},,${code("一支部")},正式党员,,`]),
    );
    expect(errors).toEqual([
      { row: 2, column: "姓名", message: "姓名不能为空" },
      { row: 3, column: "工号", message: "工号不能为空" },
      { row: 3, column: "所在组织编码", message: "所在组织编码不能为空" },
      { row: 4, column: "工号", message: "工号“R#3”格式不对：只能包含字母、数字、- 和 _" },
      { row: 4, column: "所在组织编码", message: "所在组织编码“00A1”格式不对：应为数字，每级 3 位，如 001002" },
      { row: 5, column: "姓名", message: "姓名太长：最多 50 个字" },
      { row: 5, column: "职务", message: "职务太长：最多 50 个字" },
      { row: 6, column: "工号", message: "工号太长：最多 32 位" },
    ]);
  });

  it("formula errors are reported once per cell", async () => {
    const errors = await expectRefused(
      await xlsxFile([[{ formula: "VLOOKUP(A1,B:C,2,0)", result: { error: "#N/A" } }, "FE1", "", code("一支部"), "正式党员", "", ""]]),
    );
    expect(errors).toEqual([{ row: 2, column: "姓名", message: "姓名是公式出错的结果 #N/A：请填写实际内容" }]);
  });

  it("many rows with the same 工号 name a few of the others and the count", async () => {
    const lines = Array.from({ length: 8 }, (_, i) => `人${i},SAME1,,${code("一支部")},正式党员,,`);
    const errors = await expectRefused(csvFile(lines));
    expect(errors).toHaveLength(8);
    expect(errors[0]).toEqual({ row: 2, column: "工号", message: "工号“SAME1”重复：与第 3、4、5、6、7 等 7 行相同" });
    expect(errors[7]).toEqual({ row: 9, column: "工号", message: "工号“SAME1”重复：与第 2、3、4、5、6 等 7 行相同" });
  });

  it("too many rows", async () => {
    const lines = Array.from({ length: MAX_IMPORT_ROWS + 1 }, (_, i) => `人${i},TM${i},,${code("一支部")},正式党员,,`);
    const errors = await expectRefused(csvFile(lines));
    expect(errors).toEqual([{ row: 0, column: "", message: `文件有 ${MAX_IMPORT_ROWS + 1} 行人员数据，超过单次导入上限 ${MAX_IMPORT_ROWS} 行，请分成几个文件导入` }]);
  });

  it("a file broken on every row lists the first errors and the total", async () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `人${i},BR${i},,${code("一支部")},党员,,`);
    const before = await userCount();
    const result = await importMembers({ file: csvFile(lines), initialPassword: PASSWORD, scopePrefixes: scope });
    expect(result.ok).toBe(false);
    const { errors, total } = result as Extract<ImportResult, { ok: false }>;
    expect(total).toBe(1000);
    expect(errors).toHaveLength(MAX_REPORTED_ERRORS);
    expect(errors[0]).toMatchObject({ row: 2, column: "人员类别" });
    expect(errors.at(-1)).toMatchObject({ row: MAX_REPORTED_ERRORS + 1 });
    expect(await userCount()).toBe(before);
  });
});

describe("concurrent imports", () => {
  it("two imports of the same file at once: one writes every row, the other is refused and writes nothing", async () => {
    const file = await xlsxFile(Array.from({ length: 50 }, (_, i) => row(`并发${i}`, `RACE${i}`, code("一支部"), { phone: `1770000${String(i).padStart(4, "0")}` })));
    const before = await userCount();
    const results = await Promise.all([1, 2].map(() => importMembers({ file, initialPassword: PASSWORD, scopePrefixes: scope })));
    expect(results.filter((r) => r.ok)).toEqual([{ ok: true, count: 50 }]);
    const refused = results.find((r) => !r.ok) as Extract<ImportResult, { ok: false }>;
    expect(refused.errors[0].message).toMatch(/已被系统中的其他人员使用|刚刚被其他人员占用/);
    expect(await userCount()).toBe(before + 50);
  });
});

describe("10,000 rows", () => {
  const lines = (prefix: string) =>
    Array.from({ length: 10_000 }, (_, i) => {
      const unit = [code("一支部"), code("一组"), code("二支部"), code("三支部")][i % 4];
      const status = ["正式党员", "预备党员", "入党积极分子", "群众"][i % 4];
      return row(`党员${i}`, `${prefix}${String(i).padStart(5, "0")}`, unit, {
        phone: `15${prefix === "BIG" ? "1" : "2"}${String(i).padStart(8, "0")}`,
        status,
        date: i % 4 < 2 ? new Date(Date.UTC(2000 + (i % 20), i % 12, 1 + (i % 28))) : "",
        position: i % 50 === 0 ? "支部委员" : "",
      });
    });

  it("a clean 10,000-row XLSX imports in a few seconds", async () => {
    const file = await xlsxFile(lines("BIG"));
    const before = await userCount();
    const started = performance.now();
    const result = await importMembers({ file, initialPassword: PASSWORD, scopePrefixes: scope });
    const ms = performance.now() - started;
    console.log(`10,000-row XLSX import (${(file.bytes.byteLength / 1024).toFixed(0)} KB): ${ms.toFixed(0)} ms`);
    expect(result).toEqual({ ok: true, count: 10_000 });
    expect(await userCount()).toBe(before + 10_000);
    expect(ms).toBeLessThan(15_000);
    const sample = await db.select().from(users).where(eq(users.employeeNo, "BIG09999"));
    expect(sample[0]).toMatchObject({ name: "党员9999", unitId: unitId("三支部"), status: "staff", phone: "15100009999", mustChangePassword: true });
    const cadres = await db.select({ n: count() }).from(users).where(like(users.employeeNo, "BIG%"));
    expect(cadres[0].n).toBe(10_000);
  });

  it("a 10,000-row file with one bad row at row 9,500 is refused naming that row", async () => {
    const data = lines("BAD");
    data[9500 - 2][5] = "2019-02-29"; // spreadsheet row 9,500: header is row 1, data starts at row 2
    const file = await xlsxFile(data);
    const started = performance.now();
    const errors = await expectRefused(file);
    console.log(`10,000-row XLSX with one bad row refused in ${(performance.now() - started).toFixed(0)} ms`);
    expect(errors).toEqual([{ row: 9500, column: "入党日期", message: "入党日期“2019-02-29”不是一个真实存在的日期" }]);
    expect(await membersByEmployeeNo("BAD")).toHaveLength(0);
  });
});

describe("export", () => {
  let roundTrip: Awaited<ReturnType<typeof makeMember>>[];

  beforeAll(async () => {
    // 三支部 holds only these (the 10,000-row test may add more under other prefixes; they are filtered below)
    roundTrip = [
      await makeMember({ unitId: unitId("三支部"), name: "钱学", employeeNo: "RT001", phone: "18600000001", status: "full", position: "支部书记", joinedPartyOn: "1999-07-01" }),
      await makeMember({ unitId: unitId("三支部"), name: "孙文, \"小\"", employeeNo: "RT002", status: "probationary", joinedPartyOn: "2024-02-29" }),
      await makeMember({ unitId: unitId("三支部"), name: "=1+1", employeeNo: "RT003", phone: "18600000003", status: "activist", position: "青年委员" }),
      await makeMember({ unitId: unitId("三支部"), name: "赵群", employeeNo: "007", status: "staff" }),
    ];
    const disabled = await makeMember({ unitId: unitId("三支部"), name: "已停用", employeeNo: "RTOFF" });
    await db.update(users).set({ disabled: true }).where(eq(users.id, disabled.id));
    await makeMember({ unitId: unitId("机关支部"), name: "机关党员", employeeNo: "JG001" });
    await makeMember({ unitId: other.get("另一党委")!.id, name: "外单位党员", employeeNo: "WD001" });
  });

  function sheetRows(workbook: ExcelJS.Workbook) {
    const sheet = workbook.getWorksheet("人员")!;
    const out: unknown[][] = [];
    sheet.eachRow((r) => out.push((r.values as unknown[]).slice(1)));
    return out;
  }

  it("contains the subtree's members only, in the template's columns", async () => {
    const workbook = await readXlsx(await exportMembersXlsx(code("一支部")));
    const rows = sheetRows(workbook);
    expect(rows[0]).toEqual([...MEMBER_COLUMNS]);
    const codes = rows.slice(1).map((r) => String(r[3]));
    expect(codes.length).toBeGreaterThan(0);
    expect(codes.every((c) => c.startsWith(code("一支部")))).toBe(true);
    const employeeNos = rows.slice(1).map((r) => r[1]);
    expect(employeeNos).toContain("ORG01");
    expect(employeeNos).toContain("MEM01");
    for (const outsider of ["ADMIN01", "JG001", "WD001", "RT001", "RTOFF"]) expect(employeeNos).not.toContain(outsider);
    const [{ n }] = await db
      .select({ n: count() })
      .from(users)
      .innerJoin(units, eq(units.id, users.unitId))
      .where(and(like(units.code, `${code("一支部")}%`), eq(users.disabled, false)));
    expect(rows.length - 1).toBe(n);
  });

  it("re-imports cleanly: export, remove, import again gives the same members", async () => {
    // Everyone enabled in 三支部: the four above, and whatever earlier tests imported there.
    const snapshot = async () =>
      (
        await db
          .select()
          .from(users)
          .where(and(eq(users.unitId, unitId("三支部")), eq(users.disabled, false)))
          .orderBy(asc(users.employeeNo))
      ).map((u) => ({
        name: u.name,
        employeeNo: u.employeeNo,
        phone: u.phone,
        unitId: u.unitId,
        status: u.status,
        position: u.position,
        isCadre: u.isCadre,
        joinedPartyOn: u.joinedPartyOn,
      }));
    const before = await snapshot();
    expect(before.filter((m) => roundTrip.some((r) => r.employeeNo === m.employeeNo))).toHaveLength(4);
    const exported = await exportMembersXlsx(code("三支部"));
    // Dates are real date cells shown as yyyy-mm-dd; codes and numbers-like IDs stay text.
    const exportedSheet = (await readXlsx(exported)).getWorksheet("人员")!;
    let rt001: ExcelJS.Row | undefined;
    let zhao: ExcelJS.Row | undefined;
    exportedSheet.eachRow((r) => {
      if (r.getCell(2).value === "RT001") rt001 = r;
      if (r.getCell(2).value === "007") zhao = r;
    });
    expect(rt001!.getCell(6).value).toEqual(new Date(Date.UTC(1999, 6, 1)));
    expect(rt001!.getCell(6).numFmt).toBe("yyyy-mm-dd");
    expect(rt001!.getCell(4).value).toBe(code("三支部"));
    expect(zhao!.getCell(5).value).toBe("群众");
    const exportedNos = sheetRows(await readXlsx(exported))
      .slice(1)
      .map((r) => String(r[1]));
    expect(exportedNos.sort()).toEqual(before.map((m) => m.employeeNo).sort());
    expect(exportedNos).not.toContain("RTOFF");
    await db.delete(users).where(inArray(users.employeeNo, exportedNos));
    expect(await snapshot()).toHaveLength(0);
    const result = await importMembers({ file: { name: "export.xlsx", bytes: new Uint8Array(exported) }, initialPassword: PASSWORD, scopePrefixes: scope });
    expect(result).toEqual({ ok: true, count: before.length });
    expect(await snapshot()).toEqual(before);
  });
});

describe("template", () => {
  it("has the exact headers in order, text-formatted code columns and a 人员类别 list", async () => {
    const workbook = await readXlsx(await memberTemplateXlsx({ units: [{ code: "001", name: "党委" }, { code: "001001", name: "支部" }] }));
    const sheet = workbook.worksheets[0];
    expect(sheet.name).toBe("人员");
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual([...MEMBER_COLUMNS]);
    expect(sheet.getColumn(4).numFmt).toBe("@");
    expect(sheet.getColumn(2).numFmt).toBe("@");
    const validation = (sheet as unknown as { dataValidations: { model: Record<string, ExcelJS.DataValidation> } }).dataValidations.model;
    expect(Object.values(validation)[0]).toMatchObject({ type: "list", formulae: ['"正式党员,预备党员,入党积极分子,群众"'] });
    expect(workbook.getWorksheet("组织编码")!.getRow(3).getCell(1).value).toBe("001001");
    expect(sheet.actualRowCount).toBe(1);
  });
});

describe("routes", () => {
  it("the import page loads for an admin with the units of their scope", async () => {
    const request = new Request("http://localhost/admin/import", { headers: { cookie: await cookieFor(admin.id) } });
    const data = await importLoader({ request, params: {}, context: {} });
    expect(data.units.map((u) => u.code)).toEqual([code("一总支"), code("一支部"), code("一组"), code("二支部"), code("三支部")]);
  });

  it("the import action imports an uploaded file for an admin", async () => {
    const file = await xlsxFile([row("路由甲", "WEB01", code("一支部")), row("路由乙", "WEB02", code("二支部"), { phone: "13512345678" })]);
    const request = multipart({ file: new File([file.bytes], "名单.xlsx"), initialPassword: PASSWORD }, await cookieFor(admin.id));
    const result = await importAction({ request, params: {}, context: {} });
    expect(result).toEqual({ status: "imported", count: 2 });
    expect((await membersByEmployeeNo("WEB")).map((u) => u.name)).toEqual(["路由甲", "路由乙"]);
  });

  it("the import action shows row errors and writes nothing", async () => {
    const before = await userCount();
    const file = await xlsxFile([row("路由丙", "WEB03", "009")]);
    const request = multipart({ file: new File([file.bytes], "名单.xlsx"), initialPassword: PASSWORD }, await cookieFor(admin.id));
    const result = await importAction({ request, params: {}, context: {} });
    expect(result).toEqual({ status: "invalid", total: 1, errors: [{ row: 2, column: "所在组织编码", message: "找不到组织编码“009”对应的组织" }] });
    expect(await userCount()).toBe(before);
  });

  it("the import action validates the initial password and the file", async () => {
    const file = await xlsxFile([row("路由丁", "WEB04", code("一支部"))]);
    const weak = multipart({ file: new File([file.bytes], "名单.xlsx"), initialPassword: "short" }, await cookieFor(admin.id));
    const weakResult = (await importAction({ request: weak, params: {}, context: {} })) as { status: string; result?: { error?: Record<string, string[] | null> } };
    expect(weakResult.status).toBe("form");
    expect(weakResult.result?.error?.initialPassword).toContain("v.password");
    const noFile = multipart({ file: new File([], ""), initialPassword: PASSWORD }, await cookieFor(admin.id));
    const noFileResult = (await importAction({ request: noFile, params: {}, context: {} })) as { status: string; result?: { error?: Record<string, string[] | null> } };
    expect(noFileResult.status).toBe("form");
    expect(noFileResult.result?.error?.file).toEqual(["fileRequired"]);
    expect(await membersByEmployeeNo("WEB04")).toHaveLength(0);
  });

  it("the import action refuses a file over 10 MB with a clear status", async () => {
    const big = new Uint8Array(10 * 1024 * 1024 + 1).fill(0x41);
    const request = multipart({ file: new File([big], "big.csv"), initialPassword: PASSWORD }, await cookieFor(admin.id));
    expect(await importAction({ request, params: {}, context: {} })).toEqual({ status: "tooLarge" });
  });

  it("organisers and members get 403 from the import page, the action, the template and the export", async () => {
    for (const user of [organiser, plainMember]) {
      const cookie = await cookieFor(user.id);
      const file = await xlsxFile([row("越权", "NOPE1", code("一支部"))]);
      const before = await userCount();
      const post = multipart({ file: new File([file.bytes], "x.xlsx"), initialPassword: PASSWORD }, cookie);
      expect((await thrownResponse(importAction({ request: post, params: {}, context: {} }))).status).toBe(403);
      expect(await userCount()).toBe(before);
      const page = new Request("http://localhost/admin/import", { headers: { cookie } });
      expect((await thrownResponse(importLoader({ request: page, params: {}, context: {} }))).status).toBe(403);
      const exportRequest = new Request(`http://localhost/admin/export.xlsx?unit=${unitId("一支部")}`, { headers: { cookie } });
      expect((await thrownResponse(exportLoader({ request: exportRequest, params: {}, context: {} }))).status).toBe(403);
      const template = new Request("http://localhost/admin/import/template.xlsx", { headers: { cookie } });
      expect((await thrownResponse(templateLoader({ request: template, params: {}, context: {} }))).status).toBe(403);
    }
  });

  it("a signed-out visitor is sent to the login page", async () => {
    const response = await thrownResponse(exportLoader({ request: new Request(`http://localhost/admin/export.xlsx?unit=${unitId("一支部")}`), params: {}, context: {} }));
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toMatch(/^\/login\?redirectTo=/);
  });

  it("the export route gives an admin the XLSX of a unit in scope, and 404 outside it", async () => {
    const cookie = await cookieFor(admin.id);
    const response = (await exportLoader({ request: new Request(`http://localhost/admin/export.xlsx?unit=${unitId("一支部")}`, { headers: { cookie } }), params: {}, context: {} })) as Response;
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="members-001001001-\d{4}-\d{2}-\d{2}\.xlsx"; filename\*=UTF-8''%E4%BA%BA%E5%91%98%E5%90%8D%E5%8D%95-/);
    const rows = (await readXlsx(await response.arrayBuffer())).getWorksheet("人员")!;
    expect(rows.getRow(1).getCell(1).value).toBe("姓名");
    for (const outside of [unitId("机关支部"), other.get("另一党委")!.id, 999_999]) {
      const r = new Request(`http://localhost/admin/export.xlsx?unit=${outside}`, { headers: { cookie } });
      expect((await thrownResponse(exportLoader({ request: r, params: {}, context: {} }))).status).toBe(404);
    }
  });

  it("the template route sends 党员导入模板.xlsx with the admin's unit codes", async () => {
    const cookie = await cookieFor(admin.id);
    const response = (await templateLoader({ request: new Request("http://localhost/admin/import/template.xlsx", { headers: { cookie } }), params: {}, context: {} })) as Response;
    expect(response.headers.get("content-disposition")).toBe(
      `attachment; filename="member-import-template.xlsx"; filename*=UTF-8''${encodeURIComponent("党员导入模板.xlsx")}`,
    );
    const workbook = await readXlsx(await response.arrayBuffer());
    const codes: string[] = [];
    workbook.getWorksheet("组织编码")!.eachRow((r, n) => n > 1 && codes.push(String(r.getCell(1).value)));
    expect(codes).toEqual([code("一总支"), code("一支部"), code("一组"), code("二支部"), code("三支部")]);
    // and the parser reads the template's header as valid
    const parsed = await parseMemberFile({ name: "t.xlsx", bytes: new Uint8Array(await memberTemplateXlsx()) });
    expect(parsed.ok && parsed.file.header).toEqual([...MEMBER_COLUMNS]);
  });
});
