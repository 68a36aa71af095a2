import { expect, test, type APIRequestContext } from "@playwright/test";
import { newEmail, OPERATOR, PASSWORD, shot, signIn, verificationCode, watchConsole } from "./support";

// The items' links point at a host that does not exist: the console lists them as links (no image is loaded).
const DATA_HOST = "data.simulated.bytebridge.local";

async function bearer(request: APIRequestContext, method: string, url: string, token: string | null, data?: unknown) {
  const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
  const response = await request.fetch(url, { method, headers, data });
  expect(response.ok(), `${url}: ${await response.text()}`).toBeTruthy();
  return response.json();
}

/** A client signed up through /auth/v1 (with the mailed code); its calls through the dashboard API. */
async function apiClient(request: APIRequestContext) {
  const email = newEmail("ops-client");
  await bearer(request, "POST", "/auth/v1/signUp", null, { email, password: PASSWORD, language: "en" });
  await bearer(request, "POST", "/auth/v1/confirmSignUp", null, { email, code: await verificationCode(request, email) });
  const { idToken } = (await bearer(request, "POST", "/auth/v1/signIn", null, { email, password: PASSWORD })) as { idToken: string };
  // Submitting for review needs a saved card (code 12 otherwise): the local Stripe's test card.
  const { userId } = (await bearer(request, "GET", "/account/v1/apiKeys", idToken)) as { userId: string };
  await bearer(request, "POST", "/local/cards", null, { userId, card: "pm_card_visa" });
  const call = async (path: string, params: object) => {
    const body = await bearer(request, "POST", `/dashboard/v1/${path}`, idToken, { params });
    expect(body.code, JSON.stringify(body)).toBe(0);
    return body.data;
  };
  return { email, call };
}

test("an operator rejects, approves with a trial of 4, answers a client, sets prices and reads the audit log", async ({ page, request }, testInfo) => {
  test.setTimeout(120_000);
  const errors = watchConsole(page);
  const client = await apiClient(request);
  const name = `ops ${Date.now()}`;
  const { projectId } = await client.call("projects", {
    projectName: name,
    type: "image_classification",
    taskType: "single_choice",
    instruction: "Is it a cat or a dog?",
    question: "Is this a cat or a dog?",
    options: [{ value: "cat" }, { value: "dog" }],
  });
  const urls = Array.from({ length: 6 }, (_, n) => `https://${DATA_HOST}/e2e/${n % 2 ? "dog" : "cat"}_${n}.jpg`);
  await client.call("projects/submitResource", { projectId, resourceType: "image", resourceURLs: urls });
  await client.call("projects/alterState", { projectId, type: "start" });
  const { projectId: draftId } = await client.call("projects", {
    projectName: `${name} negotiated`,
    type: "image_classification",
    taskType: "single_choice",
    question: "Cat or dog?",
    options: [{ value: "cat" }, { value: "dog" }],
  });

  // The operator signs in through the screens; the console is in the navigation for operators only.
  await signIn(page, OPERATOR.email, OPERATOR.password);
  await page.getByRole("link", { name: "Operator console" }).click();
  await expect(page.getByRole("heading", { name: "Review queue" })).toBeVisible();
  const card = page.getByRole("article", { name });
  await expect(card).toBeVisible();
  await expect(card.getByRole("link", { name: "Sample 1" })).toHaveAttribute("href", new RegExp(DATA_HOST));
  await shot(page, testInfo, "review-queue");

  // Reject with a reason and a note, through the confirmation.
  await card.getByRole("button", { name: "Reject" }).click();
  await expect(card.getByRole("alert")).toHaveText("Pick at least one reason.");
  await card.getByLabel("Flow logic is unclear or wrong").check();
  await card.getByLabel("Note to the client").fill("Which answer for a fox?");
  await card.getByRole("button", { name: "Reject" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("Flow logic is unclear or wrong");
  await shot(page, testInfo, "reject-confirm");
  await dialog.getByRole("button", { name: "Reject" }).click();
  await expect(card).toHaveCount(0);
  await expect(page.getByRole("heading", { name: "No project is waiting for review" })).toBeVisible();
  await shot(page, testInfo, "rejected");
  const rejected = await client.call("projects/retrieveProject", { projectId });
  expect(rejected.review).toEqual({ reasons: ["flow_logic"], note: "Which answer for a fox?" });

  // The client resubmits; the operator approves it with a trial of four items.
  await client.call("projects/alterState", { projectId, type: "start" });
  await page.reload();
  await expect(card).toBeVisible();
  await card.getByLabel("Trial size", { exact: true }).fill("4");
  await card.getByRole("button", { name: "Approve" }).click();
  await expect(dialog).toContainText("The trial of 4 items starts now");
  await shot(page, testInfo, "approve-confirm");
  await dialog.getByRole("button", { name: "Approve" }).click();
  await expect(card).toHaveCount(0);
  const approved = await client.call("projects/retrieveProject", { projectId });
  expect(approved.projectData.projectStatus).not.toBe("checking");

  // A client message waits in the inbox; the operator reads the thread and answers it.
  await client.call("projects/messages", { projectId, text: "When does the trial finish?" });
  await page.getByRole("navigation", { name: "Operator sections" }).getByRole("link", { name: "Messages" }).click();
  const open = page.getByRole("link", { name: `Open the thread of ${name}` });
  await expect(open).toBeVisible();
  await expect(page.locator("li, tr").filter({ has: open })).toContainText("1 unread");
  await shot(page, testInfo, "inbox");
  await open.click();
  await expect(page.getByText("When does the trial finish?")).toBeVisible();
  await page.getByLabel("Reply").fill("Within the hour.");
  await page.getByRole("button", { name: "Send reply" }).click();
  await dialog.getByRole("button", { name: "Send reply" }).click();
  await expect(page.getByRole("status")).toHaveText("Reply sent.");
  await expect(page.getByText("Within the hour.")).toBeVisible();
  await shot(page, testInfo, "thread-answered");
  const thread = await client.call("projects/listMessages", { projectId });
  expect(thread.messages.map((m: { text: string }) => m.text)).toEqual(["When does the trial finish?", "Within the hour."]);
  await page.getByRole("link", { name: "Back to the inbox" }).click();
  await expect(page.getByRole("link", { name: `Open the thread of ${name}` })).toHaveCount(0); // answered: out of the inbox

  // A negotiated price on the client's draft project.
  await page.getByRole("link", { name: "Prices" }).click();
  await page.getByLabel("Project ID").fill(draftId);
  await page.getByLabel("single_choice", { exact: true }).fill("7");
  await page.getByRole("button", { name: "Save prices" }).click();
  await shot(page, testInfo, "prices-confirm");
  await dialog.getByRole("button", { name: "Save prices" }).click();
  await expect(page.getByRole("status")).toHaveText("Prices saved.");

  // The server's refusal is shown in the dialog: the approved project's prices can no longer change.
  await page.getByLabel("Project ID").fill(projectId);
  await page.getByRole("button", { name: "Save prices" }).click();
  await dialog.getByRole("button", { name: "Save prices" }).click();
  await expect(dialog.getByRole("alert")).toContainText("The server refused: cannot set the prices of");
  await shot(page, testInfo, "prices-refused");
  await dialog.getByRole("button", { name: "Cancel" }).click();

  // Every action is in today's audit log (shared with the other journeys run on this platform: this one's rows).
  await page.getByRole("link", { name: "Audit log" }).click();
  const rows = page.getByRole("row").filter({ hasText: projectId });
  for (const action of ["reject", "approve", "message"]) {
    await expect(rows.filter({ hasText: action }).first()).toBeVisible();
  }
  await expect(page.getByRole("row").filter({ hasText: draftId }).filter({ hasText: "prices" })).toBeVisible();
  await expect(rows.filter({ hasText: "approve" }).first()).toContainText('"trialSize":4');
  await shot(page, testInfo, "audit");
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, testInfo, "audit-phone");
  await page.setViewportSize({ width: 1280, height: 800 });

  // The client's account: its card's last digits, its projects; the lookup is audited too.
  await page.getByRole("link", { name: "Accounts" }).click();
  await page.getByLabel("E-mail or userId").fill(client.email);
  await page.getByRole("button", { name: "Look up" }).click();
  const found = page.getByRole("article", { name: client.email });
  await expect(found).toContainText("•••• 4242");
  await expect(found.getByRole("link", { name, exact: true })).toBeVisible();
  await expect(found.getByRole("link", { name: `${name} negotiated` })).toBeVisible();
  await shot(page, testInfo, "account");
  // Chromium logs every 4xx answer; the one 409 is the refusal the prices step provoked on purpose.
  const provoked = "Failed to load resource: the server responded with a status of 409 (Conflict)";
  expect(errors.filter((error) => !error.startsWith(provoked))).toEqual([]);
  expect(errors.filter((error) => error.startsWith(provoked) && error.endsWith("/prices"))).toHaveLength(1);
});
