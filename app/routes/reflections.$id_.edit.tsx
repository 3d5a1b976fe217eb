// 修改心得: the author edits a draft or a returned reflection and saves or (re)submits it.
import { parseWithZod } from "@conform-to/zod";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { parseId } from "~/auth/policy.server";
import { requireViewer } from "~/auth/session.server";
import { ReflectionForm } from "~/reflections/form";
import { reflectionSchema } from "~/reflections/forms";
import { useT } from "~/i18n/i18n";
import {
  deleteDraft,
  listTargets,
  ReflectionError,
  reflectionMinChars,
  requireReflection,
  saveReflection,
  targetOf,
} from "~/reflections/reflections.server";

export const meta: MetaFunction = () => [{ title: "修改心得 · 网上党校" }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const id = parseId(params.id);
  const { row, access } = await requireReflection(viewer, id);
  if (!access.author) throw new Response("Not found", { status: 404 });
  if (!access.edit) throw redirect(`/reflections/${id}`);
  return {
    id,
    status: row.r.status,
    reviewComment: row.r.status === "returned" ? row.r.reviewComment : null,
    defaultValue: { title: row.r.title, target: targetOf(row.r), body: row.r.body },
    targets: await listTargets(viewer),
    minChars: reflectionMinChars(),
  };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const id = parseId(params.id);
  const formData = await request.formData();
  if (formData.get("intent") === "delete") {
    await deleteDraft(viewer, id);
    return redirect("/reflections");
  }
  const submission = parseWithZod(formData, { schema: reflectionSchema(reflectionMinChars()) });
  if (submission.status !== "success") return submission.reply();
  try {
    const saved = await saveReflection(viewer, { ...submission.value, body: submission.value.body ?? "" }, id);
    return redirect(`/reflections/${saved.id}?saved=${saved.status === "submitted" ? "submitted" : "draft"}`);
  } catch (error) {
    if (error instanceof ReflectionError) {
      return error.key === "target"
        ? submission.reply({ fieldErrors: { target: ["reflections.v.target"] } })
        : submission.reply({ formErrors: ["reflections.v.stale"] });
    }
    throw error;
  }
}

export default function EditReflection() {
  const t = useT();
  const { status, reviewComment, defaultValue, targets, minChars } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const formError = lastResult?.error?.[""];
  return (
    <div className="mx-auto max-w-2xl space-y-4">
      <h1 className="text-2xl font-bold">{t("reflections.form.editTitle")}</h1>
      {reviewComment ? (
        <p className="rounded-lg bg-amber-50 p-3 text-amber-900" data-testid="returned-comment">
          {t("reflections.form.returnedNote", { comment: reviewComment })}
        </p>
      ) : null}
      {formError ? (
        <p className="rounded-lg bg-red-50 p-3 text-red-800" role="alert">
          {t("reflections.v.stale")}
        </p>
      ) : null}
      <ReflectionForm targets={targets} minChars={minChars} defaultValue={defaultValue} lastResult={lastResult} canDelete={status === "draft"} />
    </div>
  );
}
