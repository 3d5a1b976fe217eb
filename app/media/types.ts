// Types shared by the server modules and the pages (browser-safe: no imports).

export type MediaErrorCode = "type" | "tooLarge" | "empty";

/** What an upload request came to, for the page or the XHR client. */
export type UploadOutcome =
  | { status: "uploaded"; id: number }
  | { status: "refused"; code: MediaErrorCode | "noFile" | "badUpload"; detected?: string; mb: number; message: string };

export type VideoStatus = "pending" | "processing" | "ready" | "failed";

/** The name of the file field of the upload form. */
export const VIDEO_FIELD = "video";
