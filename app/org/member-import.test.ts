// Unit tests of the import's pure parts: CSV, text decoding, dates, cell values, codes.
import { describe, expect, it } from "vitest";
import { attachmentDisposition, cellText, decodeText, normaliseUnitCode, parseCsv, parseJoinDate } from "./member-import.server";

describe("parseCsv", () => {
  it("splits plain records on CRLF, LF and CR", () => {
    expect(parseCsv("a,b\r\nc,d\ne,f\rg,h")).toEqual({
      ok: true,
      records: [
        { row: 1, cells: ["a", "b"] },
        { row: 2, cells: ["c", "d"] },
        { row: 3, cells: ["e", "f"] },
        { row: 4, cells: ["g", "h"] },
      ],
    });
  });

  it("keeps empty fields, a trailing empty field, and does not add a record for the final newline", () => {
    expect(parseCsv(",x,\n\n1,,\n")).toEqual({
      ok: true,
      records: [
        { row: 1, cells: ["", "x", ""] },
        { row: 2, cells: [""] },
        { row: 3, cells: ["1", "", ""] },
      ],
    });
  });

  it("reads quoted fields with delimiters, doubled quotes and line breaks; rows count records, not lines", () => {
    const result = parseCsv('"a,b","say ""hi""","line1\r\nline2"\nnext,"",x');
    expect(result).toEqual({
      ok: true,
      records: [
        { row: 1, cells: ["a,b", 'say "hi"', "line1\r\nline2"] },
        { row: 2, cells: ["next", "", "x"] },
      ],
    });
  });

  it("keeps a quote inside an unquoted field as Excel does", () => {
    expect(parseCsv('5" pipe,x')).toEqual({ ok: true, records: [{ row: 1, cells: ['5" pipe', "x"] }] });
  });

  it("refuses an unclosed quote, naming the record and cell where it opened", () => {
    expect(parseCsv('a,b\nc,"d\ne,f\n')).toEqual({ ok: false, row: 2, cell: 1, message: expect.stringContaining("引号没有闭合") });
  });

  it("refuses text after a closing quote", () => {
    expect(parseCsv('a,"b"c,d')).toEqual({ ok: false, row: 1, cell: 1, message: expect.stringContaining("引号位置不对") });
  });

  it("supports other delimiters", () => {
    expect(parseCsv('a\t"b\tc"\n', "\t")).toEqual({ ok: true, records: [{ row: 1, cells: ["a", "b\tc"] }] });
  });
});

describe("decodeText", () => {
  const utf8 = new TextEncoder().encode("姓名,工号");
  it("reads UTF-8 with and without BOM", () => {
    expect(decodeText(utf8)).toBe("姓名,工号");
    expect(decodeText(new Uint8Array([0xef, 0xbb, 0xbf, ...utf8]))).toBe("姓名,工号");
  });

  it("reads GB18030/GBK when the bytes are not UTF-8", () => {
    // "姓名,工号" in GBK
    const gbk = new Uint8Array([0xd0, 0xd5, 0xc3, 0xfb, 0x2c, 0xb9, 0xa4, 0xba, 0xc5]);
    expect(decodeText(gbk)).toBe("姓名,工号");
  });

  it("reads UTF-16 with a BOM (Excel's 'Unicode text')", () => {
    const le = new Uint8Array([0xff, 0xfe, 0xd3, 0x59, 0x0d, 0x54]); // 姓名
    expect(decodeText(le)).toBe("姓名");
  });

  it("refuses binary data", () => {
    expect(decodeText(new Uint8Array([0x41, 0x00, 0x42]))).toBeNull();
    expect(decodeText(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBeNull();
  });
});

describe("parseJoinDate", () => {
  const today = "2024-06-30";
  it.each([
    ["2015-07-01", "2015-07-01"],
    ["2015/7/1", "2015-07-01"],
    ["2015.07.01", "2015-07-01"],
    ["2015年7月1日", "2015-07-01"],
    ["20150701", "2015-07-01"],
    ["２０１５－０７－０１", "2015-07-01"],
    ["42186", "2015-07-01"], // an Excel day number
    ["2024-02-29", "2024-02-29"],
    ["2024-06-30", "2024-06-30"],
  ])("reads %s", (raw, iso) => {
    expect(parseJoinDate(raw, today)).toEqual({ ok: true, value: iso });
  });

  it.each([
    ["2023-02-29", "不是一个真实存在的日期"],
    ["2023-02-30", "不是一个真实存在的日期"],
    ["2015-00-10", "不是一个真实存在的日期"],
    ["2024-07-01", "晚于今天"],
    ["1921-06-30", "早于 1921 年 7 月 1 日"],
    ["July 2015", "无法识别"],
    ["15-7-1", "无法识别"],
  ])("refuses %s", (raw, reason) => {
    const result = parseJoinDate(raw, today);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toContain(reason);
  });
});

describe("cellText", () => {
  it("normalises exceljs values to text", () => {
    expect(cellText(null)).toBe("");
    expect(cellText(13800138000)).toBe("13800138000");
    expect(cellText(123456789012345)).toBe("123456789012345");
    expect(cellText(1.5)).toBe("1.5");
    expect(cellText(new Date(Date.UTC(2015, 6, 1)))).toBe("2015-07-01");
    expect(cellText({ richText: [{ text: "张" }, { text: "三" }] })).toBe("张三");
    expect(cellText({ formula: "A1", result: 42 })).toBe("42");
    expect(cellText({ sharedFormula: "A1", result: "x" } as never)).toBe("x");
    expect(cellText({ text: "link", hyperlink: "http://x" })).toBe("link");
    expect(cellText({ error: "#N/A" })).toBe("#N/A");
  });
});

describe("normaliseUnitCode", () => {
  it("restores leading zeros lost when a code was typed as a number", () => {
    expect(normaliseUnitCode("1001002")).toBe("001001002");
    expect(normaliseUnitCode("1")).toBe("001");
    expect(normaliseUnitCode("001002")).toBe("001002");
    expect(normaliseUnitCode("００１")).toBe("001");
    expect(normaliseUnitCode("00A1")).toBe("00A1");
  });
});

describe("attachmentDisposition", () => {
  it("gives an ASCII fallback and the UTF-8 name in RFC 5987 form", () => {
    expect(attachmentDisposition("党员导入模板.xlsx", "template.xlsx")).toBe(
      "attachment; filename=\"template.xlsx\"; filename*=UTF-8''%E5%85%9A%E5%91%98%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx",
    );
    expect(attachmentDisposition('a"b/c (1).xlsx', 'a"b.xlsx')).toBe("attachment; filename=\"a_b.xlsx\"; filename*=UTF-8''a_b_c%20%281%29.xlsx");
  });
});
