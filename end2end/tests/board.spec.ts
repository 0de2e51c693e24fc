import { test, expect } from "@playwright/test";
import { expectAccessible, MANAGER, signIn } from "./helpers";

test("a manager opens the quarterly board report from the overview and prints it on A4", async ({ page }) => {
  await signIn(page, MANAGER, "/");
  const panel = page.getByRole("region", { name: "Engagement", exact: true });
  await expect(panel).toBeVisible();
  await expect(panel.getByRole("table", { name: /below target, by sector/ })).toBeVisible();
  await expectAccessible(page);

  await panel.getByRole("link", { name: "Quarterly board report" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Quarterly engagement report" })).toBeVisible();
  await expect(page.getByText(/^Q[1-4] \d{4}\/\d{2} \(/)).toBeVisible();
  for (const section of ["Summary", "Briefings sent", "Reach and acknowledgement by sector", "Engagement movement (SEAM)", "Workstreams", "Interactions logged", "Follow-ups overdue"]) {
    await expect(page.getByRole("heading", { level: 2, name: section })).toBeVisible();
  }
  // Every workstream of the demo programme has its RAG bar for the quarter.
  await expect(page.locator(".board__workstream").first().locator("svg[role=img]")).toBeVisible();
  await expectAccessible(page);

  // The earlier quarter is one link away, and its address can be shared.
  await page.getByRole("link", { name: "Previous quarter" }).click();
  await expect(page).toHaveURL(/\/reports\/board\?quarter=\d{4}-\d{2}-Q[1-4]$/);
  await expect(page.getByRole("heading", { level: 1, name: "Quarterly engagement report" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Next quarter" })).toBeVisible();

  // Printed: the navigation and buttons go, the report stays, and it makes an A4 PDF.
  await page.emulateMedia({ media: "print" });
  await expect(page.getByRole("navigation", { name: "Primary" })).toBeHidden();
  await expect(page.getByRole("button", { name: "Print or save as PDF" })).toBeHidden();
  await expect(page.getByRole("heading", { level: 2, name: "Workstreams" })).toBeVisible();
  const pdf = await page.pdf({ format: "A4", printBackground: true });
  expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
  expect(pdf.length).toBeGreaterThan(5_000);
});
