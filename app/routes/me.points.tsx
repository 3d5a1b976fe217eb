// 我的学习积分: today's progress per rule against its cap, totals, rule changes, the history.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Pager } from "~/components/pager";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requireViewer } from "~/auth/session.server";
import { ruleAnnouncements } from "~/points/rule-admin.server";
import { isRuleCode, pointsDay, STUDY_BLOCK_SECONDS, type RuleGroup } from "~/points/rules";
import { getHideFromWideRankings, pointHistory, pointTotals, setHideFromWideRankings, todayProgress, type EntrySource, type GroupProgress } from "~/points/summary.server";
import { useT } from "~/i18n/i18n";
import { type MessageKey } from "~/i18n/messages";

export const meta: MetaFunction = () => [{ title: "学习积分 · 网上党校" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const pageParam = Number(new URL(request.url).searchParams.get("page") ?? "1");
  const page = Number.isInteger(pageParam) && pageParam >= 1 && pageParam <= 10_000 ? pageParam : 1;
  const today = pointsDay();
  const [progress, totals, history, changes, hidden] = await Promise.all([
    todayProgress(viewer.id, today),
    pointTotals(viewer.id, today),
    pointHistory(viewer.id, page),
    ruleAnnouncements({ today }),
    getHideFromWideRankings(viewer.id),
  ]);
  return { today, progress, totals, history, changes, hidden };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const form = await request.formData();
  if (form.get("intent") !== "privacy") throw new Response("Bad request", { status: 400 });
  await setHideFromWideRankings(viewer.id, form.get("hide") === "on");
  return { saved: true };
}

type T = ReturnType<typeof useT>;

function ruleHint(t: T, p: GroupProgress) {
  const amount = (code: string) => p.amounts.find((a) => a.code === code)?.amount ?? 0;
  if (p.amounts.every((a) => a.amount === 0)) return t("points.progress.off");
  const cap = p.cap ?? 0;
  switch (p.group as RuleGroup) {
    case "study_time":
      return t("points.progress.studyEach", { amount: amount("study_time"), cap });
    case "daily_quiz":
      return t("points.progress.dailyEach", { amount: amount("daily_quiz"), cap });
    case "battle":
      return t("points.progress.battleEach", { win: amount("battle_win"), play: amount("battle_play"), cap });
    case "reflection":
      return t("points.progress.reflectionEach", { approved: amount("reflection_approved"), featured: amount("reflection_featured"), cap });
    case "contest":
      return t("points.progress.contestEach", { join: amount("contest"), top: amount("contest_top") });
    default:
      return p.cap === null ? t("points.progress.eachNoCap", { amount: p.amounts[0].amount }) : t("points.progress.each", { amount: p.amounts[0].amount, cap });
  }
}

function sourceText(t: T, source: EntrySource) {
  switch (source.kind) {
    case "visit":
      return t("points.source.visit");
    case "daily":
      return t("points.source.daily", { n: source.index + 1 });
    case "study":
      return t("points.source.study", { minutes: (source.block * STUDY_BLOCK_SECONDS) / 60 });
    case "battle":
      return t("points.source.battle", { id: source.id });
    case "lesson":
    case "course":
    case "reflection":
    case "contest":
      return t(`points.source.${source.kind}`, { title: source.title ?? t("points.source.deleted") });
    default:
      return source.key;
  }
}

export default function MyPoints() {
  const t = useT();
  const { today, progress, totals, history, changes, hidden } = useLoaderData<typeof loader>();
  const saved = useActionData<typeof action>()?.saved;
  const busy = useNavigation().state !== "idle";
  return (
    <div className="mx-auto max-w-2xl space-y-4">
      <h1 className="text-2xl font-bold">{t("points.title")}</h1>

      <section aria-label={t("points.title")} className="grid grid-cols-3 gap-2 text-center">
        {(
          [
            ["points.today", totals.today, "total-today"],
            ["points.year", totals.year, "total-year"],
            ["points.all", totals.all, "total-all"],
          ] as [MessageKey, number, string][]
        ).map(([label, value, testId]) => (
          <div key={label} className="card px-2">
            <p className="text-gray-600">{t(label)}</p>
            <p className="text-3xl font-bold text-party-700" data-testid={testId}>
              {value}
            </p>
          </div>
        ))}
      </section>

      <section className="card space-y-3" aria-labelledby="progress-heading">
        <h2 id="progress-heading" className="text-xl font-bold">
          {t("points.progress.title")} <span className="text-base font-normal text-gray-600">{today}</span>
        </h2>
        <ul className="space-y-3">
          {progress.map((p) => {
            const label = t(`points.group.${p.group}`);
            const text = p.cap === null ? t("points.progress.noCap", { label, earned: p.earned }) : t("points.progress.item", { label, earned: p.earned, cap: p.cap });
            return (
              <li key={p.group} data-testid={`progress-${p.group}`}>
                <div className="flex items-baseline justify-between gap-2">
                  <span className="text-lg font-semibold">{text}</span>
                </div>
                {p.cap !== null ? (
                  <progress className="h-2 w-full accent-party-600" max={p.cap} value={Math.min(p.earned, p.cap)} aria-label={text} />
                ) : null}
                <p className="text-sm text-gray-600">{ruleHint(t, p)}</p>
              </li>
            );
          })}
        </ul>
        <Link to="/rankings" className="btn-secondary w-full">
          {t("points.toRankings")}
        </Link>
      </section>

      {changes.length > 0 ? (
        <section className="card space-y-2" aria-labelledby="changes-heading">
          <h2 id="changes-heading" className="text-xl font-bold">
            {t("points.changes.title")}
          </h2>
          <ul className="space-y-2">
            {changes.map((c) => (
              <li key={c.id}>
                {t("points.changes.item", {
                  date: c.effectiveFrom,
                  label: isRuleCode(c.code) ? t(`points.rule.${c.code}`) : c.code,
                  amount: c.amount,
                  cap: c.dailyCap === null ? t("points.changes.noCap") : t("points.changes.cap", { cap: c.dailyCap }),
                })}
                {c.effectiveFrom > today ? <span className="ml-2 rounded bg-party-50 px-2 text-party-800">{t("points.changes.upcoming")}</span> : null}
                {c.note ? <span className="block text-sm text-gray-600">{c.note}</span> : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <section className="card space-y-3" aria-labelledby="history-heading">
        <h2 id="history-heading" className="text-xl font-bold">
          {t("points.history.title")}
        </h2>
        {history.entries.length === 0 ? <p>{t("points.history.empty")}</p> : null}
        <ul className="divide-y divide-gray-200" data-testid="points-history">
          {history.entries.map((e) => (
            <li key={e.id} className="flex items-center justify-between gap-3 py-2">
              <div className="min-w-0">
                <p className="font-medium">{isRuleCode(e.ruleCode) ? t(`points.rule.${e.ruleCode}`) : e.ruleCode}</p>
                <p className="break-words text-sm text-gray-600">
                  {sourceText(t, e.source)} · {e.day}
                  {e.version > 1 ? ` · ${t("points.history.version", { version: e.version })}` : ""}
                </p>
              </div>
              <span className="shrink-0 text-xl font-bold text-party-700">+{e.amount}</span>
            </li>
          ))}
        </ul>
        <Pager page={history.page} pages={history.pages} href={(p) => `?page=${p}`} label={t("points.history.title")} />
      </section>

      <section className="card space-y-3" aria-labelledby="privacy-heading">
        <h2 id="privacy-heading" className="text-xl font-bold">
          {t("points.privacy.title")}
        </h2>
        <Form method="post" className="space-y-3">
          <input type="hidden" name="intent" value="privacy" />
          <label className="flex items-start gap-3 text-lg">
            <input type="checkbox" name="hide" defaultChecked={hidden} className="mt-1 h-6 w-6 shrink-0" />
            <span>{t("points.privacy.hide")}</span>
          </label>
          <div className="flex items-center gap-3">
            <button type="submit" className="btn" disabled={busy}>
              {t("points.privacy.save")}
            </button>
            {saved ? (
              <span role="status" className="text-green-800">
                {t("points.privacy.saved")}
              </span>
            ) : null}
          </div>
        </Form>
      </section>
    </div>
  );
}
