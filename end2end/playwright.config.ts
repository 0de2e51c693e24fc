import { defineConfig } from "@playwright/test";
import * as path from "path";

// The server under test is the binary `cargo leptos build` produced (debug profile, so it matches
// the WebAssembly in target/site/pkg). It runs on its own port with a fresh in-memory database
// loaded with the demo programme, so runs never disturb a development instance or each other.
const root = path.resolve(__dirname, "..");
const targetDir = process.env.CARGO_TARGET_DIR ?? path.join(root, "target");
const port = Number(process.env.LIAISON_E2E_PORT ?? 3100);
const baseURL = process.env.LIAISON_BASE_URL ?? `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: process.env.CI ? [["list"]] : [["list"]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [{ name: "chromium" }],
  webServer: process.env.LIAISON_BASE_URL
    ? undefined
    : {
        command: `${path.join(targetDir, "debug", "liaison")} serve`,
        cwd: root,
        url: `${baseURL}/health`,
        reuseExistingServer: false,
        timeout: 60_000,
        stdout: "pipe",
        stderr: "pipe",
        env: {
          LIAISON_BIND: `127.0.0.1:${port}`,
          LIAISON_DATABASE_URL: "mem://",
          LIAISON_SEED_DEMO: "true",
          LEPTOS_SITE_ROOT: path.join(root, "target", "site"),
          LEPTOS_OUTPUT_NAME: "liaison",
          LIAISON_LOG: "warn",
        },
      },
});
