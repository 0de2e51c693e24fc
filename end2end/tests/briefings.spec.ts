import { test, expect } from "@playwright/test";
import { expectAccessible, MANAGER, signIn, waitForHydration } from "./helpers";

test("a programme manager composes, previews and sends a briefing; a recipient acknowledges it", async ({ page, browser }) => {
  await signIn(page, MANAGER, "/briefings/new");
  await expect(page.getByRole("heading", { level: 1, name: "Compose a briefing" })).toBeVisible();
  await waitForHydration(page);
  await expectAccessible(page);

  await page.getByLabel("Subject").fill("HEI workshop update");
  await page.getByLabel("Briefing").fill("Dear colleagues,\n\nThe **PgCert** learning outcomes were agreed at the last workshop.");
  const hei = await page.locator("#f-segment option", { hasText: "Universities (HEIs)" }).getAttribute("value");
  await page.getByLabel("Audience").selectOption(hei!);
  await page.getByLabel("HEI workshops").check();
  await page.getByLabel("Confirm by (optional)").fill("2030-01-31");
  await page.getByRole("button", { name: "Save draft and preview" }).click();

  await expect(page.getByRole("heading", { level: 1, name: "HEI workshop update" })).toBeVisible();
  const preview = page.getByRole("region", { name: "Preview of the email as recipients see it" });
  await expect(preview.getByText("Dear Sample Recipient,")).toBeVisible();
  await expect(preview.getByText("HEI workshops").first()).toBeVisible();
  await expectAccessible(page);

  await waitForHydration(page);
  await page.getByRole("button", { name: "Send now" }).click();
  await expect(page.getByTestId("progress")).toContainText("100%", { timeout: 30_000 });
  await expect(page.getByRole("progressbar")).toHaveAttribute("aria-valuenow", "100");

  // Read the mail the SMTP server received and open a recipient's acknowledgement link.
  const messages: { to: string[]; data: string }[] = await (await page.request.get("/dev/mail")).json();
  const mine = messages.filter((m) => m.data.includes("HEI workshop update"));
  expect(mine.length).toBeGreaterThan(0);
  const data = mine[0].data.replace(/=\r\n/g, "").replace(/=3D/g, "=");
  const ack = data.match(/https?:\/\/[^\s"<>]+\/ack\/[A-Za-z0-9._-]+/)?.[0];
  expect(ack, "acknowledgement link in the email").toBeTruthy();

  const recipient = await browser.newContext();
  const rpage = await recipient.newPage();
  await rpage.goto(new URL(ack!).pathname);
  await expect(rpage.getByRole("heading", { level: 1, name: "Confirm you have read this briefing" })).toBeVisible();
  await expectAccessible(rpage);
  await rpage.getByRole("button", { name: "I have read this briefing" }).click();
  await expect(rpage.getByRole("heading", { level: 1, name: "Thank you" })).toBeVisible();
  await recipient.close();

  await page.reload();
  await expect(page.getByTestId("progress")).toContainText("1 acknowledged");
  await expect(page.getByRole("table", { name: "Acknowledgement rate by kind of organisation" })).toContainText("Higher education institution");
  await expect(page.getByRole("table", { name: "Acknowledgement rate by kind of organisation" })).toContainText("%");
  await expectAccessible(page);
});

test("the plan and audiences pages list the programme's plan and pass axe", async ({ page }) => {
  await signIn(page, MANAGER, "/plan");
  await expect(page.getByRole("heading", { level: 1, name: "Communication plan" })).toBeVisible();
  await expect(page.getByRole("cell", { name: "Keep every partner informed of programme progress", exact: true })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Due in the next eight weeks" })).toBeVisible();
  await expectAccessible(page);
  await page.goto("/segments");
  await expect(page.getByRole("link", { name: "All partners" })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("link", { name: "Universities (HEIs)" }).click();
  await expect(page.getByRole("status")).toContainText("contacts match now");
  await expectAccessible(page);
});

test("an email-briefing plan item's occurrences become their own scheduled briefings", async ({ page }) => {
  const tomorrow = new Date(Date.now() + 24 * 3600 * 1000).toISOString().slice(0, 10);
  await signIn(page, MANAGER, "/plan");
  await waitForHydration(page);
  const leads = await page.locator("#f-segment option", { hasText: "HEI course leads" }).getAttribute("value");
  await page.getByLabel("Audience").selectOption(leads!);
  await page.getByLabel("Objective").fill("Weekly course lead update");
  await page.getByLabel("Key message").fill("What changed in the curriculum this week");
  await page.getByLabel("Channel").selectOption("email_briefing");
  await page.getByLabel("Frequency").selectOption("weekly");
  await page.getByLabel("Owner").fill("HEI workshops lead");
  await page.getByLabel("Start date").fill(tomorrow);
  await page.getByLabel("Send time (UK, optional)").fill("10:00");
  await page.getByLabel("Each occurrence becomes").selectOption("scheduled");
  await page.getByRole("button", { name: "Add to the plan" }).click();
  const row = page.getByRole("row", { name: /Weekly course lead update/ });
  await expect(row).toContainText("Sends at 10:00 (UK); each instance sent automatically");
  await expectAccessible(page);

  await page.goto("/briefings/new");
  await waitForHydration(page);
  await page.getByLabel("Subject").fill("Course lead weekly");
  await page.getByLabel("Briefing").fill("This week's curriculum news.");
  await page.getByLabel("Audience").selectOption(leads!);
  await page.getByLabel("Ask recipients to confirm they have read it").uncheck();
  await page.getByRole("button", { name: "Save draft and preview" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Course lead weekly" })).toBeVisible();

  await waitForHydration(page);
  await page.getByText("Repeat with an email-briefing plan item").click();
  const item = await page.locator("#f-plan_item option", { hasText: "Weekly course lead update" }).getAttribute("value");
  await page.getByLabel("Plan item").selectOption(item!);
  await page.getByRole("button", { name: "Repeat with this plan item" }).click();

  await expect(page.getByRole("heading", { name: "Repeats with the communication plan" })).toBeVisible();
  const occurrences = page.getByRole("table", { name: "Occurrences made so far" });
  await expect(occurrences.getByRole("row")).toHaveCount(3); // header + tomorrow + a week later
  await expect(occurrences).toContainText("Scheduled");
  await expectAccessible(page);

  await occurrences.getByRole("link").first().click();
  await expect(page.getByText("One occurrence of the repeating briefing")).toBeVisible();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Course lead weekly – ");
  await expectAccessible(page);
});
