// This domain's strings through the current locale (works with or without the merge into the
// app's dictionary).
import { domainErrorText, domainT } from "~/points/i18n";
import * as messages from "./messages";

export type ReflectionsKey = keyof typeof messages.zhCN;
export const useReflectionsT = domainT<ReflectionsKey>(messages.zhCN, messages.en);
export const useReflectionsErrorText = domainErrorText<ReflectionsKey>(messages.zhCN, messages.en);
