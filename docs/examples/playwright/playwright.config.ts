// Playwright against b2cemu. Start the emulator first (`make run` serves the demo tenant at
// http://127.0.0.1:8080), or set B2CEMU_URL. Chromium is Debian's: no browser download.
import { defineConfig } from "@playwright/test";

export default defineConfig({
  testDir: "tests",
  fullyParallel: true,
  workers: process.env.CI ? 4 : undefined,
  reporter: "list",
  timeout: 30_000,
  use: {
    baseURL: process.env.B2CEMU_URL ?? "http://127.0.0.1:8080",
    browserName: "chromium",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
    },
  },
});
