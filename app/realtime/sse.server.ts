// Server-sent events for a loader: `return eventStream(request, (send) => { …; return cleanup })`.
// A comment line every 15 s keeps proxies from closing an idle stream; the stream ends when the
// browser goes away (request.signal aborts).

export type Send = (event: string, data: unknown) => void;

export function eventStream(
  request: Request,
  start: (send: Send, close: () => void) => (() => void) | Promise<() => void>,
  { heartbeatMs = 15_000 } = {},
): Response {
  const encoder = new TextEncoder();
  let cleanup: (() => void) | undefined;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let closed = false;
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const close = () => {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        cleanup?.();
        try {
          controller.close();
        } catch {}
      };
      const send: Send = (event, data) => {
        if (closed) return;
        controller.enqueue(encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
      };
      request.signal.addEventListener("abort", close, { once: true });
      heartbeat = setInterval(() => !closed && controller.enqueue(encoder.encode(": ping\n\n")), heartbeatMs);
      cleanup = await start(send, close);
      if (closed) cleanup();
    },
    cancel() {
      closed = true;
      clearInterval(heartbeat);
      cleanup?.();
    },
  });
  return new Response(stream, {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-transform",
      Connection: "keep-alive",
      // nginx and similar proxies must pass events through at once.
      "X-Accel-Buffering": "no",
    },
  });
}
