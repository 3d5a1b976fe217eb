// The lesson page is shared between members (app/http/shared-pages.server.ts): its loader data is
// the lesson, its course and neighbours, never the member's progress (the browser asks for that).
// Which copy a member gets: the lesson, their locale, and whether the header shows the admin link.
import { sessionIdOf, sessionMember } from "~/auth/remembered-sessions.server";
import { sessionExtensionDue } from "~/auth/session.server";
import type { PageKey, SharedPageRequest } from "~/http/shared-pages.server";
import { localeOfCookie } from "~/i18n/locale.server";
import { unitById } from "~/org/unit-cache.server";
import { courseVisibleTo, lessonEntry } from "./lesson-cache.server";

/**
 * The copy of the lesson page this member may have, or null for Remix to answer: signed out,
 * password change due, session due to be extended (Remix's reply carries the new cookie), a
 * lesson that is missing, a quiz or not on the member's path.
 */
export async function lessonPageKey({ params, header }: SharedPageRequest): Promise<PageKey | null> {
  const raw = params.lessonId ?? "";
  if (!/^[1-9]\d{0,8}$/.test(raw)) return null;
  const cookie = header("cookie");
  const sessionId = sessionIdOf(cookie);
  const member = sessionId ? await sessionMember(sessionId) : null;
  if (!member || sessionExtensionDue(member.expiresAt)) return null;
  const [entry, unit] = await Promise.all([lessonEntry(Number(raw)), unitById(member.unitId)]);
  if (!entry || !unit || entry.lesson.kind === "quiz" || !courseVisibleTo(entry.course, { unitCode: unit.code })) return null;
  // The entry is replaced whenever the catalogue changes (app/courses/lesson-cache.server.ts): a copy made from an older one is not served.
  return { key: `${raw}:${await localeOfCookie(cookie)}:${member.manages ? "manages" : "member"}`, version: entry };
}
