/**
 * Refuses state-changing requests that a browser sent from another origin (CSRF).
 * Compares the Origin (or Referer) host with the host the request was addressed to.
 */
export function assertSameOrigin(request: Request) {
  if (request.method === "GET" || request.method === "HEAD") return;
  const source = request.headers.get("origin") ?? request.headers.get("referer");
  // Browsers always send Origin on cross-site POSTs; a request without either header
  // did not come from a page on another site.
  if (!source) return;
  const expectedHost = request.headers.get("x-forwarded-host") ?? request.headers.get("host") ?? new URL(request.url).host;
  let sourceHost: string;
  try {
    sourceHost = new URL(source).host;
  } catch {
    throw new Response("Bad origin", { status: 403 });
  }
  if (sourceHost !== expectedHost) {
    throw new Response("Cross-origin request refused", { status: 403 });
  }
}
