import { Link } from "@remix-run/react";
import { useT } from "~/i18n/i18n";

/**
 * Previous / next links for a paged list. `pages` when the total is known (shows "page x of y"),
 * else `hasNext` says whether there is a next page.
 */
export function Pager({ page, pages, hasNext, href, label }: { page: number; pages?: number; hasNext?: boolean; href: (page: number) => string; label: string }) {
  const t = useT();
  const next = pages !== undefined ? page < pages : Boolean(hasNext);
  if (page <= 1 && !next) return null;
  return (
    <nav className="flex items-center justify-between gap-2" aria-label={label}>
      {page > 1 ? (
        <Link to={href(page - 1)} className="btn-secondary">
          {t("pager.prev")}
        </Link>
      ) : (
        <span />
      )}
      {pages !== undefined ? <span className="text-gray-700">{t("pager.page", { page, pages })}</span> : null}
      {next ? (
        <Link to={href(page + 1)} className="btn-secondary">
          {t("pager.next")}
        </Link>
      ) : (
        <span />
      )}
    </nav>
  );
}
