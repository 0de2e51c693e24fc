import { test, expect, Page, APIRequestContext } from "@playwright/test";
import { expectAccessible, signIn, waitForHydration } from "./helpers";
import { FRESH_MAIL_URL, FRESH_MANAGER, FRESH_URL } from "./fresh-instance";

// A real programme from day one, on an instance started without demo data: the first manager
// was made with `liaison user add`, and mail goes through a real SMTP server that the test
// reads (and can make refuse a recipient, as a relay does with a permanent 5xx).
test.use({ baseURL: FRESH_URL });
test.describe.configure({ mode: "serial" });

type Mail = { to: string[]; data: string };

async function mails(request: APIRequestContext): Promise<Mail[]> {
  return (await request.get(`${FRESH_MAIL_URL}/messages`)).json();
}

/** The link under `path` in the newest email to `to`, as the SMTP server received it. */
async function linkFromSmtp(request: APIRequestContext, to: string, path: string): Promise<string> {
  let link: string | undefined;
  await expect
    .poll(async () => {
      const mine = (await mails(request)).filter((m) => m.to.includes(to) && m.data.includes(path)).pop();
      const data = mine?.data.replace(/=\r\n/g, "").replace(/=3D/g, "=");
      link = data?.match(new RegExp(`https?://[^\\s"<>]+${path}[A-Za-z0-9_-]{43}`))?.[0];
      return link;
    }, { timeout: 30_000 })
    .toBeTruthy();
  return new URL(link!).pathname;
}

async function addWorkstream(page: Page, name: string, purpose: string) {
  await page.goto("/setup/workstreams");
  await page.getByRole("link", { name: "Add a workstream" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Add a workstream" })).toBeVisible();
  await waitForHydration(page);
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Purpose").fill(purpose);
  await page.getByRole("button", { name: "Save workstream" }).click();
  await expect(page.getByText("The workstream was saved.")).toBeVisible();
}

const LEAD = { email: "lee.lead@programme.example.org", password: "lee-chose-this-passphrase" };

test("an empty programme: the manager sets up workstreams and invites a lead, read from the SMTP server", async ({ page, browser, request }) => {
  await signIn(page, FRESH_MANAGER);
  // No demo data: the getting-started list is what the first manager sees.
  await expect(page.getByRole("heading", { name: "Getting started" })).toBeVisible();
  await expect(page.getByText("manager@liaison.example.org")).toHaveCount(0);
  await expectAccessible(page);

  await addWorkstream(page, "Creation of baseline", "Map the advanced practice workforce across the region.");
  await addWorkstream(page, "Practitioner competencies", "Agree the competencies every advanced practitioner shows.");
  await expectAccessible(page);

  await page.goto("/users");
  await waitForHydration(page);
  await page.getByText("Invite a person").click();
  await page.getByLabel("Full name").fill("Lee Lead");
  await page.getByLabel("Email address").fill(LEAD.email);
  await page.getByLabel("Role").selectOption("workstream-lead");
  await page.getByLabel("Creation of baseline").check();
  await page.getByRole("button", { name: "Send invitation" }).click();
  await expect(page.getByRole("cell", { name: LEAD.email, exact: true })).toBeVisible();
  await expectAccessible(page);

  const invitation = await linkFromSmtp(request, LEAD.email, "/invitation/");
  const context = await browser.newContext({ baseURL: FRESH_URL });
  const lead = await context.newPage();
  await lead.goto(invitation);
  await expect(lead.getByRole("heading", { level: 1, name: "Choose your password" })).toBeVisible();
  await expectAccessible(lead);
  await lead.getByLabel("New password").fill(LEAD.password);
  await lead.getByLabel("Type the password again").fill(LEAD.password);
  await lead.getByRole("button", { name: "Create my account" }).click();
  await expect(lead.getByText("Your account is ready.")).toBeVisible();

  // The lead posts to their own workstream, and only that one.
  await signIn(lead, LEAD);
  await lead.getByRole("link", { name: "Creation of baseline" }).click();
  // The page has settled (and handles its own form) before anything is typed into it: under
  // load, typing into a page still loading lost the summary now and then.
  await expect(lead.getByRole("heading", { level: 1, name: "Creation of baseline" })).toBeVisible();
  await waitForHydration(lead);
  await lead.getByLabel("RAG status").selectOption("green");
  await lead.getByLabel("Summary of progress").fill("Survey of the region's trusts is out; 14 of 40 have replied.");
  await lead.getByRole("button", { name: "Post update" }).click();
  await expect(lead.getByText("Your status update was posted.")).toBeVisible();
  await expectAccessible(lead);
  await lead.goto("/");
  await lead.getByRole("link", { name: "Practitioner competencies" }).click();
  await expect(lead.getByRole("heading", { level: 1, name: "Practitioner competencies" })).toBeVisible();
  await expect(lead.getByRole("button", { name: "Post update" })).toHaveCount(0);
  await context.close();
});

test("the manager edits a plan item and a draft, and retries a delivery the relay refused once fixed", async ({ page, request }) => {
  await signIn(page, FRESH_MANAGER, "/organisations/new");
  await waitForHydration(page);
  await page.getByLabel("Organisation name").fill("Keele Test University");
  await page.getByLabel("Kind of organisation").selectOption({ label: "Higher education institution" });
  await page.getByRole("button", { name: "Save organisation" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Keele Test University" })).toBeVisible();
  await page.getByRole("link", { name: "Add a contact here" }).click();
  await waitForHydration(page);
  await page.getByLabel("Full name").fill("Robin Refused");
  await page.getByLabel("Email address").fill("robin.refused@keele.example.org");
  await page.getByLabel("Influence").selectOption("4");
  await page.getByLabel("Interest").selectOption("4");
  await page.getByLabel("Engagement now").selectOption("neutral");
  await page.getByLabel("Engagement target").selectOption("supportive");
  await page.getByRole("button", { name: "Save contact" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Robin Refused" })).toBeVisible();

  // An audience, then a plan item for it, corrected after saving.
  await page.goto("/segments");
  await waitForHydration(page);
  await page.getByLabel("Name", { exact: true }).fill("Universities");
  await page.getByLabel("Higher education institution").check();
  await page.getByRole("button", { name: "Save audience" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Universities" })).toBeVisible();
  await expect(page.getByText("1 contacts match now")).toBeVisible();
  await page.getByRole("link", { name: "Edit audience" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Edit Universities" })).toBeVisible();
  await waitForHydration(page);
  await expect(page.getByLabel("Higher education institution")).toBeChecked();
  await expectAccessible(page);
  await page.getByLabel("Name", { exact: true }).fill("Universities (HEIs)");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Universities (HEIs)" })).toBeVisible();
  await expect(page.getByText("Your changes were saved.")).toBeVisible();

  await page.goto("/plan");
  await waitForHydration(page);
  const audience = await page.locator("#f-segment option", { hasText: "Universities (HEIs)" }).getAttribute("value");
  await page.getByLabel("Audience").selectOption(audience!);
  await page.getByLabel("Objective").fill("Keep HEIs informed of curriculum workshops");
  await page.getByLabel("Key message").fill("Dates and outcomes of each workshop.");
  await page.getByLabel("Channel").selectOption("email_briefing");
  await page.getByLabel("Frequency").selectOption("monthly");
  await page.getByLabel("Owner").fill("Programme manger");
  await page.getByLabel("Start date").fill("2027-01-04");
  await page.getByRole("button", { name: "Add to the plan" }).click();
  await expect(page.getByRole("cell", { name: "Programme manger" })).toBeVisible();
  await page.getByRole("link", { name: "Edit Keep HEIs informed of curriculum workshops" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Edit Keep HEIs informed of curriculum workshops" })).toBeVisible();
  await waitForHydration(page);
  await expectAccessible(page);
  await page.getByLabel("Owner").fill("Programme manager");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("cell", { name: "Programme manager", exact: true })).toBeVisible();
  await expectAccessible(page);

  // A draft with a typo, corrected.
  await page.goto("/briefings/new");
  await waitForHydration(page);
  await page.getByLabel("Subject").fill("Curiculum workshop dates");
  await page.getByLabel("Briefing").fill("The next HEI workshop is on 14 January.");
  await page.getByLabel("Audience").selectOption(audience!);
  await page.getByLabel("Confirm by (optional)").fill("2030-01-31");
  await page.getByRole("button", { name: "Save draft and preview" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Curiculum workshop dates" })).toBeVisible();
  await page.getByRole("link", { name: "Edit briefing" }).click();
  await waitForHydration(page);
  await page.getByLabel("Subject").fill("Curriculum workshop dates");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Curriculum workshop dates" })).toBeVisible();

  // The relay refuses the recipient permanently: the delivery fails.
  await request.put(`${FRESH_MAIL_URL}/behaviour`, { data: { reject_permanently: "robin.refused" } });
  await waitForHydration(page);
  await page.getByRole("button", { name: "Send now" }).click();
  await expect(page.getByTestId("progress")).toContainText("100%", { timeout: 30_000 });
  await page.reload();
  await expect(page.getByRole("heading", { name: "Failed deliveries" })).toBeVisible();
  await expect(page.getByRole("listitem").filter({ hasText: "robin.refused@keele.example.org" })).toBeVisible();
  await expectAccessible(page);

  // The relay is fixed; "Retry failed" delivers it.
  await request.put(`${FRESH_MAIL_URL}/behaviour`, { data: {} });
  await waitForHydration(page);
  await page.getByRole("button", { name: "Retry failed" }).click();
  await expect(page.getByRole("heading", { name: "Retried deliveries" })).toBeVisible();
  await expect
    .poll(async () => (await mails(request)).filter((m) => m.to.includes("robin.refused@keele.example.org") && m.data.includes("Curriculum workshop dates")).length, { timeout: 30_000 })
    .toBe(1);
  // The outcome is recorded just after the relay accepts the message: read the report until then.
  await expect(async () => {
    await page.reload();
    await expect(page.getByText(/robin\.refused@keele\.example\.org>: sent/)).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  await expectAccessible(page);
});
