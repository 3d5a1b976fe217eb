/**
 * Whether a state-changing request was sent by a page of another origin (CSRF): compares the
 * Origin (or Referer) host with the host the request was addressed to.
 */
export function isCrossOrigin(method: string, header: (name: string) => string | null, fallbackHost?: string) {
  if (method === "GET" || method === "HEAD") return false;
  const source = header("origin") ?? header("referer");
  // Browsers always send Origin on cross-site POSTs; a request without either header
  // did not come from a page on another site.
  if (!source) return false;
  const expectedHost = header("x-forwarded-host") ?? header("host") ?? fallbackHost;
  try {
    return new URL(source).host !== expectedHost;
  } catch {
    return true;
  }
}

/** Refuses state-changing requests that a browser sent from another origin (CSRF). */
export function assertSameOrigin(request: Request) {
  if (isCrossOrigin(request.method, (name) => request.headers.get(name), new URL(request.url).host)) {
    throw new Response("Cross-origin request refused", { status: 403 });
  }
}
