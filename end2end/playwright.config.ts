import { defineConfig } from "@playwright/test";
import * as path from "path";
import {
  FRESH_MAIL_HTTP_PORT,
  FRESH_MAIL_URL,
  FRESH_MANAGER,
  FRESH_PORT,
  FRESH_SMTP_PORT,
  FRESH_URL,
  INBOUND_SMTP_PORT,
} from "./tests/fresh-instance";

// The server under test is the binary `cargo test` built (debug profile, so it matches the
// WebAssembly `cargo leptos build --frontend-only` put in target/site/pkg). Two instances run on
// their own ports: one with the demo programme in memory (most tests), and a fresh one with no
// demo data and a real SMTP relay (fresh.spec.ts), so runs never disturb a development instance.
const root = path.resolve(__dirname, "..");
const targetDir = process.env.CARGO_TARGET_DIR ?? path.join(root, "target");
const port = Number(process.env.LIAISON_E2E_PORT ?? 3100);
const baseURL = process.env.LIAISON_BASE_URL ?? `http://127.0.0.1:${port}`;
const binary = path.join(targetDir, "debug", "liaison");
const freshDir = path.join(targetDir, "e2e-fresh");

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
    : [
        {
          command: `${binary} serve`,
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
            // Mail coming back (inbox.spec.ts): the inbound SMTP listener and VERP senders.
            LIAISON_INBOUND_BIND: `127.0.0.1:${INBOUND_SMTP_PORT}`,
            LIAISON_BOUNCE_ADDRESS: "bounces@liaison.example.org",
            LIAISON_MAIL_REPLY_TO: "replies@liaison.example.org",
            LEPTOS_SITE_ROOT: path.join(root, "target", "site"),
            LEPTOS_OUTPUT_NAME: "liaison",
            LIAISON_LOG: "warn",
          },
        },
        // A real SMTP server for the fresh instance, which the tests read and can make refuse
        // recipients (a relay that fails, then is fixed).
        {
          command: `${binary} dev-mail --smtp 127.0.0.1:${FRESH_SMTP_PORT} --http 127.0.0.1:${FRESH_MAIL_HTTP_PORT}`,
          cwd: root,
          url: `${FRESH_MAIL_URL}/messages`,
          reuseExistingServer: false,
          timeout: 30_000,
          stdout: "pipe",
          stderr: "pipe",
        },
        // A fresh instance as a real programme starts one: no demo data, the first manager made
        // with `liaison user add`, mail through the SMTP relay above, on disk in its own directory.
        {
          command:
            `rm -rf "${freshDir}" && mkdir -p "${freshDir}" && ` +
            `printf '%s\\n' '${FRESH_MANAGER.password}' | ${binary} user add --email ${FRESH_MANAGER.email} ` +
            `--name 'Fern Manager' --role programme-manager && exec ${binary} serve`,
          cwd: root,
          url: `${FRESH_URL}/health`,
          reuseExistingServer: false,
          timeout: 90_000,
          stdout: "pipe",
          stderr: "pipe",
          env: {
            LIAISON_BIND: `127.0.0.1:${FRESH_PORT}`,
            LIAISON_DATA_DIR: freshDir,
            LIAISON_PUBLIC_URL: FRESH_URL,
            LIAISON_SEED_DEMO: "false",
            LIAISON_DEV_MAIL: "false",
            LIAISON_SMTP_HOST: "127.0.0.1",
            LIAISON_SMTP_PORT: String(FRESH_SMTP_PORT),
            LIAISON_SMTP_TLS: "none",
            LEPTOS_SITE_ROOT: path.join(root, "target", "site"),
            LEPTOS_OUTPUT_NAME: "liaison",
            LIAISON_LOG: "warn",
          },
        },
      ],
});
