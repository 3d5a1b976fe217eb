// Exporting a bank as XLSX (our template's columns) and as Moodle XML; both import again as they
// are. Also the empty template with its instructions.
import ExcelJS from "exceljs";
import { bankDrafts } from "./banks.server";
import type { QuestionDraft } from "./draft";
import { TYPE_LABELS } from "./formats/common";
import { questionsToMoodleXml } from "./formats/moodle-xml";
import { blanksCell, MAX_XLSX_ROWS, OPTION_COLUMNS, SHEET_NAME, XLSX_COLUMNS, type XlsxColumn } from "./formats/xlsx";

export { attachmentDisposition, XLSX_CONTENT_TYPE } from "~/org/member-import.server";
export const MOODLE_XML_CONTENT_TYPE = "application/xml; charset=utf-8";

const SPECS: Record<XlsxColumn, { width: number; note: string }> = {
  题型: { width: 10, note: "必填：单选题、多选题、判断题、填空题" },
  题干: { width: 40, note: "必填。填空题在空的位置写 ____（两个以上下划线）或（ ）" },
  ...(Object.fromEntries(
    OPTION_COLUMNS.map((c, i) => [c, { width: 16, note: i < 2 ? "选择题至少填 A、B 两个选项，从 A 起连续填写" : "选填" }]),
  ) as Record<(typeof OPTION_COLUMNS)[number], { width: number; note: string }>),
  答案: {
    width: 16,
    note: "必填。单选题：一个字母，如 B；多选题：几个字母，如 ABD；判断题：正确 或 错误；填空题：多个空用“；”分隔，同一空可接受的几种写法用“|”分隔",
  },
  解析: { width: 30, note: "选填：答题后显示给党员" },
  难度: { width: 8, note: "选填：1–5 的整数，不填为 3" },
  标签: { width: 16, note: "选填：多个标签用逗号或顿号分隔，如 党章,组织生活" },
  来源: { width: 20, note: "选填：出处，如《中国共产党章程》第三条" },
};

const HEADER_FILL: ExcelJS.Fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFFFE0DC" } };

function draftRow(d: QuestionDraft): Record<XlsxColumn, string | number> {
  const row = Object.fromEntries(XLSX_COLUMNS.map((c) => [c, ""])) as Record<XlsxColumn, string | number>;
  row.题型 = TYPE_LABELS[d.type];
  row.题干 = d.stem;
  d.options.forEach((o, i) => (row[OPTION_COLUMNS[i]] = o));
  row.答案 =
    d.type === "single" || d.type === "multiple"
      ? d.correct
          .slice()
          .sort((a, b) => a - b)
          .map((i) => String.fromCharCode(65 + i))
          .join("")
      : d.type === "true_false"
        ? d.value
          ? "正确"
          : "错误"
        : blanksCell(d.blanks ?? []);
  row.解析 = d.explanation;
  row.难度 = d.difficulty;
  row.标签 = d.tags.join(",");
  row.来源 = d.source;
  return row;
}

function questionSheet(workbook: ExcelJS.Workbook, notes: boolean) {
  const sheet = workbook.addWorksheet(SHEET_NAME, { views: [{ state: "frozen", ySplit: 1 }] });
  sheet.columns = XLSX_COLUMNS.map((c) => ({ header: c, key: c, width: SPECS[c].width, style: { numFmt: "@", alignment: { wrapText: true, vertical: "top" } } }));
  const header = sheet.getRow(1);
  header.font = { bold: true };
  header.eachCell((cell) => {
    cell.fill = HEADER_FILL;
    if (notes) cell.note = SPECS[cell.value as XlsxColumn].note;
  });
  (sheet as unknown as { dataValidations: { add(address: string, v: ExcelJS.DataValidation): void } }).dataValidations.add(`A2:A${MAX_XLSX_ROWS + 1}`, {
    type: "list",
    allowBlank: true,
    formulae: [`"${Object.values(TYPE_LABELS).join(",")}"`],
    showErrorMessage: true,
    errorTitle: "题型",
    error: `请从下拉列表选择：${Object.values(TYPE_LABELS).join("、")}`,
  });
  return sheet;
}

export async function questionsXlsx(drafts: QuestionDraft[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = "网上党校";
  const sheet = questionSheet(workbook, false);
  for (const d of drafts) sheet.addRow(draftRow(d));
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

export const TEMPLATE_EXAMPLES: QuestionDraft[] = [
  {
    type: "single",
    stem: "党的最高领导机关是（ ）。",
    options: ["党的全国代表大会和它所产生的中央委员会", "中央政治局", "中央书记处", "中央纪律检查委员会"],
    correct: [0],
    explanation: "党章规定：党的最高领导机关，是党的全国代表大会和它所产生的中央委员会。",
    difficulty: 2,
    tags: ["党章"],
    source: "《中国共产党章程》",
  },
  {
    type: "multiple",
    stem: "“三会一课”中的“三会”是指（ ）。",
    options: ["支部党员大会", "支部委员会", "党小组会", "民主生活会"],
    correct: [0, 1, 2],
    explanation: "“三会”指支部党员大会、支部委员会和党小组会，“一课”指党课。",
    difficulty: 2,
    tags: ["组织生活"],
    source: "",
  },
  { type: "true_false", stem: "预备党员的预备期为一年。", options: [], correct: [], value: true, explanation: "", difficulty: 1, tags: ["党章"], source: "" },
  {
    type: "fill_blank",
    stem: "党支部是党的____组织，党小组是党支部的____。",
    options: [],
    correct: [],
    blanks: [["基础"], ["组成部分", "基本单位"]],
    explanation: "",
    difficulty: 3,
    tags: ["组织建设"],
    source: "",
  },
];

/** The empty template: the 题目 sheet (header with notes, a list for 题型) and a 填写说明 sheet with examples. */
export async function questionTemplateXlsx(): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = "网上党校";
  questionSheet(workbook, true);
  const help = workbook.addWorksheet("填写说明");
  help.columns = XLSX_COLUMNS.map((c) => ({ key: c, width: SPECS[c].width }));
  const lines = [
    "题库导入模板 · 填写说明",
    "1. 在“题目”表中从第 2 行起每行填写一道题，不要修改第 1 行的表头。",
    "2. 题型：单选题、多选题、判断题、填空题。选择题的选项从“选项A”起连续填写，最多 8 个（A–H）。",
    "3. 答案：单选题写一个字母（如 B），多选题写几个字母（如 ABD），判断题写“正确”或“错误”；",
    "   填空题写每个空的答案，多个空用“；”分隔，同一空可接受的几种写法用“|”分隔，如：基础；组成部分|基本单位。",
    "   判分时不区分全角和半角、不计空格，英文字母不分大小写。",
    "4. 难度为 1–5（不填为 3）；标签用逗号或顿号分隔；解析在答题后显示。",
    "5. 文件中只要有一处错误就不会导入任何题目，页面会列出每处错误的行号和原因；题库中已有的相同题目会跳过。",
    "6. 也可以导入 Moodle 的 GIFT、Moodle XML 和 Aiken 格式的文件。",
    "",
    "示例（请勿复制到“题目”表）：",
  ];
  for (const line of lines) help.addRow([line]);
  help.getRow(1).font = { bold: true, size: 14 };
  const header = help.addRow([...XLSX_COLUMNS]);
  header.font = { bold: true };
  header.eachCell((cell) => (cell.fill = HEADER_FILL));
  for (const d of TEMPLATE_EXAMPLES) help.addRow(XLSX_COLUMNS.map((c) => draftRow(d)[c]));
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

export async function bankXlsx(bankId: number) {
  return questionsXlsx((await bankDrafts(bankId)).map((q) => q.draft));
}

export async function bankMoodleXml(bankId: number, bankName: string) {
  return questionsToMoodleXml((await bankDrafts(bankId)).map((q) => q.draft), bankName);
}
