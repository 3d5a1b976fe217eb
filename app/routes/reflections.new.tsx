// 写心得: a new reflection, saved as a draft or submitted for review.
import { parseWithZod } from "@conform-to/zod";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { requireViewer } from "~/auth/session.server";
import { ReflectionForm } from "~/reflections/form";
import { reflectionSchema, TARGET } from "~/reflections/forms";
import { listTargets, ReflectionError, reflectionMinChars, saveReflection } from "~/reflections/reflections.server";
import { useT } from "~/i18n/i18n";

export const meta: MetaFunction = () => [{ title: "写心得 · 网上党校" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const params = new URL(request.url).searchParams;
  const lesson = params.get("lesson");
  const course = params.get("course");
  const wanted = lesson ? `l:${lesson}` : course ? `c:${course}` : "";
  const targets = await listTargets(viewer);
  const known = TARGET.test(wanted) && targets.some((c) => `c:${c.id}` === wanted || c.lessons.some((l) => `l:${l.id}` === wanted));
  return { targets, minChars: reflectionMinChars(), target: known ? wanted : "" };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const submission = parseWithZod(await request.formData(), { schema: reflectionSchema(reflectionMinChars()) });
  if (submission.status !== "success") return submission.reply();
  try {
    const saved = await saveReflection(viewer, { ...submission.value, body: submission.value.body ?? "" });
    return redirect(`/reflections/${saved.id}?saved=${saved.status === "submitted" ? "submitted" : "draft"}`);
  } catch (error) {
    if (error instanceof ReflectionError) return submission.reply({ fieldErrors: { target: ["reflections.v.target"] } });
    throw error;
  }
}

export default function NewReflection() {
  const t = useT();
  const { targets, minChars, target } = useLoaderData<typeof loader>();
  return (
    <div className="mx-auto max-w-2xl space-y-4">
      <h1 className="text-2xl font-bold">{t("reflections.new")}</h1>
      <ReflectionForm targets={targets} minChars={minChars} defaultValue={{ title: "", target, body: "" }} lastResult={useActionData<typeof action>()} />
    </div>
  );
}
