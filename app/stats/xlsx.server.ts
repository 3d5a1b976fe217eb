// XLSX downloads of the dashboard tables: streamed with exceljs (a committee's member list may be
// long), a bold frozen header, every value a plain cell (text stays text: no formulas).
import { PassThrough } from "node:stream";
import ExcelJS from "exceljs";
import { attachmentDisposition, XLSX_CONTENT_TYPE } from "~/org/member-import.server";

export type Column = { header: string; width?: number };
export type Cell = string | number | Date | null;
export type Sheet = { name: string; columns: Column[]; rows: Iterable<Cell[]> };

export async function writeXlsx(sheets: Sheet[]): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    out.on("end", resolve);
    out.on("error", reject);
  });
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  for (const s of sheets) {
    // Sheet names: at most 31 characters, none of []:*?/\
    const sheet = workbook.addWorksheet(s.name.replace(/[[\]:*?/\\]/g, "_").slice(0, 31), { views: [{ state: "frozen", ySplit: 1 }] });
    sheet.columns = s.columns.map((c) => ({ header: c.header, width: c.width ?? Math.max(10, c.header.length * 2 + 2) }));
    sheet.getRow(1).font = { bold: true };
    sheet.getRow(1).commit();
    for (const row of s.rows) {
      const r = sheet.addRow(row.map((v) => (v === null ? "" : v)));
      r.eachCell((cell) => {
        if (cell.value instanceof Date) cell.numFmt = "yyyy-mm-dd hh:mm";
      });
      r.commit();
    }
    sheet.commit();
  }
  await workbook.commit();
  await ended;
  return Buffer.concat(chunks);
}

/** A download response; the file name in Chinese with an ASCII fallback. */
export function xlsxResponse(body: Buffer, filename: string, asciiName: string) {
  return new Response(new Uint8Array(body), {
    headers: {
      "Content-Type": XLSX_CONTENT_TYPE,
      "Content-Disposition": attachmentDisposition(filename, asciiName),
      "Cache-Control": "private, no-store",
    },
  });
}

/** Dates in exports: China time shown as it reads there. */
export function chinaTime(at: Date | null) {
  return at ? new Date(at.getTime() + 8 * 3600_000) : null;
}
