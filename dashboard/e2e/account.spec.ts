import { expect, test } from "@playwright/test";
import { newEmail, shot, signUpAndIn, watchConsole } from "./support";

test("a client signs up, verifies, reads and rotates the API secret, and the language is remembered", async ({
  page,
  request,
}, testInfo) => {
  const errors = watchConsole(page);
  const email = newEmail("keys");
  await signUpAndIn(page, request, email);
  await shot(page, testInfo, "signed-in");

  await page.getByRole("link", { name: "API keys" }).click();
  await expect(page.getByRole("heading", { name: "API keys" })).toBeVisible();
  const userId = await page.getByTestId("user-id").textContent();
  expect(userId).toMatch(/^U_[0-9A-F]{32}$/);
  const secret = page.getByLabel("Secret key").first();
  await expect(secret).not.toContainText("test_");
  await page.getByRole("button", { name: "Reveal secret" }).first().click();
  const revealed = (await secret.textContent()) ?? "";
  expect(revealed.length).toBeGreaterThan(20);
  await shot(page, testInfo, "api-key-revealed");

  await page.getByRole("button", { name: "Rotate keys" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Rotate keys" }).click();
  await expect(page.getByText("A new secret was created.")).toBeVisible();
  await expect(page.getByLabel("Secret key")).toHaveCount(2);

  // Chinese, remembered on the account: a new browser context signs in and opens in Chinese.
  await page.getByLabel("Language").selectOption("zh");
  await expect(page.getByRole("heading", { name: "API 密钥" })).toBeVisible();
  await shot(page, testInfo, "api-keys-zh");
  const other = await page.context().browser()!.newContext();
  const second = await other.newPage();
  await second.goto("/signin");
  await second.getByLabel("E-mail").fill(email);
  await second.getByLabel("Password").fill("Journey-pass-1");
  await second.getByRole("button", { name: "Sign in" }).click();
  await expect(second.getByRole("button", { name: "退出登录" })).toBeVisible();
  await other.close();
  expect(errors).toEqual([]);
});

test("a wrong password is answered inline and nothing else changes", async ({ page }) => {
  await page.goto("/signin");
  await page.getByLabel("E-mail").fill("nobody@example.com");
  await page.getByLabel("Password").fill("wrong-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toBeVisible();
  await expect(page).toHaveURL(/\/signin/);
});
