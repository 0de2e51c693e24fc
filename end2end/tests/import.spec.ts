import { test, expect } from "@playwright/test";
import { expectAccessible, MANAGER, signIn } from "./helpers";

// A spreadsheet as Excel saves it ("CSV UTF-8": a byte-order mark, CRLF), with two bad rows.
const FILE = "\ufeffName,Email,Organisation,Organisation kind,Job title,Influence,Interest\r\n" +
  "Priya Import,priya.import@newtrust.example.org,Import Test Trust,Acute trust,Chief nurse,5,4\r\n" +
  "Tom Import,tom.import@newtrust.example.org,Import Test Trust,Acute trust,\"Lead, advanced practice\",3,5\r\n" +
  "Bad Score,bad.score@newtrust.example.org,Import Test Trust,Acute trust,Matron,11,4\r\n" +
  "No Org,no.org@nowhere.example.org,Nowhere At All,,Matron,3,3\r\n";

test("a manager imports a spreadsheet with two bad rows and commits the good ones", async ({ page }) => {
  await signIn(page, MANAGER, "/contacts");
  await page.getByRole("link", { name: "Import from a spreadsheet" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Import contacts from a spreadsheet" })).toBeVisible();
  await expectAccessible(page);

  await page.getByLabel("CSV file (up to 10 MB)").setInputFiles({ name: "register.csv", mimeType: "text/csv", buffer: Buffer.from(FILE, "utf8") });
  await page.getByRole("button", { name: "Upload and preview" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Preview of register.csv" })).toBeVisible();
  await expect(page.getByText("2 to create, 0 to update, 0 unchanged, 2 with errors, and 1 new organisation.")).toBeVisible();
  const rows = page.getByRole("table", { name: "What each row would do" });
  await expect(rows.getByRole("row", { name: /bad\.score@newtrust\.example\.org.*Error.*Influence/ })).toBeVisible();
  await expect(rows.getByRole("row", { name: /no\.org@nowhere\.example\.org.*Error.*No organisation is called/ })).toBeVisible();
  await expectAccessible(page);

  // The job titles are left out: the column is set to "Not imported" and the preview redone.
  const jobTitle = page.getByLabel("Import the column “Job title” as");
  await expect(jobTitle).toHaveValue("job_title");
  await jobTitle.selectOption("");
  await page.getByRole("button", { name: "Use these columns" }).click();
  await expect(page.getByLabel("Import the column “Job title” as")).toHaveValue("");
  await expect(page.getByText("2 to create, 0 to update, 0 unchanged, 2 with errors, and 1 new organisation.")).toBeVisible();

  await page.getByRole("button", { name: "Import 2 contacts" }).click();
  await expect(page.getByText("The import is done: 2 created, 0 updated, 0 unchanged, 2 not imported (errors), 1 new organisations.")).toBeVisible();
  await expect(page.getByRole("link", { name: /Download the rows that were not imported/ })).toBeVisible();
  await expectAccessible(page);

  await page.goto("/contacts?q=import");
  await expect(page.getByRole("link", { name: "Priya Import" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Tom Import" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Bad Score" })).toHaveCount(0);
});

test("a bad file comes back to the upload page with what to do", async ({ page }) => {
  await signIn(page, MANAGER, "/contacts/import");
  await page.getByLabel("CSV file (up to 10 MB)").setInputFiles({ name: "euro.csv", mimeType: "text/csv", buffer: Buffer.from("Name;Email\r\nA;a@x.example.org\r\n") });
  await page.getByRole("button", { name: "Upload and preview" }).click();
  await expect(page.getByRole("alert")).toContainText("separated by semicolons");
  await expectAccessible(page);
});
