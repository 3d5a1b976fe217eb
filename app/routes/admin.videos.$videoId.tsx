import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { useEffect, useState } from "react";
import { notFound, parseId, requireRole } from "~/auth/policy.server";
import { requireViewer } from "~/auth/session.server";
import { useLocale, useT } from "~/i18n/i18n";
import type { MessageKey } from "~/i18n/messages";
import { getVideo, mediaUrl, retryTranscode, type RetryResult } from "~/media/transcode.server";
import { formatDuration, statusStyle, useRefreshWhile } from "~/media/ui";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.video.name ?? "视频"} · 网上党校` }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  requireRole(viewer, "admin");
  const video = await getVideo(parseId(params.videoId));
  if (!video) notFound();
  return {
    video: {
      id: video.id,
      name: video.originalName,
      status: video.status,
      duration: video.durationSeconds,
      error: video.error,
      createdAt: video.createdAt.toISOString(),
      renditions: video.renditions ?? [],
      masterUrl: video.status === "ready" && video.masterPath ? mediaUrl(video.masterPath) : null,
      posterUrl: video.status === "ready" && video.posterPath ? mediaUrl(video.posterPath) : null,
      job: video.job,
      usedBy: video.usedBy,
    },
  };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  requireRole(viewer, "admin");
  const id = parseId(params.videoId);
  const form = await request.formData();
  if (form.get("intent") !== "retry") throw new Response("Bad request", { status: 400 });
  return { result: await retryTranscode(id) };
}

const retryText: Record<RetryResult, MessageKey> = { queued: "video.retried", notFailed: "video.notFailed", missingOriginal: "video.missingOriginal" };

export default function VideoPage() {
  const t = useT();
  const locale = useLocale();
  const { video } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const busy = video.status === "pending" || video.status === "processing";
  useRefreshWhile(busy, 3000);
  const time = (iso: string) => new Date(iso).toLocaleString(locale === "en" ? "en-GB" : "zh-CN", { dateStyle: "medium", timeStyle: "short" });

  return (
    <div className="space-y-4">
      <Link to="/admin/videos" className="link">
        {t("video.back")}
      </Link>
      <section className="card space-y-3" aria-labelledby="video-heading">
        <h1 id="video-heading" className="text-2xl font-bold break-all">
          {video.name}
        </h1>
        {searchParams.get("uploaded") && busy ? (
          <p className="rounded-lg bg-green-50 p-3 text-green-900" role="status">
            {t("video.uploaded")}
          </p>
        ) : null}
        {actionData ? (
          <p className={`rounded-lg p-3 ${actionData.result === "queued" ? "bg-green-50 text-green-900" : "bg-red-50 text-red-800"}`} role="status">
            {t(retryText[actionData.result])}
          </p>
        ) : null}
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2">
          <dt className="text-gray-600">{t("video.status")}</dt>
          <dd>
            <span className={`rounded px-2 py-0.5 ${statusStyle[video.status]}`} aria-live="polite">
              {t(`video.status.${video.status}`)}
            </span>
            {video.job && video.job.attempts > 0 ? (
              <span className="ml-2 text-gray-700">
                {t("video.attempt", { attempt: Math.min(video.job.attempts + (video.job.status === "queued" ? 1 : 0), video.job.maxAttempts), max: video.job.maxAttempts })}
                {video.job.status === "queued" ? ` · ${t("video.nextAttempt", { time: time(video.job.runAt) })}` : ""}
              </span>
            ) : null}
          </dd>
          <dt className="text-gray-600">{t("video.duration")}</dt>
          <dd>{formatDuration(video.duration)}</dd>
          <dt className="text-gray-600">{t("video.renditions")}</dt>
          <dd>{video.renditions.length ? video.renditions.map((r) => `${r.height}p`).join(" · ") : "—"}</dd>
          <dt className="text-gray-600">{t("video.uploadedAt")}</dt>
          <dd>{time(video.createdAt)}</dd>
        </dl>

        {video.error ? (
          <div className="space-y-1">
            <h2 className="font-semibold text-red-800">{video.status === "failed" ? t("video.errorHeading") : t("video.lastError")}</h2>
            <pre className="max-h-64 overflow-auto rounded bg-red-50 p-3 text-sm whitespace-pre-wrap break-words text-red-900">{video.error}</pre>
          </div>
        ) : null}
        {video.status === "failed" ? (
          <Form method="post">
            <input type="hidden" name="intent" value="retry" />
            <button type="submit" className="btn">
              {t("video.retry")}
            </button>
          </Form>
        ) : null}
        {busy ? <p className="text-gray-700">{t("video.waiting")}</p> : null}
      </section>

      {video.masterUrl ? <Preview masterUrl={video.masterUrl} posterUrl={video.posterUrl} /> : null}

      <section className="card space-y-2" aria-labelledby="used-heading">
        <h2 id="used-heading" className="text-xl font-bold">
          {t("video.usedBy")}
        </h2>
        {video.usedBy.length === 0 ? (
          <p className="text-gray-700">{t("video.notUsed")}</p>
        ) : (
          <ul className="list-disc pl-6">
            {video.usedBy.map((l) => (
              <li key={l.id}>
                {l.courseTitle} · {l.title}
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

/**
 * A minimal preview: the browser's own HLS (Safari, iOS, Android Chrome) plays the master
 * playlist; elsewhere the poster and the playlist URL are shown (the lesson page has hls.js).
 */
function Preview({ masterUrl, posterUrl }: { masterUrl: string; posterUrl: string | null }) {
  const t = useT();
  const [nativeHls, setNativeHls] = useState<boolean | null>(null);
  useEffect(() => {
    setNativeHls(document.createElement("video").canPlayType("application/vnd.apple.mpegurl") !== "");
  }, []);
  return (
    <section className="card space-y-3" aria-labelledby="preview-heading">
      <h2 id="preview-heading" className="text-xl font-bold">
        {t("video.preview")}
      </h2>
      {nativeHls ? (
        // An admin preview of the upload; uploads carry no caption files to offer as a <track>.
        // eslint-disable-next-line jsx-a11y/media-has-caption
        <video controls preload="none" playsInline poster={posterUrl ?? undefined} src={masterUrl} className="aspect-video w-full rounded-lg bg-black" />
      ) : posterUrl ? (
        <img src={posterUrl} alt={t("video.preview")} className="aspect-video w-full rounded-lg bg-black object-contain" />
      ) : null}
      {nativeHls === false ? <p className="text-gray-700">{t("video.noNativeHls")}</p> : null}
      <p className="text-sm break-all text-gray-700">
        {t("video.playlist")}: <a href={masterUrl} className="link">{masterUrl}</a>
      </p>
    </section>
  );
}
