import { test, expect } from "@playwright/test";
import { expectAccessible, MANAGER, signIn, waitForHydration } from "./helpers";

test("a manager logs a meeting with a follow-up, sees it on the contact's timeline and in their follow-ups", async ({ page }) => {
  await signIn(page, MANAGER, "/contacts");
  await page.getByRole("table", { name: "Contacts in the register" }).getByRole("link").first().click();
  await expect(page.getByRole("heading", { level: 2, name: "Interactions" })).toBeVisible();
  await waitForHydration(page);
  const today = new Date().toISOString().slice(0, 10);

  await page.getByText("Log a meeting, call, email, workshop or note").click();
  await page.getByLabel("Kind").selectOption("meeting");
  await page.getByLabel("Date", { exact: true }).fill(today);
  await page.getByLabel("Participants (optional)").fill("Programme manager, faculty lead");
  await page.getByLabel("Summary").fill("Agreed to co-host the spring curriculum workshop.");
  await page.getByLabel("Follow up by (optional)").fill(today);
  await expectAccessible(page);
  await page.getByRole("button", { name: "Log interaction" }).click();

  await expect(page.locator(".interaction-log").getByText("Agreed to co-host the spring curriculum workshop.")).toBeVisible();
  await page.reload();
  await expect(page.getByRole("table").filter({ hasText: "Agreed to co-host the spring curriculum workshop." })).toBeVisible();
  await expectAccessible(page);

  await page.goto("/");
  await page.getByRole("link", { name: /You have \d+ follow-ups? due/ }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Your follow-ups" })).toBeVisible();
  const row = page.getByRole("row").filter({ hasText: "Agreed to co-host the spring curriculum workshop." });
  await expect(row).toBeVisible();
  await expectAccessible(page);
  await waitForHydration(page);
  await row.getByRole("button", { name: /Mark done/ }).click();
  await expect(page.getByRole("row").filter({ hasText: "Agreed to co-host the spring curriculum workshop." })).toHaveCount(0);
});
