// End-to-end tests in Debian's Chromium against the production build (`npm run build` first;
// scripts/test-all.sh does). One server on a free port with a fresh database seeded with the demo.
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { defineConfig } from "@playwright/test";

/** Asks the kernel for a free loopback port. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

// The config is loaded again in every worker process: choose the port and data dir once, in the
// runner, and hand them on through the environment (workers inherit it).
if (!process.env.E2E_PORT) {
  process.env.E2E_PORT = String(await freePort());
  process.env.E2E_DATA_DIR ??= path.join(os.tmpdir(), `party-school-e2e-${process.env.E2E_PORT}`);
  const dir = process.env.E2E_DATA_DIR;
  fs.rmSync(dir, { recursive: true, force: true });
  // The runner exits after stopping the server: the throwaway database goes with it.
  process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
}
const port = Number(process.env.E2E_PORT);
const dataDir = process.env.E2E_DATA_DIR ?? path.join(os.tmpdir(), `party-school-e2e-${port}`);

const chromium = {
  browserName: "chromium" as const,
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    // Without a UTF-8 locale (CI may run with none) Chromium names a download with a Chinese
    // filename "download".
    env: { ...process.env, LANG: "C.UTF-8", LC_ALL: "C.UTF-8" },
  },
};

export default defineConfig({
  testDir: "tests/e2e",
  // Two cores and one shared server: one test at a time.
  workers: 1,
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  // scripts/test-all.sh adds the json reporter (--reporter=list,json) to count the results.
  reporter: [["list"]],
  use: {
    // localhost counts as a secure origin, so the production cookie (Secure) works over plain http.
    baseURL: `http://localhost:${port}`,
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    actionTimeout: 10_000,
    navigationTimeout: 15_000,
  },
  projects: [
    {
      name: "mobile",
      use: { ...chromium, viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
    },
    {
      name: "desktop",
      use: { ...chromium, viewport: { width: 1280, height: 800 } },
    },
  ],
  webServer: {
    command: "node scripts/server.js",
    url: `http://127.0.0.1:${port}/login`,
    timeout: 60_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      NODE_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      SEED_DEMO: "true",
      LOG_REQUESTS: "false",
      // Readings complete after a few seconds of active reading instead of minutes.
      READING_CHARS_PER_MINUTE: "12000",
      // Short demo videos, transcoded within seconds of the server starting.
      DEMO_VIDEO_MAX_SECONDS: "12",
      BATTLE_SECONDS_PER_QUESTION: "8",
      // The demo courses plus a one-video course whose completion earns credit hours at once.
      CONTENT_ROOTS: ["content/courses", "tests/fixtures/content"].join(path.delimiter),
      // A real PostgreSQL from the caller's environment must not leak into the e2e server.
      DATABASE_URL: "",
    },
  },
});
