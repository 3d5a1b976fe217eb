// The results of a contest as an XLSX workbook: every entrant ranked, with the path of their
// unit, and the ranked units with entrants, eligible members, participation rate and average.
import { inArray, sql } from "drizzle-orm";
import { db } from "~/db/client.server";
import { units } from "~/db/schema";
import { translate, type Locale, type MessageKey } from "~/i18n/messages";
import { CODE_SEGMENT } from "~/org/kinds";
import { rowsOf } from "~/quiz/banks.server";
import { chinaTime, type Sheet } from "~/stats/xlsx.server";
import type { ContestWithUnit } from "./contests.server";
import { computeBoard } from "./live.server";
import { rankAll, rankUnits } from "./scoring";

type EntrantRow = {
  name: string;
  employee_no: string;
  unit_code: string;
  score: number;
  total_ms: number;
  correct_count: number;
  started_at: Date | string;
  finished_at: Date | string | null;
};

export async function resultSheets(contest: ContestWithUnit, locale: Locale): Promise<Sheet[]> {
  const t = (key: MessageKey) => translate(locale, key);
  const entrants = await rowsOf<EntrantRow>(
    db.execute(sql`
      select u.name, u.employee_no, un.code as unit_code, e.score, e.total_ms, e.correct_count, e.started_at, e.finished_at
      from contest_entries e
      join users u on u.id = e.user_id
      join units un on un.id = e.unit_id
      where e.contest_id = ${contest.id}`),
  );
  // Names of every unit on the entrants' paths, read at once.
  const codes = new Set<string>();
  for (const e of entrants) for (let i = CODE_SEGMENT; i <= e.unit_code.length; i += CODE_SEGMENT) codes.add(e.unit_code.slice(0, i));
  const names = new Map(
    (codes.size ? await db.select({ code: units.code, name: units.name }).from(units).where(inArray(units.code, [...codes])) : []).map((u) => [u.code, u.name]),
  );
  const pathOf = (code: string) => {
    const parts: string[] = [];
    for (let i = CODE_SEGMENT; i <= code.length; i += CODE_SEGMENT) parts.push(names.get(code.slice(0, i)) ?? "?");
    return parts.join(" / ");
  };
  const ranked = rankAll(entrants.map((e) => ({ ...e, score: Number(e.score), totalMs: Number(e.total_ms) })));
  const board = await computeBoard(contest.id);
  const percent = (rate: number) => Math.round(rate * 1000) / 10;
  return [
    {
      name: t("contest.export.individuals"),
      columns: [
        { header: t("contest.export.rank"), width: 8 },
        { header: t("contest.export.name"), width: 12 },
        { header: t("contest.export.employeeNo"), width: 12 },
        { header: t("contest.export.unitPath"), width: 40 },
        { header: t("contest.export.score"), width: 10 },
        { header: t("contest.export.correct"), width: 10 },
        { header: t("contest.export.seconds"), width: 12 },
        { header: t("contest.export.started"), width: 18 },
        { header: t("contest.export.finished"), width: 18 },
      ],
      rows: ranked.map((e) => [
        e.rank,
        e.name,
        e.employee_no,
        pathOf(e.unit_code),
        e.score,
        Number(e.correct_count),
        Math.round(e.totalMs / 100) / 10,
        chinaTime(new Date(e.started_at)),
        e.finished_at ? chinaTime(new Date(e.finished_at)) : null,
      ]),
    },
    {
      name: t("contest.export.units"),
      columns: [
        { header: t("contest.export.rank"), width: 8 },
        { header: t("contest.export.unit"), width: 24 },
        { header: t("contest.export.entrants"), width: 10 },
        { header: t("contest.export.eligible"), width: 10 },
        { header: t("contest.export.participation"), width: 14 },
        { header: t("contest.export.average"), width: 12 },
      ],
      rows: rankUnits(board.units).byAverage.map((u, i) => [i + 1, u.name, u.entrants, u.eligible, percent(u.participation), u.averageScore]),
    },
  ];
}
