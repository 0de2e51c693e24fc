import { test, expect, Page } from "@playwright/test";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { expectAccessible, MANAGER, signIn, waitForHydration } from "./helpers";
import { INBOUND_SMTP_PORT } from "./fresh-instance";

// Mail that comes back: a stakeholder's question from the acknowledgement page, answered from
// the inbox and read from the SMTP server; a bounce sent over real SMTP to the inbound
// listener, which holds the address and shows on the briefing's report.
test.describe.configure({ mode: "serial" });

type Mail = { from: string; to: string[]; data: string };

async function devMail(page: Page): Promise<Mail[]> {
  return (await page.request.get("/dev/mail")).json();
}

/** One SMTP transaction; resolves with every reply line the listener sent. */
function smtpSend(port: number, from: string, to: string, data: string): Promise<string[]> {
  const steps = ["EHLO e2e.example", `MAIL FROM:<${from}>`, `RCPT TO:<${to}>`, "DATA", null, "QUIT"];
  const body = data.replace(/\r?\n/g, "\r\n").split("\r\n").map((l) => (l.startsWith(".") ? "." + l : l)).join("\r\n");
  return new Promise((resolve, reject) => {
    const replies: string[] = [];
    const socket = net.connect(port, "127.0.0.1");
    let buffer = "";
    let step = 0;
    socket.on("data", (chunk) => {
      buffer += chunk.toString();
      let end: number;
      while ((end = buffer.indexOf("\r\n")) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (line[3] === "-") continue; // a continuation line
        replies.push(line);
        if (step >= steps.length) {
          socket.end();
          resolve(replies);
          return;
        }
        const next = steps[step++];
        socket.write(next === null ? `${body}\r\n.\r\n` : `${next}\r\n`);
      }
    });
    socket.on("error", reject);
    socket.on("close", () => resolve(replies));
  });
}

const SUBJECT = "Competency framework consultation";

test("a stakeholder asks a question from the acknowledgement page; the manager answers it from the inbox", async ({ page, browser }) => {
  await signIn(page, MANAGER, "/briefings/new");
  await waitForHydration(page);
  await page.getByLabel("Subject").fill(SUBJECT);
  await page.getByLabel("Briefing").fill("The draft framework is open for comment until the end of January.");
  const leads = await page.locator("#f-segment option", { hasText: "HEI course leads" }).getAttribute("value");
  await page.getByLabel("Audience").selectOption(leads!);
  await page.getByLabel("Confirm by (optional)").fill("2030-01-31");
  await page.getByRole("button", { name: "Save draft and preview" }).click();
  await expect(page.getByRole("heading", { level: 1, name: SUBJECT })).toBeVisible();
  await waitForHydration(page);
  await page.getByRole("button", { name: "Send now" }).click();
  await expect(page.getByTestId("progress")).toContainText("100%", { timeout: 30_000 });

  const sent = (await devMail(page)).filter((m) => m.data.includes(SUBJECT));
  expect(sent.length).toBeGreaterThan(0);
  const first = sent[0];
  expect(first.from, "a VERP envelope sender").toMatch(/^bounces\+[A-Za-z0-9]+@liaison\.example\.org$/);
  const data = first.data.replace(/=\r\n/g, "").replace(/=3D/g, "=");
  const ack = data.match(/https?:\/\/[^\s"<>]+\/ack\/[A-Za-z0-9._-]+/)?.[0];
  expect(ack).toBeTruthy();

  // The stakeholder asks, without acknowledging.
  const recipient = await browser.newContext();
  const rpage = await recipient.newPage();
  await rpage.goto(new URL(ack!).pathname);
  await expect(rpage.getByRole("heading", { name: "I have a question" })).toBeVisible();
  await rpage.getByRole("button", { name: "Send my question" }).click();
  await expect(rpage.getByText("Write your question")).toBeVisible();
  await expectAccessible(rpage);
  await rpage.getByLabel("Your question for the programme team").fill("Does the framework cover <b>non-medical</b> prescribing?");
  await rpage.getByRole("button", { name: "Send my question" }).click();
  await expect(rpage.getByRole("heading", { level: 1, name: "Your question has been sent" })).toBeVisible();
  await expectAccessible(rpage);
  await recipient.close();

  // The overview counts it; the inbox shows it, escaped, and the manager answers.
  await page.goto("/");
  await page.getByRole("link", { name: /waiting for an answer/ }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Inbox" })).toBeVisible();
  const item = page.getByRole("listitem").filter({ hasText: "Does the framework cover <b>non-medical</b> prescribing?" });
  await expect(item).toBeVisible();
  await expect(item).toContainText("Question");
  await expectAccessible(page);
  await waitForHydration(page);
  await item.getByText("Answer by email").click();
  await item.getByLabel("Your answer").fill("Yes: prescribing is in section 4 of the draft.");
  await item.getByRole("button", { name: "Send the answer" }).click();
  await expect(page.getByText("Nothing here.")).toBeVisible();
  await expectAccessible(page);

  const to = first.to[0];
  await expect
    .poll(async () => (await devMail(page)).find((m) => m.to.includes(to) && m.data.includes("section 4 of the draft")), {
      timeout: 30_000,
    })
    .toBeTruthy();
  const answer = (await devMail(page)).find((m) => m.to.includes(to) && m.data.includes("section 4 of the draft"))!;
  expect(answer.data).toContain(`Subject: Re: Question about ${SUBJECT}`);
  expect(answer.data).toMatch(/In-Reply-To: <[A-Za-z0-9]+\.b@/);

  await page.getByRole("link", { name: "Everything" }).click();
  await expect(page.getByText("Answered: Yes: prescribing is in section 4 of the draft.")).toBeVisible();
});

test("a bounce over SMTP marks the contact undeliverable and the briefing's report shows it", async ({ page }) => {
  await signIn(page, MANAGER, "/briefings");
  const sent = (await devMail(page)).filter((m) => m.data.includes(SUBJECT));
  const victim = sent[sent.length - 1];
  const verp = victim.from;
  const key = verp.slice("bounces+".length, verp.indexOf("@"));
  const fixture = fs.readFileSync(path.resolve(__dirname, "../../app/src/backend/inbound/fixtures/postfix_permanent.eml"), "utf8");
  const dsn = fixture.replace(/AbCdEfGhIjKlMnOpQrSt/g, key).replace(/j\.bloggs@example\.nhs\.uk/g, victim.to[0]);
  const replies = await smtpSend(INBOUND_SMTP_PORT, "", verp, dsn);
  expect(replies[5], replies.join(" | ")).toMatch(/^250/);

  await page.getByRole("link", { name: SUBJECT }).first().click();
  await expect(page.getByRole("heading", { level: 1, name: SUBJECT })).toBeVisible();
  await expect(async () => {
    await page.reload();
    await expect(page.getByRole("heading", { name: "Bounced (1)" })).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await expect(page.getByRole("listitem").filter({ hasText: victim.to[0] })).toContainText("permanent: ");
  await expect(page.getByText("1 address is now held")).toBeVisible();
  await expectAccessible(page);

  await page.goto(`/contacts?q=${encodeURIComponent(victim.to[0])}`);
  await expect(page.getByText("Address held").first()).toBeVisible();
  await page.locator("table tbody a").first().click();
  await expect(page.getByText(/Address held since/)).toBeVisible();
  await expectAccessible(page);
});
