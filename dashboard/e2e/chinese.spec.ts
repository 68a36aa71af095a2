import { expect, test } from "@playwright/test";
import { newEmail, OPERATOR, PASSWORD, shot, verificationCode, watchConsole } from "./support";

// The first steps of the seed's journey once in Chinese, as a Chinese-speaking client reads them: sign-up, a
// project, its data, its flow from a template, the submission, and the operator's approval seen on the review tab.
test("中文：注册、创建项目、上传数据、配置任务流、提交审核", async ({ page, request }, testInfo) => {
  const errors = watchConsole(page);
  const email = newEmail("zh");
  await page.goto("/signup");
  await page.getByLabel("Language").selectOption("zh");
  await expect(page.getByRole("heading", { name: "注册账号" })).toBeVisible();
  await page.getByLabel("邮箱").fill(email);
  await page.getByLabel("密码").fill(PASSWORD);
  await page.getByRole("button", { name: "注册" }).click();
  await page.getByLabel("验证码").fill(await verificationCode(request, email));
  await page.getByRole("button", { name: "验证", exact: true }).click();
  await expect(page.getByText("邮箱已验证，请登录。")).toBeVisible();
  await page.getByLabel("密码").fill(PASSWORD);
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page.getByRole("button", { name: "退出登录" })).toBeVisible();
  await shot(page, testInfo, "zh-signed-in");

  await page.getByRole("link", { name: "创建您的第一个项目" }).click();
  await page.getByLabel("项目名称").fill("猫狗分类");
  await page.getByLabel("问题", { exact: true }).fill("这是猫还是狗？");
  await page.getByRole("textbox", { name: "选项 1" }).fill("cat");
  await page.getByRole("textbox", { name: "选项 2" }).fill("dog");
  await page.getByRole("button", { name: "创建项目" }).click();
  await expect(page.getByRole("heading", { name: "猫狗分类" })).toBeVisible();
  await expect(page.getByTestId("project-status")).toHaveText("草稿");
  const projectId = /\/projects\/([^/]+)/.exec(page.url())![1];

  await page.getByRole("link", { name: "上传数据", exact: true }).click();
  const png = Buffer.from(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
    "base64",
  );
  await page.getByLabel("选择文件", { exact: true }).setInputFiles(
    [1, 2, 3].map((n) => ({ name: `cat_${n}.png`, mimeType: "image/png", buffer: png })),
  );
  await expect(page.getByRole("progressbar", { name: /已添加 3 \/ 3 个文件/ })).toBeVisible({ timeout: 60_000 });
  await shot(page, testInfo, "zh-uploaded");

  await page.getByRole("link", { name: "任务流", exact: true }).click();
  await page.getByRole("toolbar").getByRole("combobox").first().selectOption({ index: 1 });
  await page.getByRole("button", { name: "使用模板" }).click();
  await page.getByRole("button", { name: "保存", exact: true }).click();
  await expect(page.getByText(/已保存为第 \d+ 版/)).toBeVisible();
  await shot(page, testInfo, "zh-flow-saved");

  await page.getByRole("link", { name: "审核与试标", exact: true }).click();
  // Without a saved card the server refuses the submission, and the page says so.
  await page.getByRole("button", { name: "提交审核" }).click();
  await expect(page.getByRole("alert")).toContainText("credit card");
  const idToken = await page.evaluate(() => (JSON.parse(localStorage.getItem("bb.session") ?? "{}") as { idToken: string }).idToken);
  const keys = await (await request.get("/account/v1/apiKeys", { headers: { Authorization: `Bearer ${idToken}` } })).json();
  expect((await request.post("/local/cards", { data: { userId: keys.userId, card: "pm_card_visa" } })).ok()).toBeTruthy();
  await page.getByRole("button", { name: "提交审核" }).click();
  await expect(page.getByText("运营人员正在审核项目。试标开始时您会收到邮件。")).toBeVisible();
  await expect(page.getByTestId("project-status")).toHaveText("审核中");
  const signedIn = await request.post("/auth/v1/signIn", { data: OPERATOR });
  const token = ((await signedIn.json()) as { idToken: string }).idToken;
  const approved = await request.post(`/operator/v1/reviews/${projectId}/approve`, {
    headers: { Authorization: `Bearer ${token}` },
    data: { trialSize: 2 },
  });
  expect(approved.ok()).toBeTruthy();
  await page.reload();
  await expect(page.getByTestId("project-status")).toHaveText(/试标中|试标完成/);
  await shot(page, testInfo, "zh-trial");

  // Dates and money in the Chinese locale.
  await page.getByRole("navigation", { name: "主导航" }).getByRole("link", { name: "账单" }).click();
  await expect(page.getByText(/US\$|\$/).first()).toBeVisible();
  await shot(page, testInfo, "zh-billing");
  expect(errors).toEqual([]);
});
