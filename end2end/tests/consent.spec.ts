import { test, expect } from "@playwright/test";
import { expectAccessible, MANAGER, signIn, waitForHydration } from "./helpers";

// Data protection on a contact's page: record the lawful basis, read the subscription history,
// download everything held (subject access), erase the person; and the retention review.
test("a manager records a lawful basis, exports what is held and erases a person", async ({ page }) => {
  // A mental-health trust's contact: no other test relies on one.
  await signIn(page, MANAGER, "/contacts?kind=mental_health_trust");
  await page.locator("main table tbody tr").last().locator("a").first().click();
  await expect(page.getByRole("heading", { name: "Data protection" })).toBeVisible();
  const name = (await page.getByRole("heading", { level: 1 }).textContent())!.trim();
  await expect(page.getByText("Lawful basis for briefings")).toBeVisible();
  await expect(page.getByRole("table", { name: "Subscription history, newest first" })).toContainText("Subscribed");
  await expectAccessible(page);

  await waitForHydration(page);
  await page.getByText("Record the lawful basis").click();
  await page.getByRole("button", { name: "Record the basis" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "There is a problem" })).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel("Lawful basis", { exact: true }).selectOption("public_task");
  await page.getByLabel("Where it was given").selectOption("event");
  await page.getByLabel("Date given").fill("2026-11-20");
  await page.getByRole("button", { name: "Record the basis" }).click();
  await expect(page.getByText(/Public task: an event \(a workshop or meeting\), recorded 20 November 2026/)).toBeVisible();

  // Subject access: the JSON names the person and their basis.
  const href = await page.getByRole("link", { name: "download as JSON" }).getAttribute("href");
  const held = await (await page.request.get(href!)).json();
  expect(held.contact.name).toBe(name);
  expect(held.contact.basis.basis).toBe("public_task");
  expect(Array.isArray(held.subscription_history)).toBe(true);

  await page.locator("summary", { hasText: "Erase this person" }).click();
  await page.getByRole("button", { name: "Erase this person" }).click();
  await expect(page.getByText("The person was erased")).toBeVisible();
  await expectAccessible(page);
  await page.goto(`/contacts?q=${encodeURIComponent(name)}`);
  await expect(page.getByRole("link", { name, exact: true })).toHaveCount(0);

  await page.goto("/contacts/retention");
  await expect(page.getByRole("heading", { level: 1, name: "Retention review" })).toBeVisible();
  await expectAccessible(page);
});
