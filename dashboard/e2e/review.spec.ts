import { spawn, type ChildProcess } from "node:child_process";
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

test("a trial labeled by the crowd is reviewed item by item and accepted, then the payment is confirmed", async ({ page, request, baseURL }, testInfo) => {
  test.setTimeout(260_000);
  const errors = watchConsole(page);
  await signUpAndIn(page, request, newEmail("review"));
  const token = await page.evaluate(() => (JSON.parse(localStorage.getItem("bb.session") ?? "{}") as { idToken: string }).idToken);
  const call = async (path: string, params: object) => {
    const body = await bearer(request, "POST", `/dashboard/v1/${path}`, token, { params });
    expect(body.code, JSON.stringify(body)).toBe(0);
    return body.data;
  };

  // Prerequisites through the API: a project with ten pictures of cats and dogs and its flow, and a saved card.
  const { projectId } = await call("projects", {
    projectName: `review ${Date.now()}`,
    type: "image_classification",
    taskType: "single_choice",
    instruction: "Is it a cat or a dog? Box the cats.",
    question: "Is this a cat or a dog?",
    options: [{ value: "cat" }, { value: "dog" }],
  });
  await call("projects/setFlow", { projectId, template: "classify-then-box" });
  const urls = Array.from({ length: 10 }, (_, n) => `https://${DATA_HOST}/e2e/${n % 2 ? "dog" : "cat"}_${n}.jpg`);
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
    ["-m", "local.simulate", "--url", baseURL!, "--project", projectId, "--user-id", keys.userId, "--secret", keys.keys[0].secretKey, "--annotators", "8", "--timeout", "200"],
    {
      cwd: ROOT,
      env: { ...process.env, PYTHONPATH: ["layers/shared/python", "functions", ".", "sdk"].map((dir) => `${ROOT}/${dir}`).join(":") },
      stdio: "ignore",
    },
  );
  try {
    await expect(page.getByTestId("project-status")).toHaveText("Trial done", { timeout: 200_000 });
    const items = page.getByRole("listitem", { name: /^Item / });
    await expect(items.first()).toBeVisible();
    expect(await items.count()).toBeGreaterThan(0);
    // Each trial item shows its consolidated answer: the class chosen, and the cats' boxes drawn on a canvas.
    await expect(items.first().getByRole("figure")).toContainText(/cat|dog/);
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
  } finally {
    crowd?.kill();
    crowd = null;
  }
  expect(errors.filter((error) => !error.includes(DATA_HOST))).toEqual([]);
});
