import { defineConfig } from "@playwright/test";

// Headless Debian Chromium (apt package `chromium`; Playwright's own browser download cannot work offline) against
// the platform `make run` starts, on its own ports so a running `make run` is not disturbed.
const PORT = Number(process.env.E2E_PORT ?? 20800);
const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results",
  timeout: 240_000,
  expect: { timeout: 20_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    viewport: { width: 1280, height: 800 },
    screenshot: "on",
    trace: "retain-on-failure",
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium" },
  },
  webServer: {
    command: `.venv/bin/python -m local.run --port ${PORT}`,
    cwd: "..",
    url: `http://127.0.0.1:${PORT}/api/v1/prices`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: "ignore",
    stderr: "pipe",
    env: {
      ...(process.env as Record<string, string>),
      PYTHONPATH: ["layers/shared/python", "functions", ".", "sdk"].map((dir) => `${ROOT}/${dir}`).join(":"),
      BYTEBRIDGE_SCHEDULE_SCALE: "0.01",
    },
  },
});
