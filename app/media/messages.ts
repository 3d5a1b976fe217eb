// UI strings of this domain; merged into the dictionary by app/i18n/messages.ts.
export const zhCN = {} as const;

export const en: Record<keyof typeof zhCN, string> = {};
