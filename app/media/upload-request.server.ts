// The HTTP side of an upload: a multipart body streamed straight into storeVideoUpload (never held
// in memory), with the outcome as data the page or the XHR client can show.
import { unstable_parseMultipartFormData, type UploadHandler } from "@remix-run/node";
import { maxVideoBytes, maxVideoMb } from "./config.server";
import { VIDEO_FIELD, type UploadOutcome } from "./types";
import { MediaError, storeVideoUpload } from "./upload.server";

export type { UploadOutcome };

/** Reads what is left of a part so the parser can go on (it would otherwise buffer it). */
async function drain(iterator: AsyncIterator<Uint8Array>) {
  for (;;) {
    const r = await iterator.next();
    if (r.done) return;
  }
}

export async function handleVideoUploadRequest(request: Request, uploadedBy: number): Promise<UploadOutcome> {
  const mb = maxVideoMb();
  const refused = (code: Extract<UploadOutcome, { status: "refused" }>["code"], message: string, detected?: string): UploadOutcome => ({
    status: "refused",
    code,
    detected,
    mb,
    message,
  });
  // An honest client that announces a body far over the limit is refused before it is read.
  if (Number(request.headers.get("content-length") ?? 0) > maxVideoBytes() + 1024 * 1024) {
    return refused("tooLarge", `The file is larger than the limit of ${mb} MB.`);
  }

  let stored: number | null = null;
  let refusal: MediaError | null = null;
  const handler: UploadHandler = async ({ name, filename, data }) => {
    const iterator = data[Symbol.asyncIterator]();
    if (name !== VIDEO_FIELD || !filename || stored !== null || refusal) {
      await drain(iterator);
      return undefined;
    }
    // An iterable without `return`: storeVideoUpload may stop early without closing the part.
    const part: AsyncIterable<Uint8Array> = { [Symbol.asyncIterator]: () => ({ next: () => iterator.next() }) };
    try {
      stored = (await storeVideoUpload({ name: filename, stream: part, uploadedBy })).id;
    } catch (error) {
      if (!(error instanceof MediaError)) throw error;
      refusal = error;
    }
    await drain(iterator);
    return stored === null ? undefined : String(stored);
  };

  try {
    await unstable_parseMultipartFormData(request, handler);
  } catch (error) {
    // Not multipart, or the connection broke off: whatever was stored has been committed whole.
    if (stored === null && !(error instanceof MediaError)) {
      if (error instanceof TypeError || (error instanceof Error && /multipart|end of stream|aborted|terminated/i.test(error.message))) {
        return refused("badUpload", "The upload could not be read.");
      }
      throw error;
    }
  }
  if (stored !== null) return { status: "uploaded", id: stored };
  const r = refusal as MediaError | null;
  if (r) return refused(r.code, r.message, r.detected);
  return refused("noFile", "No video file was sent.");
}
