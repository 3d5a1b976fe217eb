// UI text of the import/export page that app/i18n/messages.ts does not hold (browser-safe).
import type { Locale } from "~/i18n/messages";

const zhCN = {
  intro: "按模板填写人员后上传 XLSX 或 CSV 文件。系统会先检查每一行：只要有一处错误，就不会导入任何人。",
  templateHint: "模板里有填写说明，以及你管理范围内各组织的编码。",
  fileHint: "最大 {mb} MB，一次最多 {rows} 人。",
  fileRequired: "请选择要导入的 XLSX 或 CSV 文件",
  tooLarge: "文件太大：最多 {mb} MB，请分成几个文件导入",
  badUpload: "上传没有成功，请重新选择文件再试",
  passwordHint: "至少 8 位，需同时包含字母和数字。导入的人员首次登录时必须改成自己的密码。",
  importHeading: "导入人员",
  checking: "正在检查并导入…",
  colRow: "行",
  colColumn: "列",
  colReason: "原因",
  wholeFile: "整个文件",
  moreErrors: "只列出前 {shown} 处错误（共 {total} 处）。改正后重新上传，会再次检查全部内容。",
  viewMembers: "查看人员名单",
  exportHint: "导出所选组织及其全部下级组织的人员（不含已停用的账号），格式与导入模板相同。",
  noUnits: "你的管理范围内还没有组织。",
} as const;

export type ImportMessageKey = keyof typeof zhCN;

const en: Record<ImportMessageKey, string> = {
  intro: "Fill in the template and upload it as XLSX or CSV. Every row is checked first: if anything is wrong, nobody is imported.",
  templateHint: "The template explains each column and lists the codes of the units you manage.",
  fileHint: "Up to {mb} MB and {rows} people per file.",
  fileRequired: "Choose the XLSX or CSV file to import",
  tooLarge: "The file is too large: at most {mb} MB. Split it into several files",
  badUpload: "The upload did not arrive; choose the file again and retry",
  passwordHint: "At least 8 characters with letters and digits. Imported members must choose their own password at first login.",
  importHeading: "Import members",
  checking: "Checking and importing…",
  colRow: "Row",
  colColumn: "Column",
  colReason: "Reason",
  wholeFile: "Whole file",
  moreErrors: "Showing the first {shown} of {total} errors. Upload the corrected file and everything is checked again.",
  viewMembers: "View the member list",
  exportHint: "Exports the members of the chosen unit and every unit below it (not disabled accounts), in the template's columns.",
  noUnits: "There are no units in your scope yet.",
};

/** Translator for the import page's own strings. */
export function importT(locale: Locale) {
  const table = locale === "en" ? en : zhCN;
  return (key: ImportMessageKey, vars?: Record<string, string | number>) => {
    const template: string = table[key] ?? key;
    return vars ? template.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? `{${k}}`)) : template;
  };
}
