// Reviewing one reflection: its text, its similarity to earlier posts or the lesson text with the
// shared passages marked, and approve / return with a comment / feature.
import { getFormProps, getTextareaProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { parseId, requireRole } from "~/auth/policy.server";
import { requireViewer } from "~/auth/session.server";
import { Highlighted, MarkdownView, StatusBadge } from "~/reflections/components";
import { returnSchema } from "~/reflections/forms";
import { renderMarkdown } from "~/reflections/markdown";
import { ReflectionError, reviewPage, reviewReflection } from "~/reflections/reflections.server";
import { useErrorText } from "~/components/field";
import { useT } from "~/i18n/i18n";

export const meta: MetaFunction = () => [{ title: "心得审核 · 网上党校" }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  requireRole(viewer, "organiser");
  const page = await reviewPage(viewer, parseId(params.id));
  const { body, ...rest } = page;
  return { ...rest, html: renderMarkdown(body) };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  requireRole(viewer, "organiser");
  const id = parseId(params.id);
  const formData = await request.formData();
  const intent = formData.get("intent");
  try {
    if (intent === "approve") {
      await reviewReflection(viewer, id, { kind: "approve" });
      return redirect(`/admin/reflections/${id}?done=approved`);
    }
    if (intent === "feature" || intent === "unfeature") {
      await reviewReflection(viewer, id, { kind: "feature", featured: intent === "feature" });
      return redirect(`/admin/reflections/${id}?done=${intent}d`);
    }
    if (intent === "return") {
      const submission = parseWithZod(formData, { schema: returnSchema });
      if (submission.status !== "success") return { result: submission.reply(), stale: false };
      await reviewReflection(viewer, id, { kind: "return", comment: submission.value.comment });
      return redirect(`/admin/reflections/${id}?done=returned`);
    }
  } catch (error) {
    if (error instanceof ReflectionError) return { result: undefined, stale: true };
    throw error;
  }
  throw new Response("Bad request", { status: 400 });
}

const DONE = { approved: "reflections.admin.approved", returned: "reflections.admin.returned", featured: "reflections.admin.featured", unfeatured: "reflections.admin.unfeatured" } as const;

export default function ReviewReflection() {
  const t = useT();
  const errorText = useErrorText();
  const { reflection: r, html, reviewComment, similarity } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const [params] = useSearchParams();
  const done = params.get("done") as keyof typeof DONE | null;
  const [form, fields] = useForm({
    lastResult: actionData?.result,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: returnSchema }),
    shouldValidate: "onSubmit",
  });
  const commentError = errorText(fields.comment.errors);

  return (
    <div className="mx-auto max-w-3xl space-y-4">
      {done && DONE[done] ? (
        <p role="status" className="rounded-lg bg-green-50 p-3 text-green-900">
          {t(DONE[done])}
        </p>
      ) : null}
      {actionData?.stale ? (
        <p role="alert" className="rounded-lg bg-red-50 p-3 text-red-800">
          {t("reflections.v.stale")}
        </p>
      ) : null}
      <header className="card space-y-2">
        <h1 className="text-2xl font-bold">{r.title}</h1>
        <p className="text-gray-700">{t("reflections.by", { name: r.authorName, unit: r.unitName })}</p>
        {r.target ? <p className="text-gray-700">{t("reflections.on", { target: r.target })}</p> : null}
        {r.submittedAt ? <p className="text-sm text-gray-600">{t("reflections.admin.submittedAt", { time: new Date(r.submittedAt).toLocaleString("zh-CN", { timeZone: "Asia/Shanghai" }) })}</p> : null}
        <StatusBadge status={r.status} featured={r.featured} />
        {reviewComment && r.status === "submitted" ? <p className="text-gray-700">{t("reflections.admin.previousComment", { comment: reviewComment })}</p> : null}
        {reviewComment && r.status === "returned" ? (
          <p className="rounded-lg bg-amber-50 p-3 text-amber-900">
            {t("reflections.view.reviewComment")}：{reviewComment}
          </p>
        ) : null}
      </header>

      {similarity ? (
        <section className={`card space-y-3 ${similarity.flagged ? "ring-2 ring-red-600" : ""}`} aria-labelledby="similarity-heading" data-testid="similarity">
          <h2 id="similarity-heading" className="text-xl font-bold">
            {t("reflections.admin.compareTitle")} · {t("reflections.admin.similarity", { percent: similarity.percent })}
            {similarity.flagged ? <span className="ml-2 rounded bg-red-100 px-2 py-0.5 text-base text-red-900">{t("reflections.admin.flagged")}</span> : null}
          </h2>
          {similarity.kind === "none" ? <p>{t("reflections.admin.compareNone")}</p> : null}
          {similarity.kind === "post" ? <p>{t("reflections.admin.compareWithPost", { title: similarity.title ?? "", name: similarity.name ?? "", percent: similarity.percent })}</p> : null}
          {similarity.kind === "lesson" ? <p>{t("reflections.admin.compareWithLesson", { title: similarity.title ?? "", percent: similarity.percent })}</p> : null}
          {similarity.kind === "hidden" ? <p>{t("reflections.admin.compareHidden", { percent: similarity.percent })}</p> : null}
          {similarity.mine ? (
            <div className="grid gap-3 md:grid-cols-2">
              <div className="space-y-1">
                <h3 className="font-semibold">{t("reflections.admin.thisPost")}</h3>
                <Highlighted segments={similarity.mine} label={t("reflections.admin.thisPost")} />
              </div>
              {similarity.other ? (
                <div className="space-y-1">
                  <h3 className="font-semibold">{t("reflections.admin.otherText")}</h3>
                  <Highlighted segments={similarity.other} label={t("reflections.admin.otherText")} />
                </div>
              ) : null}
            </div>
          ) : null}
        </section>
      ) : null}

      <section className="card">
        <MarkdownView html={html} />
      </section>

      {r.status === "submitted" ? (
        <section className="card space-y-4">
          <Form method="post">
            <button type="submit" name="intent" value="approve" className="btn w-full sm:w-auto" disabled={busy}>
              {t("reflections.admin.approve")}
            </button>
          </Form>
          <Form method="post" className="space-y-2" {...getFormProps(form)}>
            <input type="hidden" name="intent" value="return" />
            <label htmlFor={fields.comment.id} className="block font-medium">
              {t("reflections.admin.returnComment")}
            </label>
            <textarea {...getTextareaProps(fields.comment)} rows={3} className="input" />
            {commentError ? (
              <p id={fields.comment.errorId} role="alert" className="text-red-700">
                {commentError}
              </p>
            ) : null}
            <button type="submit" className="btn-danger w-full sm:w-auto" disabled={busy}>
              {t("reflections.admin.return")}
            </button>
          </Form>
        </section>
      ) : null}
      {r.status === "approved" ? (
        <Form method="post" className="card">
          <button type="submit" name="intent" value={r.featured ? "unfeature" : "feature"} className={r.featured ? "btn-secondary" : "btn"} disabled={busy}>
            {r.featured ? t("reflections.admin.unfeature") : t("reflections.admin.feature")}
          </button>
        </Form>
      ) : null}
    </div>
  );
}
