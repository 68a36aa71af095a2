import { expect, test } from "@playwright/test";
import { newEmail, shot, signUpAndIn, watchConsole } from "./support";

test("a client sees the balance and ledger, saves a card through Stripe.js, and reads refunds, invoices, disputes", async ({
  page,
  request,
}, testInfo) => {
  const errors = watchConsole(page);
  await signUpAndIn(page, request, newEmail("billing"));

  await page.getByRole("link", { name: "Billing" }).click();
  await expect(page.getByRole("heading", { name: "Billing", level: 1 })).toBeVisible();
  const balance = page.getByTestId("balance");
  await expect(balance).toContainText("Available");
  await expect(balance).toContainText("$0.00");
  await expect(balance).toContainText("In good standing");
  await expect(page.getByRole("heading", { name: /No movements yet/ })).toBeVisible();
  await expect(page.getByText("No refunds yet.")).toBeVisible();
  await expect(page.getByText(/No invoices yet/)).toBeVisible();
  await expect(page.getByText(/No disputes/)).toBeVisible();
  await shot(page, testInfo, "billing-empty");

  // The card: setupCard, then Stripe.js's card element (locally localstripe's stand-in, loaded from the API's port + 2).
  await page.getByRole("button", { name: "Add a card" }).click();
  const card = page.getByRole("group", { name: "Card details" });
  await expect(card.getByPlaceholder("number")).toBeVisible();
  await card.getByPlaceholder("number").fill("4242 4242 4242 4242".replaceAll(" ", ""));
  await card.getByPlaceholder("exp_month").fill("12");
  await card.getByPlaceholder("exp_year").fill("34");
  await card.getByPlaceholder("cvc").fill("123");
  await card.getByPlaceholder("postal_code").fill("10001");
  await shot(page, testInfo, "card-filled");
  await page.getByRole("button", { name: "Save card" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Card saved" })).toContainText("ending in 4242");
  await expect(page.getByRole("group", { name: "Card details" })).toHaveCount(0);
  await shot(page, testInfo, "card-saved");

  // Chinese and a phone's width: the read-only views stay usable.
  await page.getByLabel("Language").selectOption("zh");
  await expect(page.getByRole("heading", { name: "账单", level: 1 })).toBeVisible();
  await expect(page.getByTestId("balance")).toContainText("可用余额");
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, testInfo, "billing-zh-phone");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(1);
  await page.getByLabel("语言").selectOption("en");

  expect(errors).toEqual([]);
});
