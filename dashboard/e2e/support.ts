// What every journey needs: a fresh account signed up the way a person does it (the code from the local outbox),
// the demo operator, and a screenshot of each step kept under test-results/.
import { expect, type APIRequestContext, type Page, type TestInfo } from "@playwright/test";

export const OPERATOR = { email: "operator@bytebridge.local", password: "Operator-demo-1" };
export const PASSWORD = "Journey-pass-1";

export function newEmail(tag: string): string {
  return `${tag}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
}

export async function verificationCode(request: APIRequestContext, email: string): Promise<string> {
  for (let attempt = 0; attempt < 40; attempt++) {
    const mails = (await (await request.get(`/local/outbox?to=${encodeURIComponent(email)}`)).json()) as {
      subject?: string;
      body?: string;
      text?: string;
    }[];
    for (const mail of mails) {
      const text = `${mail.subject ?? ""} ${mail.body ?? ""} ${mail.text ?? ""} ${JSON.stringify(mail)}`;
      const match = /\b(\d{6})\b/.exec(text);
      if (match) return match[1];
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`no verification mail for ${email}`);
}

let step = 0;
export async function shot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  step += 1;
  await page.screenshot({ path: testInfo.outputPath(`${String(step).padStart(2, "0")}-${name}.png`), fullPage: true });
}

/** Sign up through the screens, verify with the mailed code, sign in: the projects page is shown. */
export async function signUpAndIn(page: Page, request: APIRequestContext, email: string): Promise<void> {
  await page.goto("/signup");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page).toHaveURL(/\/verify/);
  await page.getByLabel("Verification code").fill(await verificationCode(request, email));
  await page.getByRole("button", { name: "Verify", exact: true }).click();
  await expect(page).toHaveURL(/\/signin/);
  await signIn(page, email, PASSWORD);
}

export async function signIn(page: Page, email: string, password: string): Promise<void> {
  if (!page.url().includes("/signin")) await page.goto("/signin");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
}

/** Fails the test on any console error or uncaught exception of the page (the quality bar: no console errors). */
export function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (message) => {
    // the resource's address too: "Failed to load resource" alone does not say which
    if (message.type() === "error") errors.push(`${message.text()} ${message.location().url}`);
  });
  page.on("pageerror", (error) => errors.push(error.message));
  return errors;
}
