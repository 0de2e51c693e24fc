import { expect, Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";

/** Fails the test when axe-core finds any WCAG 2.x A/AA violation on the page. */
export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"])
    .analyze();
  const summary = results.violations.map(
    (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`,
  );
  expect(summary, "axe-core violations").toEqual([]);
}

/** Waits until the WebAssembly has made the page's islands live (the map's drag, a briefing's progress).
 * Only a page with an island loads it (app/src/islands/mod.rs); on any other there is nothing to wait for. */
export async function waitForHydration(page: Page) {
  if ((await page.locator("leptos-island").count()) === 0) return;
  await page.locator("body[data-hydrated=true]").waitFor({ state: "attached", timeout: 20_000 });
}

export const MANAGER = { email: "manager@liaison.example.org", password: "demo-manager-password" };
export const BASELINE_LEAD = { email: "baseline.lead@liaison.example.org", password: "demo-lead-password" };

/** Signs in through the sign-in page, the way a person does. */
export async function signIn(page: Page, who: { email: string; password: string }, next = "/") {
  await page.goto(`/sign-in?next=${encodeURIComponent(next)}`);
  await page.getByLabel("Email address").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
}
