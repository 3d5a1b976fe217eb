// A reflection: the text, its status for the author, likes and comments on approved posts.
import { parseWithZod } from "@conform-to/zod";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { parseId } from "~/auth/policy.server";
import { requireViewer } from "~/auth/session.server";
import { MarkdownView, StatusBadge } from "~/reflections/components";
import { commentSchema, MAX_COMMENT } from "~/reflections/forms";
import { renderMarkdown } from "~/reflections/markdown";
import { addComment, deleteComment, reflectionPage, toggleLike } from "~/reflections/reflections.server";
import { useErrorText } from "~/components/field";
import { useT } from "~/i18n/i18n";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.reflection.title ?? "心得体会"} · 网上党校` }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const page = await reflectionPage(viewer, parseId(params.id));
  const { body, ...rest } = page;
  return {
    ...rest,
    html: renderMarkdown(body),
    comments: page.comments.map((c) => ({ ...c, html: renderMarkdown(c.body) })),
  };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const id = parseId(params.id);
  const formData = await request.formData();
  const intent = formData.get("intent");
  if (intent === "like") {
    await toggleLike(viewer, id);
    return { ok: true };
  }
  if (intent === "deleteComment") {
    await deleteComment(viewer, id, parseId(String(formData.get("commentId") ?? "")));
    return { ok: true };
  }
  if (intent === "comment") {
    const submission = parseWithZod(formData, { schema: commentSchema });
    if (submission.status !== "success") return { ok: false, error: submission.error?.body?.[0] ?? "reflections.v.commentBody" };
    await addComment(viewer, id, submission.value.body);
    return { ok: true, commented: true };
  }
  throw new Response("Bad request", { status: 400 });
}

export default function ReflectionView() {
  const t = useT();
  const errorText = useErrorText();
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  const saved = params.get("saved");
  const navigation = useNavigation();
  const busy = navigation.state === "submitting";
  const commentForm = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (result && "commented" in result && result.commented) commentForm.current?.reset();
  }, [result]);
  const r = d.reflection;
  const error = result && "error" in result ? errorText([result.error as string]) : null;

  return (
    <article className="mx-auto max-w-2xl space-y-4">
      <Link to="/reflections" className="link">
        {t("reflections.view.back")}
      </Link>
      {saved ? (
        <p role="status" className="rounded-lg bg-green-50 p-3 text-green-900">
          {saved === "submitted" ? t("reflections.form.submitted") : t("reflections.form.saved")}
        </p>
      ) : null}
      <header className="card space-y-2">
        <h1 className="text-2xl font-bold">{r.title}</h1>
        <p className="text-gray-700">{t("reflections.by", { name: r.authorName, unit: r.unitName })}</p>
        {r.target ? <p className="text-gray-700">{t("reflections.on", { target: r.target })}</p> : null}
        {d.access.author || d.access.reviewer ? <StatusBadge status={r.status} featured={r.featured} /> : r.featured ? <StatusBadge status="approved" featured /> : null}
        {d.access.author && r.status === "draft" ? <p className="text-gray-600">{t("reflections.view.draft")}</p> : null}
        {d.access.author && r.status === "submitted" ? <p className="text-gray-600">{t("reflections.view.pending")}</p> : null}
        {d.reviewComment && r.status === "returned" ? (
          <p className="rounded-lg bg-amber-50 p-3 text-amber-900" data-testid="review-comment">
            {t("reflections.view.reviewComment")}：{d.reviewComment}
          </p>
        ) : null}
        <div className="flex flex-wrap gap-3">
          {d.access.edit ? (
            <Link to={`/reflections/${r.id}/edit`} className="btn">
              {t("reflections.view.edit")}
            </Link>
          ) : null}
          {d.access.reviewer ? (
            <Link to={`/admin/reflections/${r.id}`} className="btn-secondary">
              {t("reflections.view.review")}
            </Link>
          ) : null}
        </div>
      </header>

      <section className="card">
        <MarkdownView html={d.html} />
      </section>

      {d.access.interact ? (
        <>
          <Form method="post" className="flex items-center gap-3">
            <input type="hidden" name="intent" value="like" />
            <button type="submit" className={d.likes.mine ? "btn" : "btn-secondary"} aria-pressed={d.likes.mine} disabled={busy}>
              {d.likes.mine ? t("reflections.view.unlike") : t("reflections.view.like")}
            </button>
            <span className="text-gray-700" data-testid="like-count">
              {t("reflections.likes", { n: d.likes.total })}
            </span>
          </Form>

          <section className="card space-y-3" aria-labelledby="comments-heading">
            <h2 id="comments-heading" className="text-xl font-bold">
              {t("reflections.view.commentsTitle")}
            </h2>
            {d.comments.length === 0 ? <p className="text-gray-600">{t("reflections.view.noComments")}</p> : null}
            <ul className="divide-y divide-gray-200">
              {d.comments.map((c) => (
                <li key={c.id} className="space-y-1 py-2">
                  <p className="text-sm text-gray-600">{c.name}</p>
                  <MarkdownView html={c.html} className="text-base" />
                  {c.canDelete ? (
                    <Form method="post">
                      <input type="hidden" name="intent" value="deleteComment" />
                      <input type="hidden" name="commentId" value={c.id} />
                      <button type="submit" className="link text-sm">
                        {t("reflections.view.deleteComment")}
                      </button>
                    </Form>
                  ) : null}
                </li>
              ))}
            </ul>
            <Form method="post" className="space-y-2" ref={commentForm}>
              <input type="hidden" name="intent" value="comment" />
              <label htmlFor="comment-body" className="block font-medium">
                {t("reflections.view.comment")}
              </label>
              <textarea
                id="comment-body"
                name="body"
                rows={3}
                maxLength={MAX_COMMENT}
                required
                className="input"
                aria-invalid={error ? true : undefined}
                aria-describedby={error ? "comment-error" : undefined}
              />
              {error ? (
                <p id="comment-error" role="alert" className="text-red-700">
                  {error}
                </p>
              ) : null}
              <button type="submit" className="btn" disabled={busy}>
                {t("reflections.view.send")}
              </button>
            </Form>
          </section>
        </>
      ) : null}
    </article>
  );
}
