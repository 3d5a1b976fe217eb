import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigate } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import { parseId, requireRole } from "~/auth/policy.server";
import { requireViewer } from "~/auth/session.server";
import { useLocale, useT } from "~/i18n/i18n";
import type { MessageKey } from "~/i18n/messages";
import { maxVideoBytes, maxVideoMb } from "~/media/config.server";
import { handleVideoUploadRequest } from "~/media/upload-request.server";
import { VIDEO_FIELD, type UploadOutcome } from "~/media/types";
import { listVideos, retryTranscode, type RetryResult } from "~/media/transcode.server";
import { formatDuration, refusalText, statusStyle, useRefreshWhile } from "~/media/ui";

export const meta: MetaFunction = () => [{ title: "视频管理 · 网上党校" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  requireRole(viewer, "admin");
  const videos = await listVideos();
  return {
    maxMb: maxVideoMb(),
    maxBytes: maxVideoBytes(),
    videos: videos.map((v) => ({
      id: v.id,
      name: v.originalName,
      status: v.status,
      duration: v.durationSeconds,
      error: v.error,
      createdAt: v.createdAt.toISOString(),
      job: v.job,
    })),
  };
}

type ActionResult = { intent: "upload"; outcome: UploadOutcome } | { intent: "retry"; result: RetryResult };

export async function action({ request, context }: ActionFunctionArgs): Promise<ActionResult> {
  const viewer = await requireViewer({ request, context });
  requireRole(viewer, "admin");
  if ((request.headers.get("content-type") ?? "").startsWith("multipart/form-data")) {
    const outcome = await handleVideoUploadRequest(request, viewer.id);
    if (outcome.status === "uploaded") throw redirect(`/admin/videos/${outcome.id}?uploaded=1`);
    return { intent: "upload", outcome };
  }
  const form = await request.formData();
  if (form.get("intent") === "retry") {
    const id = parseId(String(form.get("videoId") ?? ""));
    return { intent: "retry", result: await retryTranscode(id) };
  }
  throw new Response("Bad request", { status: 400 });
}

export default function Videos() {
  const t = useT();
  const locale = useLocale();
  const { videos } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  useRefreshWhile(videos.some((v) => v.status === "pending" || v.status === "processing"));
  const time = (iso: string) => new Date(iso).toLocaleString(locale === "en" ? "en-GB" : "zh-CN", { dateStyle: "short", timeStyle: "short" });
  const retryText: Record<RetryResult, MessageKey> = { queued: "video.retried", notFailed: "video.notFailed", missingOriginal: "video.missingOriginal" };

  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold">{t("video.title")}</h1>
      <UploadForm serverOutcome={actionData?.intent === "upload" ? actionData.outcome : undefined} />

      <section className="card space-y-3" aria-labelledby="videos-heading">
        <h2 id="videos-heading" className="text-xl font-bold">
          {t("video.list")}
        </h2>
        {actionData?.intent === "retry" ? (
          <p className={`rounded-lg p-3 ${actionData.result === "queued" ? "bg-green-50 text-green-900" : "bg-red-50 text-red-800"}`} role="status">
            {t(retryText[actionData.result])}
          </p>
        ) : null}
        {videos.length === 0 ? <p className="text-gray-700">{t("video.none")}</p> : null}
        <ul className="divide-y divide-gray-200">
          {videos.map((v) => (
            <li key={v.id} className="space-y-1 py-3">
              <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
                <Link to={`/admin/videos/${v.id}`} className="link text-lg break-all">
                  {v.name}
                </Link>
                <span className={`rounded px-2 py-0.5 text-base ${statusStyle[v.status]}`}>{t(`video.status.${v.status}`)}</span>
                {v.status === "ready" ? (
                  <span className="text-gray-700">
                    {t("video.duration")} {formatDuration(v.duration)}
                  </span>
                ) : null}
              </div>
              <p className="text-sm text-gray-600">
                {t("video.uploadedAt")} {time(v.createdAt)}
                {v.job && v.job.attempts > 0 ? ` · ${t("video.attempt", { attempt: Math.min(v.job.attempts + (v.job.status === "queued" ? 1 : 0), v.job.maxAttempts), max: v.job.maxAttempts })}` : ""}
                {v.job?.status === "queued" && v.job.attempts > 0 ? ` · ${t("video.nextAttempt", { time: time(v.job.runAt) })}` : ""}
              </p>
              {v.error ? (
                <pre className="max-h-32 overflow-auto rounded bg-red-50 p-2 text-sm whitespace-pre-wrap break-words text-red-900">{v.error}</pre>
              ) : null}
              {v.status === "failed" ? (
                <Form method="post">
                  <input type="hidden" name="intent" value="retry" />
                  <input type="hidden" name="videoId" value={v.id} />
                  <button type="submit" className="btn-secondary">
                    {t("video.retry")}
                  </button>
                </Form>
              ) : null}
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}

/**
 * A plain multipart POST (works without JavaScript; the browser shows its own progress). With
 * JavaScript the same form goes through XMLHttpRequest to show a progress bar, then opens the
 * video's page.
 */
function UploadForm({ serverOutcome }: { serverOutcome?: UploadOutcome }) {
  const t = useT();
  const { maxMb, maxBytes } = useLoaderData<typeof loader>();
  const [percent, setPercent] = useState<number | null>(null);
  const [clientError, setClientError] = useState<string | null>(null);
  const navigate = useNavigate();
  const xhrRef = useRef<XMLHttpRequest | null>(null);
  useEffect(() => () => xhrRef.current?.abort(), []);

  const onSubmit = (event: React.FormEvent<HTMLFormElement>) => {
    const form = event.currentTarget;
    const input = form.elements.namedItem(VIDEO_FIELD) as HTMLInputElement | null;
    const file = input?.files?.[0];
    event.preventDefault();
    setClientError(null);
    if (!file || file.size === 0) return setClientError(t(file ? "video.error.empty" : "video.error.noFile"));
    if (file.size > maxBytes) return setClientError(t("video.error.tooLarge", { mb: maxMb }));
    const xhr = new XMLHttpRequest();
    xhrRef.current = xhr;
    xhr.open("POST", "/admin/videos/upload");
    xhr.responseType = "json";
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) setPercent(Math.floor((e.loaded / e.total) * 100));
    };
    xhr.onload = () => {
      const outcome = xhr.response as UploadOutcome | null;
      setPercent(null);
      if (xhr.status === 200 && outcome?.status === "uploaded") {
        navigate(`/admin/videos/${outcome.id}?uploaded=1`);
      } else if (outcome?.status === "refused") {
        setClientError(refusalText(t, outcome));
      } else {
        setClientError(t("video.uploadFailed"));
      }
    };
    xhr.onerror = () => {
      setPercent(null);
      setClientError(t("video.uploadFailed"));
    };
    const body = new FormData();
    body.append(VIDEO_FIELD, file, file.name);
    setPercent(0);
    xhr.send(body);
  };

  const message = clientError ?? (serverOutcome?.status === "refused" ? refusalText(t, serverOutcome) : null);
  return (
    <section className="card space-y-3" aria-labelledby="upload-heading">
      <h2 id="upload-heading" className="text-xl font-bold">
        {t("video.upload")}
      </h2>
      <form method="post" action="/admin/videos?index" encType="multipart/form-data" className="space-y-3" onSubmit={onSubmit}>
        <div className="space-y-1">
          <label htmlFor="video-file" className="block font-medium">
            {t("video.file")}
          </label>
          <input
            id="video-file"
            name={VIDEO_FIELD}
            type="file"
            required
            accept="video/mp4,video/quicktime,video/webm,.mp4,.m4v,.mov,.webm"
            aria-describedby="video-file-hint"
            className="input file:mr-3 file:rounded file:border-0 file:bg-gray-100 file:px-3 file:py-1"
          />
          <p id="video-file-hint" className="text-sm text-gray-600">
            {t("video.fileHint", { mb: maxMb })}
          </p>
        </div>
        {percent !== null ? (
          <div className="space-y-1" role="status">
            <progress className="h-3 w-full" max={100} value={percent} aria-label={t("video.uploading")} />
            <p>{t("video.uploadingPercent", { percent })}</p>
          </div>
        ) : null}
        {message ? (
          <p className="rounded-lg bg-red-50 p-3 text-red-800" role="alert">
            {message}
          </p>
        ) : null}
        <button type="submit" className="btn w-full sm:w-auto" disabled={percent !== null}>
          {percent !== null ? t("video.uploading") : t("video.submit")}
        </button>
      </form>
    </section>
  );
}
