import { test, expect } from "@playwright/test";
import { BASELINE_LEAD, expectAccessible, MANAGER, signIn, waitForHydration } from "./helpers";

test("a manager adds a workstream with a lead, fixes a typo, archives and restores it", async ({ page, browser }) => {
  await signIn(page, MANAGER);
  await page.getByRole("link", { name: "Workstreams", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Workstreams" })).toBeVisible();
  await expectAccessible(page);

  await page.getByRole("link", { name: "Add a workstream" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Add a workstream" })).toBeVisible();
  await waitForHydration(page);
  await expectAccessible(page);

  // A missing purpose is caught on the form.
  await page.getByLabel("Name", { exact: true }).fill("Evaluation and impct");
  await page.getByRole("button", { name: "Save workstream" }).click();
  await expect(page.locator("#f-purpose-error")).toContainText("Enter the workstream's purpose");

  await page.getByLabel("Purpose").fill("Measure what the programme changed for patients and services.");
  await page.getByLabel("Start date (optional)").fill("2027-01-04");
  await page.getByLabel(/^Bea Baseline/).check();
  await page.getByRole("button", { name: "Save workstream" }).click();
  await expect(page.getByText("The workstream was saved.")).toBeVisible();
  await expect(page.getByRole("cell", { name: "Evaluation and impct", exact: true })).toBeVisible();

  // The typo is fixed in the browser.
  await page.getByRole("link", { name: "Edit Evaluation and impct" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Edit Evaluation and impct" })).toBeVisible();
  await waitForHydration(page);
  await expect(page.getByLabel(/^Bea Baseline/)).toBeChecked();
  await page.getByLabel("Name", { exact: true }).fill("Evaluation and impact");
  await page.getByRole("button", { name: "Save workstream" }).click();
  await expect(page.getByRole("cell", { name: "Evaluation and impact", exact: true })).toBeVisible();

  // Its lead sees it as theirs.
  const lead = await browser.newPage();
  await signIn(lead, BASELINE_LEAD);
  await lead.getByRole("link", { name: "Evaluation and impact" }).click();
  await expect(lead.getByRole("button", { name: "Post update" })).toBeVisible();
  await lead.close();

  // Archived, it leaves the overview; restored, it comes back.
  await page.getByRole("button", { name: "Archive Evaluation and impact" }).click();
  await expect(page.getByRole("button", { name: "Restore Evaluation and impact" })).toBeVisible();
  await page.goto("/");
  await expect(page.getByRole("link", { name: "Evaluation and impact" })).toHaveCount(0);
  await page.goto("/setup/workstreams");
  await page.getByRole("button", { name: "Restore Evaluation and impact" }).click();
  await expect(page.getByRole("button", { name: "Archive Evaluation and impact" })).toBeVisible();
  await page.goto("/");
  await expect(page.getByRole("link", { name: "Evaluation and impact" })).toBeVisible();
});

test("the audit log and the plan are keyboard-reachable and pass axe with long data", async ({ page }) => {
  await signIn(page, MANAGER);
  for (const path of ["/audit", "/plan", "/users", "/setup/workstreams"]) {
    await page.goto(path);
    await expectAccessible(page);
  }
});

test("a manager corrects a saved draft", async ({ page }) => {
  await signIn(page, MANAGER, "/briefings/new");
  await waitForHydration(page);
  await page.getByLabel("Subject").fill("Worskhop dates");
  await page.getByLabel("Briefing").fill("The next HEI workshop is on 14 January.");
  const hei = await page.locator("#f-segment option", { hasText: "Universities (HEIs)" }).getAttribute("value");
  await page.getByLabel("Audience").selectOption(hei!);
  await page.getByLabel("Confirm by (optional)").fill("2030-01-31");
  await page.getByRole("button", { name: "Save draft and preview" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Worskhop dates" })).toBeVisible();

  await page.getByRole("link", { name: "Edit briefing" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Edit Worskhop dates" })).toBeVisible();
  await waitForHydration(page);
  await expectAccessible(page);
  await page.getByLabel("Subject").fill("Workshop dates");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Workshop dates" })).toBeVisible();
  await expect(page.getByText("Your changes were saved.")).toBeVisible();
});
