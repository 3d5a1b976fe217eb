export * from "./org";
export * from "./auth";
export * from "./courses";
export * from "./quiz";
export * from "./contest";
export * from "./points";
export * from "./reflections";
export * from "./assignments";
