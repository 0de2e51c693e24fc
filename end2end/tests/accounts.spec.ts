import { test, expect, Page } from "@playwright/test";
import { expectAccessible, MANAGER, signIn, waitForHydration } from "./helpers";

/** The newest link under `path` in an email to `to`, read from the development SMTP server. */
async function linkFromMail(page: Page, to: string, path: string): Promise<string> {
  let link: string | undefined;
  await expect
    .poll(async () => {
      const messages: { to: string[]; data: string }[] = await (await page.request.get("/dev/mail")).json();
      const mine = messages.find((m) => m.to.includes(to) && m.data.includes(path));
      const data = mine?.data.replace(/=\r\n/g, "").replace(/=3D/g, "=");
      link = data?.match(new RegExp(`https?://[^\\s"<>]+${path}[A-Za-z0-9_-]{43}`))?.[0];
      return link;
    }, { timeout: 20_000 })
    .toBeTruthy();
  return new URL(link!).pathname;
}

test("a manager invites a lead, who chooses a password and updates only their workstream", async ({ page, browser }) => {
  const email = `nia.${Date.now()}@liaison.example.org`;
  await signIn(page, MANAGER, "/users");
  await expect(page.getByRole("heading", { level: 1, name: "Users" })).toBeVisible();
  await waitForHydration(page);
  await page.getByText("Invite a person").click();
  await page.getByLabel("Full name").fill("Nia Newlead");
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Role").selectOption("workstream-lead");
  await page.getByLabel("HEI workshops").check();
  await expectAccessible(page);
  await page.getByRole("button", { name: "Send invitation" }).click();
  await expect(page.getByRole("cell", { name: email, exact: true })).toBeVisible();
  await expect(page.getByText("Waiting for them").first()).toBeVisible();

  const invitation = await linkFromMail(page, email, "/invitation/");
  const context = await browser.newContext();
  const lead = await context.newPage();
  await lead.goto(invitation);
  await expect(lead.getByRole("heading", { level: 1, name: "Choose your password" })).toBeVisible();
  await expectAccessible(lead);
  await lead.getByLabel("New password").fill("nia's own long passphrase");
  await lead.getByLabel("Type the password again").fill("nia's own long passphrase");
  await lead.getByRole("button", { name: "Create my account" }).click();
  await expect(lead.getByText("Your account is ready.")).toBeVisible();

  await signIn(lead, { email, password: "nia's own long passphrase" });
  await lead.getByRole("link", { name: "HEI workshops" }).click();
  await lead.getByLabel("RAG status").selectOption("green");
  await lead.getByLabel("Summary of progress").fill("Nia's first update: titles agreed with two more HEIs.");
  await lead.getByRole("button", { name: "Post update" }).click();
  await expect(lead.getByText("Your status update was posted.")).toBeVisible();
  await lead.goto("/");
  await lead.getByRole("link", { name: "Creation of baseline" }).click();
  await expect(lead.getByRole("button", { name: "Post update" })).toHaveCount(0);
  await context.close();

  // The link worked once.
  const again = await browser.newContext();
  const reuse = await again.newPage();
  await reuse.goto(invitation);
  await expect(reuse.getByRole("heading", { level: 1, name: "Page not found" })).toBeVisible();
  await again.close();
});

test("forgot password sends a reset link that sets a new password", async ({ page, browser }) => {
  await page.goto("/sign-in");
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Reset your password" })).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel("Email address").fill("toolkit.lead@liaison.example.org");
  await page.getByRole("button", { name: "Send me a link" }).click();
  await expect(page.getByText("If that address has a Liaison account")).toBeVisible();

  const manager = await browser.newPage();
  await signIn(manager, MANAGER);
  const reset = await linkFromMail(manager, "toolkit.lead@liaison.example.org", "/reset-password/");
  await manager.close();

  await page.goto(reset);
  await expect(page.getByRole("heading", { level: 1, name: "Choose a new password" })).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel("New password").fill("a fresh toolkit passphrase");
  await page.getByLabel("Type the password again").fill("a fresh toolkit passphrase");
  await page.getByRole("button", { name: "Save my new password" }).click();
  await expect(page.getByText("Your password has been changed.")).toBeVisible();
  await signIn(page, { email: "toolkit.lead@liaison.example.org", password: "a fresh toolkit passphrase" });
});
