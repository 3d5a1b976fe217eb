// The member's assignments on the home page: what is left and when it is due.
import { Link } from "@remix-run/react";
import { useT } from "~/i18n/i18n";

export type MyAssignmentView = {
  id: number;
  title: string;
  dueOn: string;
  daysLeft: number;
  overdue: boolean;
  completed: boolean;
  lessonsDone: number;
  lessonsTotal: number;
  courses: { id: number; title: string; lessonsDone: number; lessonsTotal: number; completed: boolean; nextLessonId: number | null }[];
};

export function MyAssignmentsCard({ assignments, unread = 0 }: { assignments: MyAssignmentView[]; unread?: number }) {
  const t = useT();
  if (assignments.length === 0 && unread === 0) return null;
  return (
    <section className="card space-y-3" aria-labelledby="my-assignments" data-testid="my-assignments">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="my-assignments" className="text-xl font-bold">
          {t("assign.my.title")}
        </h2>
        {unread > 0 ? (
          <Link to="/me/notifications" className="link">
            {t("notify.title")} ({unread})
          </Link>
        ) : null}
      </div>
      {assignments.length === 0 ? <p className="text-gray-700">{t("assign.my.none")}</p> : null}
      <ul className="space-y-3">
        {assignments.map((a) => {
          const left = a.courses.filter((c) => !c.completed);
          const next = left.find((c) => c.nextLessonId !== null);
          const percent = a.lessonsTotal ? Math.round((a.lessonsDone / a.lessonsTotal) * 100) : 0;
          return (
            <li key={a.id} className="rounded-lg border border-gray-200 p-3">
              <p className="text-lg font-semibold">{a.title}</p>
              <p className={a.overdue ? "font-semibold text-red-800" : a.daysLeft <= 3 && !a.completed ? "font-semibold text-party-700" : "text-gray-700"}>
                {t("assign.my.due", { date: a.dueOn })}
                {" · "}
                {a.completed
                  ? t("assign.my.done")
                  : a.overdue
                    ? t("assign.overdueDays", { days: -a.daysLeft })
                    : a.daysLeft === 0
                      ? t("assign.dueToday")
                      : t("assign.dueIn", { days: a.daysLeft })}
              </p>
              <div
                className="mt-2 h-3 w-full overflow-hidden rounded-full bg-gray-200"
                role="progressbar"
                aria-label={t("assign.lessonsDone", { done: a.lessonsDone, total: a.lessonsTotal })}
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={percent}
              >
                <div className="h-full bg-party-600" style={{ width: `${percent}%` }} />
              </div>
              {!a.completed ? (
                <>
                  <p className="mt-1 text-gray-700">{t("assign.my.left", { count: left.length })}</p>
                  <ul className="mt-1 space-y-1">
                    {left.map((c) => (
                      <li key={c.id}>
                        <Link to={`/courses/${c.id}`} className="link">
                          {c.title}
                        </Link>{" "}
                        <span className="text-gray-600">{t("assign.lessonsDone", { done: c.lessonsDone, total: c.lessonsTotal })}</span>
                      </li>
                    ))}
                  </ul>
                  {next?.nextLessonId ? (
                    <Link to={`/lessons/${next.nextLessonId}`} className="btn mt-2 w-full">
                      {t("assign.my.continue")}
                    </Link>
                  ) : null}
                </>
              ) : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
