import { test, expect } from "@playwright/test";
import { BASELINE_LEAD, MANAGER, expectAccessible, signIn, waitForHydration } from "./helpers";

test("the sign-in page is accessible and a wrong password gets a clear, non-revealing message", async ({ page }) => {
  await page.goto("/organisations");
  await expect(page).toHaveURL(/\/sign-in\?next=(%2F|\/)organisations/);
  await expect(page.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel("Email address").fill("nobody@liaison.example.org");
  await page.getByLabel("Password").fill("not a password at all");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "There is a problem" })).toBeVisible();
  await expect(page.locator("#f-email-error")).toContainText("Enter a correct email address and password");
  await expect(page.getByLabel("Email address")).toHaveValue("nobody@liaison.example.org");
  await expectAccessible(page);
});

test("a workstream lead reads the register, has no edit controls, is refused forbidden pages, and signs out", async ({ page }) => {
  await signIn(page, BASELINE_LEAD, "/contacts");
  await expect(page).toHaveURL(/\/contacts$/);
  await waitForHydration(page);
  await expect(page.getByRole("heading", { level: 1, name: "Contacts" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Add a contact" })).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Users" })).toHaveCount(0);
  await expectAccessible(page);

  // Following the links (full page loads: only islands run in the browser) to an organisation: no
  // edit or delete buttons.
  await page.getByRole("link", { name: "Organisations" }).click();
  await page.getByRole("link", { name: "Aston University" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Aston University" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Delete organisation" })).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Edit organisation" })).toHaveCount(0);

  // Forcing the URL of a forbidden action.
  const res = await page.goto("/organisations/new");
  expect(res?.status()).toBe(403);
  await expect(page.getByRole("heading", { level: 1, name: "You do not have permission to see this page" })).toBeVisible();
  const users = await page.goto("/users");
  expect(users?.status()).toBe(403);
  await expectAccessible(page);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in\?signed_out=1/);
  await expect(page.getByText("You have signed out.")).toBeVisible();
  const after = await page.goto("/contacts");
  await expect(page).toHaveURL(/\/sign-in/);
  expect(after?.status()).toBe(200);
});

test("pages hydrate under the Content-Security-Policy and the browser reports no violation", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (m) => {
    if (/Content[- ]Security[- ]Policy/i.test(m.text())) violations.push(`${page.url()}: ${m.text()}`);
  });
  await signIn(page, MANAGER, "/");
  for (const path of ["/", "/contacts", "/organisations", "/briefings", "/plan", "/audit"]) {
    await page.goto(path);
    await waitForHydration(page);
  }
  // A briefing's page (its progress bar is styled by an attribute), opened from the list.
  await page.goto("/briefings");
  await page.locator("main table a").first().click();
  await waitForHydration(page);
  expect(violations).toEqual([]);
});
