import { test, expect } from "@playwright/test";
import { BASELINE_LEAD, expectAccessible, MANAGER, signIn, waitForHydration } from "./helpers";

test("a lead posts an amber update with a risk, ticks a milestone, and the overview shows it", async ({ page }) => {
  await signIn(page, BASELINE_LEAD);
  await expect(page.getByRole("heading", { level: 1, name: "Programme overview" })).toBeVisible();
  await expectAccessible(page);

  await page.getByRole("link", { name: "Creation of baseline" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Creation of baseline" })).toBeVisible();
  await waitForHydration(page);
  await expectAccessible(page);

  // A forgotten summary is caught on the form and nothing is posted.
  await page.getByLabel("RAG status").selectOption("amber");
  await page.getByRole("button", { name: "Post update" }).click();
  await expect(page.locator("#f-summary-error")).toContainText("Enter a summary of progress");
  await page.waitForLoadState("networkidle");

  await page.getByLabel("Summary of progress").fill("Trust survey analysis is two weeks late.");
  await page.getByLabel("Risks (optional)").fill("Primary care responses may not arrive before the report is due.");
  await page.getByRole("button", { name: "Post update" }).click();
  await expect(page.getByText("Your status update was posted.")).toBeVisible();
  await expect(page.getByText("Trust survey analysis is two weeks late.").first()).toBeVisible();

  // Tick the first open milestone.
  const markDone = page.getByRole("button", { name: /^Mark done/ }).first();
  await markDone.click();
  await expect(page.getByText(/^Done \d/).first()).toBeVisible();

  await page.getByRole("link", { name: "Back to the programme overview" }).click();
  const card = page.locator("section.card", { has: page.getByRole("heading", { name: "Creation of baseline" }) });
  await expect(card.getByText("Amber", { exact: true })).toBeVisible();
  await expect(card.getByText(/Updated today/)).toBeVisible();
  await expect(card.getByRole("img", { name: /RAG history of Creation of baseline: .*Amber from/ })).toBeVisible();
  await expectAccessible(page);

  // Another lead's workstream has no update form for this lead.
  await page.getByRole("link", { name: "Deployment toolkit" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Deployment toolkit" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Post update" })).toHaveCount(0);
});

test("the overview flags stale workstreams without JavaScript too", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/sign-in");
  await page.getByLabel("Email address").fill(MANAGER.email);
  await page.getByLabel("Password").fill(MANAGER.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Programme overview" })).toBeVisible();
  // The demo's deployment toolkit was last updated 35 days ago.
  const card = page.locator("section.card", { has: page.getByRole("heading", { name: "Deployment toolkit" }) });
  await expect(card.getByText(/Stale: over 14 days/)).toBeVisible();
  await context.close();
});
