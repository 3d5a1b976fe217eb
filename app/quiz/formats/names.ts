// The import formats by name (browser-safe: the upload form offers them).
export const IMPORT_FORMAT_VALUES = ["auto", "xlsx", "gift", "moodle-xml", "aiken"] as const;
export type ImportFormat = (typeof IMPORT_FORMAT_VALUES)[number];
