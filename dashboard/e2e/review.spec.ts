import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { newEmail, OPERATOR, shot, signUpAndIn, watchConsole } from "./support";

const ROOT = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
// The simulated items' links point at a host that does not exist (the crowd reads the label from the file name):
// the browser refuses to load them (the page's CSP), and the answer is drawn on a blank image instead.
const DATA_HOST = "data.simulated.bytebridge.local";

async function bearer(request: APIRequestContext, method: "GET" | "POST", url: string, token: string, data?: unknown) {
  const response = await request.fetch(url, { method, headers: { Authorization: `Bearer ${token}` }, data });
  expect(response.ok(), `${url}: ${await response.text()}`).toBeTruthy();
  return response.json();
}

test("the journey from the trial on: trial results reviewed and accepted, payment confirmed, a result rejected and relabeled, the project labeled to the end, exported as COCO, its invoice read", async ({ page, request, baseURL }, testInfo) => {
  test.setTimeout(900_000); // the simulated crowd labels the project: two or three minutes on an idle machine
  const errors = watchConsole(page);
  await signUpAndIn(page, request, newEmail("review"));
  const token = await page.evaluate(() => (JSON.parse(localStorage.getItem("bb.session") ?? "{}") as { idToken: string }).idToken);
  const call = async (path: string, params: object) => {
    const body = await bearer(request, "POST", `/dashboard/v1/${path}`, token, { params });
    expect(body.code, JSON.stringify(body)).toBe(0);
    return body.data;
  };

  // Prerequisites through the API: a project with ten pictures of dogs and its flow, and a saved card.
  const projectName = `review ${Date.now()}`;
  const { projectId } = await call("projects", {
    projectName,
    type: "image_classification",
    taskType: "single_choice",
    instruction: "Is it a cat or a dog? Box the cats.",
    question: "Is this a cat or a dog?",
    options: [{ value: "cat" }, { value: "dog" }],
  });
  await call("projects/setFlow", { projectId, template: "classify-then-box" });
  // Dogs only: the flow ends after the classification for a dog (cats go on to a box task, which the crowd cannot
  // answer from a file name), so the trial finishes in one task per item.
  const urls = Array.from({ length: 10 }, (_, n) => `https://${DATA_HOST}/e2e/dog_${n}.jpg`);
  await call("projects/submitResource", { projectId, resourceType: "image", resourceURLs: urls });
  const keys = await bearer(request, "GET", "/account/v1/apiKeys", token);
  const saved = await request.post("/local/cards", { data: { userId: keys.userId, card: "pm_card_visa" } });
  expect(saved.ok()).toBeTruthy();

  // Submit for review on the review tab.
  await page.goto(`/projects/${projectId}/review`);
  await expect(page.getByRole("heading", { name: "Review and trial" })).toBeVisible();
  await shot(page, testInfo, "draft");
  await page.getByRole("button", { name: "Submit for review" }).click();
  await expect(page.getByText(/Our operators are reviewing the project/)).toBeVisible();
  await shot(page, testInfo, "in-review");

  // The operator approves it with a trial of three items; the simulated crowd labels it.
  const signedIn = await request.post("/auth/v1/signIn", { data: OPERATOR });
  const operatorToken = ((await signedIn.json()) as { idToken: string }).idToken;
  await bearer(request, "POST", `/operator/v1/reviews/${projectId}/approve`, operatorToken, { trialSize: 3 });
  let crowd: ChildProcess | null = spawn(
    `${ROOT}/.venv/bin/python`,
    ["-m", "local.simulate", "--url", baseURL!, "--project", projectId, "--user-id", keys.userId, "--secret", keys.keys[0].secretKey, "--annotators", "8", "--timeout", "800"],
    {
      cwd: ROOT,
      env: { ...process.env, PYTHONPATH: ["layers/shared/python", "functions", ".", "sdk"].map((dir) => `${ROOT}/${dir}`).join(":") },
      stdio: "ignore",
    },
  );
  try {
    await expect(page.getByTestId("project-status")).toHaveText("Trial done", { timeout: 480_000 });
    const items = page.getByRole("listitem", { name: /^Item / });
    await expect(items.first()).toBeVisible();
    expect(await items.count()).toBeGreaterThan(0);
    // Each trial item shows its consolidated answer (AnswerView): here the class chosen.
    await expect(items.first().getByRole("figure")).toContainText(/dog|cat/);
    await shot(page, testInfo, "trial-done");

    // An issue on one item is saved (and could be submitted); then the trial is accepted anyway.
    const first = items.first();
    await first.getByLabel("Issue with this item").fill("The box misses the tail.");
    await first.getByRole("button", { name: "Save the issue" }).click();
    await expect(first.getByRole("status")).toContainText("Saved (1 items with issues)");
    await expect(page.getByRole("button", { name: "Submit all issues" })).toBeEnabled();
    await page.getByRole("button", { name: "Accept the trial results" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Accept the trial results" }).click();
    await expect(page.getByTestId("project-status")).toHaveText("Waiting for payment");
    await shot(page, testInfo, "trial-accepted");

    // The payment tab: the estimate and what will be charged, then confirm: the project starts.
    await page.getByRole("link", { name: "Go to payment" }).click();
    const estimate = page.getByTestId("estimate");
    await expect(estimate).toContainText("Estimate");
    await expect(estimate).toContainText("Items to label");
    await shot(page, testInfo, "estimate");
    await page.getByRole("button", { name: "Confirm and start" }).click();
    await expect(page.getByRole("dialog")).toContainText("reserved from your balance");
    await page.getByRole("dialog").getByRole("button", { name: "Confirm and start" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Confirmed" })).toBeVisible();
    await expect(page.getByTestId("project-status")).toHaveText("In progress", { timeout: 20_000 });
    await shot(page, testInfo, "confirmed");

    // Acceptance: a delivered (trial) result is rejected with a comment; the crowd relabels it for free.
    await page.getByRole("link", { name: "Results", exact: true }).click();
    const result = page.getByRole("listitem", { name: /^Item / }).first();
    await expect(result).toBeVisible({ timeout: 60_000 });
    const rejectedItem = ((await result.getAttribute("aria-label")) ?? "").replace(/^Item /, "");
    await result.getByRole("button", { name: "Reject with comment" }).click();
    await page.getByRole("dialog").getByLabel("Comment").fill("The label is wrong: look again.");
    await page.getByRole("dialog").getByRole("button", { name: "Reject with comment" }).click();
    const sameItem = page.getByRole("listitem", { name: `Item ${rejectedItem}` });
    await expect(sameItem).toContainText("Rejected (being relabeled)");
    await shot(page, testInfo, "result-rejected");

    // Progress to the end (the rework included).
    await page.getByRole("link", { name: "Progress", exact: true }).click();
    await expect(page.getByTestId("project-status")).toHaveText("Completed", { timeout: 600_000 });
    await expect(page.getByTestId("total")).toContainText("10");
    await shot(page, testInfo, "completed");
    await page.getByRole("link", { name: "Results", exact: true }).click();
    await expect(page.getByRole("listitem", { name: `Item ${rejectedItem}` })).toContainText("Relabeled 1 times");
    await shot(page, testInfo, "relabeled");

    // Export COCO and download it: one image per item.
    await page.getByRole("link", { name: "Export", exact: true }).click();
    await page.getByLabel("Format", { exact: true }).selectOption("coco");
    await page.getByRole("button", { name: "Export", exact: true }).click();
    const link = page.getByRole("link", { name: "Download the coco export" });
    await expect(link).toBeVisible({ timeout: 120_000 });
    await shot(page, testInfo, "export-ready");
    const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
    const coco = JSON.parse(readFileSync(await download.path(), "utf-8")) as { images: unknown[]; categories: unknown[] };
    expect(coco.images).toHaveLength(10);
    expect(coco.categories.length).toBeGreaterThan(0);

    // The invoice of the completed project, as a PDF.
    await page.getByRole("link", { name: "Billing" }).click();
    const invoices = page.getByRole("region", { name: "Invoices" });
    await expect(async () => {
      await page.reload();
      await expect(invoices.getByRole("row", { name: new RegExp(projectName) })).toBeVisible({ timeout: 3_000 });
    }).toPass({ timeout: 120_000 });
    const invoice = invoices.getByRole("row", { name: new RegExp(projectName) });
    await invoice.getByRole("button", { name: /^Get the PDF of BB-/ }).click();
    const pdf = invoice.getByRole("link", { name: /^Download BB-\d+ \(PDF\)$/ });
    await expect(pdf).toBeVisible();
    const pdfUrl = (await pdf.getAttribute("href")) ?? "";
    const body = await (await request.get(pdfUrl)).body();
    expect(body.subarray(0, 5).toString()).toBe("%PDF-");
    await shot(page, testInfo, "invoice");
  } finally {
    crowd?.kill();
    crowd = null;
  }
  expect(errors.filter((error) => !error.includes(DATA_HOST))).toEqual([]);
});
