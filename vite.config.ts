import { vitePlugin as remix } from "@remix-run/dev";
import tailwindcss from "@tailwindcss/vite";
import { defineConfig } from "vite";
import tsconfigPaths from "vite-tsconfig-paths";
import remixConfig from "./remix.config.js";

declare module "@remix-run/node" {
  interface Future {
    v3_singleFetch: true;
  }
}

export default defineConfig(({ isSsrBuild }) => ({
  server: { port: 3000 },
  // The server bundle opens the database with top-level await.
  build: isSsrBuild ? { target: "node20" } : {},
  plugins: [remix(remixConfig), tailwindcss(), tsconfigPaths()],
  // Server-only native packages must not be pre-bundled for the browser by the dev server.
  optimizeDeps: { exclude: ["@node-rs/argon2", "@electric-sql/pglite", "pg"] },
  ssr: {
    // native / wasm packages stay external to the server bundle
    external: ["@electric-sql/pglite", "@node-rs/argon2", "pg", "exceljs"],
  },
}));
