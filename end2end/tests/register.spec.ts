import { test, expect } from "@playwright/test";
import { expectAccessible, MANAGER, signIn, waitForHydration } from "./helpers";

test.beforeEach(async ({ page }) => {
  await signIn(page, MANAGER);
});

test("a person adds an organisation and a contact, finds it, and fixes a mistake", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  // A refused form post (422) is logged by the browser as a failed resource: expected here.
  page.on("console", (m) => m.type() === "error" && !m.text().startsWith("Failed to load resource") && errors.push(m.text()));

  await page.goto("/organisations");
  await waitForHydration(page);
  await expectAccessible(page);

  // Add an organisation, first forgetting its kind.
  await page.getByRole("link", { name: "Add an organisation" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Add an organisation" })).toBeVisible();
  await waitForHydration(page);
  await page.getByLabel("Organisation name").fill("Midlands Test Faculty of Practice");
  await page.getByRole("button", { name: "Save organisation" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "There is a problem" })).toBeVisible();
  await expect(page.locator("#f-kind-error")).toContainText("Select the kind of organisation");
  await expect(page.getByLabel("Organisation name")).toHaveValue("Midlands Test Faculty of Practice");
  await expectAccessible(page);

  await page.getByLabel("Kind of organisation").selectOption({ label: "Other" });
  await page.getByRole("button", { name: "Save organisation" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Midlands Test Faculty of Practice" })).toBeVisible();
  await expectAccessible(page);

  // Add a contact to it, with a mistyped email first.
  await page.getByRole("link", { name: "Add a contact here" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Add a contact" })).toBeVisible();
  await waitForHydration(page);
  await page.getByLabel("Full name").fill("Morgan Testperson");
  await page.getByLabel("Email address").fill("morgan.testperson@faculty");
  await page.getByLabel("Job title (optional)").fill("Advanced Practice Lead");
  await page.getByLabel("Influence").selectOption("4");
  await page.getByLabel("Interest").selectOption("5");
  await page.getByLabel("Engagement now").selectOption("neutral");
  await page.getByLabel("Engagement target").selectOption("leading");
  await page.getByRole("button", { name: "Save contact" }).click();
  await expect(page.locator("#f-email-error")).toContainText("correct format");
  await expect(page.getByLabel("Full name")).toHaveValue("Morgan Testperson");
  await expect(page.getByLabel("Organisation")).toHaveValue(/.+/);
  await expectAccessible(page);

  await page.getByLabel("Email address").fill("morgan.testperson@faculty.example.org");
  await page.getByRole("button", { name: "Save contact" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Morgan Testperson" })).toBeVisible();
  await expect(page.getByText("Midlands Test Faculty of Practice")).toBeVisible();
  await expectAccessible(page);

  // Find the contact by searching for the organisation.
  await page.goto("/contacts");
  // Every typed word must start a word of the contact (here, of the organisation's name).
  await page.getByLabel("Name, email or organisation").fill("midlands test faculty of practice");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/q=midlands\+test\+faculty/);
  await expect(page.getByRole("link", { name: "Morgan Testperson" })).toBeVisible();
  await expect(page.getByRole("status")).toHaveText("1 contact");
  await expectAccessible(page);

  expect(errors, "browser console errors").toEqual([]);
});

test("the demo register is loaded and every register page passes axe", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await expectAccessible(page);
  await page.goto("/organisations?kind=hei");
  await expect(page.getByRole("link", { name: "Aston University" })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("link", { name: "Aston University" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Aston University" })).toBeVisible();
  await expectAccessible(page);
  await page.goto("/contacts");
  await expect(page.getByRole("status")).toHaveText(/\d+ contacts/);
  await expectAccessible(page);
  await page.getByRole("link", { name: "Next page" }).click();
  await expect(page).toHaveURL(/page=2/);
  await expectAccessible(page);

  // A filtered view, then the same view as engagement gaps (SEAM).
  await page.goto("/contacts?kind=acute_trust&below=1&sort=gap");
  await expect(page.getByRole("checkbox", { name: "Below target engagement only" })).toBeChecked();
  await expectAccessible(page);
  await page.getByRole("link", { name: "See this view as engagement gaps (C now, D desired)" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Engagement gaps" })).toBeVisible();
  await expect(page.getByText(/Acute trust: \d+ of \d+ contacts? below target/)).toBeVisible();
  await expect(page.getByRole("table", { name: /Engagement matrix/ }).getByText("current", { exact: true }).first()).toBeAttached();
  await expectAccessible(page);
});

test("a manager moves a contact and sees the move on the map and in their history", async ({ page }) => {
  // The filtered contacts view, on the map.
  await page.goto("/contacts?kind=hei");
  await page.getByRole("link", { name: "See it on the influence and interest map" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Influence and interest map" })).toBeVisible();
  await expect(page.getByRole("img", { name: "Influence and interest map" })).toBeVisible();
  await expect(page.getByRole("table", { name: /Contacts by influence/ })).toBeVisible();
  await expectAccessible(page);

  // Move the first HEI contact to influence 1, interest 1 through the edit form.
  await page.goto("/contacts?kind=hei");
  await page.locator("main table tbody a").first().click();
  const name = (await page.getByRole("heading", { level: 1 }).textContent()) ?? "";
  await page.getByRole("link", { name: "Edit contact" }).click();
  await waitForHydration(page);
  await page.getByLabel("Influence").selectOption("1");
  await page.getByLabel("Interest").selectOption("1");
  await page.getByRole("button", { name: /Save/ }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  const timeline = page.getByRole("list", { name: /Changes of influence, interest and engagement/ });
  await expect(timeline.getByText(/influence: \d → 1/).first()).toBeVisible();
  await expectAccessible(page);

  // On the map, since yesterday: the move, drawn and in words.
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  await page.goto(`/map?kind=hei&since=${yesterday}`);
  await expect(page.getByRole("heading", { name: `Moves since ${yesterday}` })).toBeVisible();
  await expect(page.getByRole("listitem").filter({ hasText: /to influence 1, interest 1 \(monitor\)/ }).first()).toBeVisible();
  await expectAccessible(page);
});

test("a manager drags a contact to another cell of the map and sees the arrow", async ({ page }) => {
  // Tall enough for the whole map and the chosen cell's list at once.
  await page.setViewportSize({ width: 1280, height: 1600 });
  await page.goto("/map?kind=hei");
  await waitForHydration(page);
  // The first cell with anyone in it, chosen from the table: its people are listed and drawn.
  await page.getByRole("table", { name: /Contacts by influence/ }).getByRole("link").first().click();
  await expect(page.getByRole("heading", { level: 2, name: /^Influence \d, interest \d/ })).toBeVisible();
  // The cell's link loaded a new page: its drag island comes alive again.
  await waitForHydration(page);
  const from = new URL(page.url()).searchParams.get("cell") ?? "";
  const target = from === "5-1" ? "1-5" : "5-1";
  const [ti, tn] = target.split("-");
  await expectAccessible(page);

  const point = page.locator("circle.map__person").first();
  const name = ((await point.locator("title").textContent()) ?? "").split(",")[0];
  await page.locator("svg.map").scrollIntoViewIfNeeded();
  await point.hover();
  await page.mouse.down();
  const cell = await page.locator(`rect[data-cell="${target}"]`).boundingBox();
  if (!cell) throw new Error("the target cell is not drawn");
  // A corner of the cell, away from its count.
  await page.mouse.move(cell.x + cell.width - 6, cell.y + cell.height - 6, { steps: 8 });
  await page.mouse.up();
  await expect(page.getByRole("status").filter({ hasText: `Moved ${name}` })).toContainText(
    `to influence ${ti}, interest ${tn}`,
  );
  await expect(page.getByRole("table").filter({ hasText: name })).toHaveCount(0);

  // The arrow, since yesterday, and the move in their history.
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  await page.goto(`/map?kind=hei&since=${yesterday}`);
  await expect(page.locator("line.map__move title").filter({ hasText: `to influence ${ti}, interest ${tn}` })).toHaveCount(1);
  await page.goto(`/map?kind=hei&cell=${target}`);
  await page.getByRole("link", { name, exact: true }).click();
  const timeline = page.getByRole("list", { name: /Changes of influence, interest and engagement/ });
  await expect(timeline.getByText(new RegExp(`influence: \\d → ${ti}|interest: \\d → ${tn}`)).first()).toBeVisible();
  await expectAccessible(page);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("a manager moves a contact on the map with the chosen cell's form", async ({ page }) => {
    await page.goto("/map?kind=acute_trust");
    await page.getByRole("table", { name: /Contacts by influence/ }).getByRole("link").first().click();
    await expect(page.getByRole("heading", { level: 2, name: /^Influence \d, interest \d/ })).toBeVisible();
    const from = new URL(page.url()).searchParams.get("cell") ?? "";
    const target = from === "1-5" ? ["5", "1"] : ["1", "5"];
    const row = page.locator("#cell-people ~ .table-wrap tbody tr").first();
    const name = (await row.locator("td a").first().textContent()) ?? "";
    await row.getByLabel(`Influence of ${name}`).selectOption(target[0]);
    await row.getByLabel(`Interest of ${name}`).selectOption(target[1]);
    await row.getByRole("button", { name: `Move ${name}` }).click();
    // Back on the same map, where they are no longer in the cell.
    await expect(page.getByRole("heading", { level: 2, name: /^Influence \d, interest \d/ })).toBeVisible();
    expect(new URL(page.url()).searchParams.get("cell")).toBe(from);
    await page.goto(`/map?kind=acute_trust&cell=${target.join("-")}`);
    await expect(page.getByRole("link", { name, exact: true })).toBeVisible();
  });

  test("a form with an error comes back with the message and the typed values", async ({ page }) => {
    await page.goto("/organisations/new");
    await page.getByLabel("Organisation name").fill("No Script Trust");
    await page.getByLabel("ODS code (optional)").fill("!!");
    await page.getByRole("button", { name: "Save organisation" }).click();
    await expect(page.getByText("There is a problem")).toBeVisible();
    await expect(page.locator("#f-ods_code-error")).toContainText("ODS code must be");
    await expect(page.getByLabel("Organisation name")).toHaveValue("No Script Trust");
    // (axe needs JavaScript to run; the same page is checked with JavaScript above.)

    await page.getByLabel("Kind of organisation").selectOption("acute_trust");
    await page.getByLabel("ODS code (optional)").fill("RZZ");
    await page.getByRole("button", { name: "Save organisation" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "No Script Trust" })).toBeVisible();
    await expect(page.getByText("RZZ")).toBeVisible();
  });
});
