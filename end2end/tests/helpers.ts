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

/** Waits until the WebAssembly has hydrated the page, so clicks are handled by the app. */
export async function waitForHydration(page: Page) {
  await page.locator("body[data-hydrated=true]").waitFor({ state: "attached", timeout: 20_000 });
}
