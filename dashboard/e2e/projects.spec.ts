// The projects journey: create (a server validation error inline first), upload by drag and drop and by the file
// picker, paste links, clone, delete the clone, write to the project manager (and see the reply's unread badge),
// read the progress counts.
import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { deflateSync } from "node:zlib";
import { expect, test, type Page } from "@playwright/test";
import { newEmail, OPERATOR, shot, signUpAndIn, watchConsole } from "./support";

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}
/** A real 16×16 PNG of one colour (distinct bytes per file, so each is its own picture). */
function png(seed: number): Buffer {
  const size = 16;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: size }, () => [seed * 40, 255 - seed * 30, 90]).flat())]);
  const pixels = Buffer.concat(Array.from({ length: size }, () => row));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", header), chunk("IDAT", deflateSync(pixels)), chunk("IEND", Buffer.alloc(0))]);
}

/** Drops files on the drop zone the way a browser does: a drop event carrying a DataTransfer with the files. */
async function dropFiles(page: Page, files: { name: string; bytes: Buffer }[]) {
  const data = await page.evaluateHandle((list) => {
    const transfer = new DataTransfer();
    for (const { name, base64 } of list) {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      transfer.items.add(new File([bytes], name, { type: "image/png" }));
    }
    return transfer;
  }, files.map(({ name, bytes }) => ({ name, base64: bytes.toString("base64") })));
  const zone = page.getByTestId("dropzone");
  await zone.dispatchEvent("dragover", { dataTransfer: data });
  await zone.dispatchEvent("drop", { dataTransfer: data });
}

test("a client creates a project, uploads, adds links, clones, deletes the clone, talks to the PM, reads progress", async ({ page, request }, testInfo) => {
  const errors = watchConsole(page);
  await signUpAndIn(page, request, newEmail("projects"));
  await expect(page.getByRole("heading", { name: "No projects yet" })).toBeVisible();
  await shot(page, testInfo, "projects-empty");

  // Create Project: the server refuses a classification project without its question, and says so on the field.
  await page.getByRole("link", { name: "Create your first project" }).click();
  await page.getByLabel("Project name").fill("Cats and dogs");
  await page.getByRole("textbox", { name: "Option 1" }).fill("cat");
  await page.getByRole("textbox", { name: "Option 2" }).fill("dog");
  await page.getByRole("button", { name: "Add an option" }).click();
  await page.getByRole("textbox", { name: "Option 3" }).fill("neither");
  await page.getByRole("button", { name: "Remove option 3" }).click();
  await page.getByRole("button", { name: "Create project" }).click();
  const question = page.getByLabel("Question");
  await expect(question).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByRole("alert")).toContainText("question is required");
  await shot(page, testInfo, "create-inline-error");
  await question.fill("Is it a cat or a dog?");
  await page.getByRole("button", { name: "Create project" }).click();
  await expect(page).toHaveURL(/\/projects\/[^/]+\/upload$/);
  const projectId = /\/projects\/([^/]+)\/upload/.exec(page.url())![1];
  await expect(page.getByRole("heading", { name: "Cats and dogs" })).toBeVisible();
  await shot(page, testInfo, "created-upload-tab");

  // Six pictures: three dropped, three through the file picker; each sent to its presigned link, then counted.
  await dropFiles(page, [1, 2, 3].map((n) => ({ name: `cat_${n}.png`, bytes: png(n) })));
  await page.getByLabel("Choose files").setInputFiles([1, 2, 3].map((n) => ({ name: `dog_${n}.png`, mimeType: "image/png", buffer: png(n + 3) })));
  await expect(page.getByTestId("upload-summary")).toContainText("Added 6", { timeout: 30_000 });
  await expect(page.getByRole("progressbar", { name: /6 of 6 files added/ })).toBeVisible();
  await expect(page.getByTestId("item-count")).toHaveText("6 items in this project");
  await shot(page, testInfo, "six-files-uploaded");

  // A folder through the folder picker (webkitdirectory): its files are named by their path inside it.
  const folder = testInfo.outputPath("more-pets");
  mkdirSync(folder, { recursive: true });
  writeFileSync(`${folder}/cat_9.png`, png(5));
  writeFileSync(`${folder}/dog_9.png`, png(6));
  await page.getByLabel("Choose a folder").setInputFiles(folder);
  await expect(page.getByTestId("upload-summary")).toContainText("Added 8", { timeout: 30_000 });
  await expect(page.getByRole("list", { name: "Files being uploaded" })).toContainText("more-pets/cat_9.png");
  await expect(page.getByTestId("item-count")).toHaveText("8 items in this project");

  // Two links pasted.
  await page.getByLabel("Links to the files, one per line").fill("https://example.com/photos/cat_7.jpg\nhttps://example.com/photos/dog_8.jpg");
  await page.getByRole("button", { name: "Add 2 links" }).click();
  await expect(page.getByText("2 links added, 0 already in the project.")).toBeVisible();
  await expect(page.getByTestId("item-count")).toHaveText("10 items in this project");
  await shot(page, testInfo, "links-added");

  // Clone, then delete the clone from the list.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Projects" }).click();
  const row = page.getByRole("row", { name: /Cats and dogs/ });
  await expect(row).toContainText("0 / 10");
  await shot(page, testInfo, "projects-list");
  await page.getByRole("button", { name: "Clone Cats and dogs" }).click();
  const cloneDialog = page.getByRole("dialog");
  await expect(cloneDialog.getByLabel("Name of the copy")).toHaveValue("Cats and dogs (copy)");
  await cloneDialog.getByRole("button", { name: "Clone project" }).click();
  await expect(page).toHaveURL(/\/projects\/[^/]+\/upload$/);
  expect(page.url()).not.toContain(projectId);
  await expect(page.getByRole("heading", { name: "Cats and dogs (copy)" })).toBeVisible();
  await expect(page.getByTestId("item-count")).toHaveText("0 items in this project");
  await shot(page, testInfo, "cloned");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Projects" }).click();
  await page.getByRole("button", { name: "Delete Cats and dogs (copy)" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
  await expect(page.getByText("The project was deleted.")).toBeVisible();
  await expect(page.getByRole("row", { name: /Cats and dogs \(copy\)/ })).toHaveCount(0);
  await expect(page.getByRole("row", { name: /Cats and dogs/ })).toHaveCount(1);
  await shot(page, testInfo, "clone-deleted");

  // Opening a draft lands on its upload tab; its settings take setProject's answer.
  await page.getByRole("link", { name: "Cats and dogs" }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${projectId}/upload$`));
  await page.getByRole("navigation", { name: "Project sections" }).getByRole("link", { name: "Settings" }).click();
  await expect(page.getByLabel("Question")).toHaveValue("Is it a cat or a dog?");
  await page.getByLabel("Instruction for annotators").fill("Pick the animal in the picture.");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByText("Settings saved.")).toBeVisible();
  await shot(page, testInfo, "settings-saved");

  // A message to the project manager; the PM's answer shows as unread on the tab until read.
  await page.getByRole("navigation", { name: "Project sections" }).getByRole("link", { name: "Messages" }).click();
  await expect(page.getByRole("heading", { name: "No messages yet" })).toBeVisible();
  await page.getByLabel("Write a message").fill("Hello, are 16-pixel pictures fine for the trial?");
  await page.getByRole("button", { name: "Send message" }).click();
  await expect(page.getByRole("list", { name: "Messages, oldest first" })).toContainText("are 16-pixel pictures fine");
  await shot(page, testInfo, "message-sent");
  const operator = (await (await request.post("/auth/v1/signIn", { data: OPERATOR })).json()) as { idToken: string };
  const reply = await request.post(`/operator/v1/projects/${projectId}/messages`, {
    headers: { Authorization: `Bearer ${operator.idToken}` },
    data: { text: "Yes: they are fine." },
  });
  expect(reply.ok()).toBeTruthy();
  await page.getByRole("navigation", { name: "Project sections" }).getByRole("link", { name: "Progress" }).click();
  await page.reload();
  await expect(page.getByTestId("unread-badge")).toHaveText("1");
  await shot(page, testInfo, "unread-badge");

  // The progress tab's counts: ten items, none started while a draft; readable at phone width too.
  await expect(page.getByTestId("total")).toHaveText("0 of 10 items finished");
  await expect(page.getByTestId("count-done")).toContainText("0");
  await expect(page.getByRole("group", { name: "Items by state" })).toBeVisible();
  await shot(page, testInfo, "progress");
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByTestId("count-notStarted")).toBeVisible();
  await shot(page, testInfo, "progress-phone");
  await page.setViewportSize({ width: 1280, height: 800 });

  await page.getByRole("navigation", { name: "Project sections" }).getByRole("link", { name: "Messages" }).click();
  await expect(page.getByRole("list", { name: "Messages, oldest first" })).toContainText("Yes: they are fine.");
  await expect(page.getByTestId("unread-badge")).toHaveCount(0);
  await shot(page, testInfo, "message-read");
  expect(errors).toEqual([]);
});

test("a client imports a bucket from S3 and from GCS, with the server's messages on the fields and the job's progress", async ({ page, request }, testInfo) => {
  const errors = watchConsole(page);
  for (const store of ["s3", "gcs"]) {
    const bucket = await request.post("/local/client-bucket", { data: { store, bucket: "client-photos", count: 5 } });
    expect(bucket.ok()).toBeTruthy();
  }
  await signUpAndIn(page, request, newEmail("imports"));
  await page.getByRole("link", { name: "Create your first project" }).click();
  await page.getByLabel("Project name").fill("Bucket photos");
  await page.getByLabel("Question").fill("Cat or dog?");
  await page.getByRole("textbox", { name: "Option 1" }).fill("cat");
  await page.getByRole("textbox", { name: "Option 2" }).fill("dog");
  await page.getByRole("button", { name: "Create project" }).click();
  await expect(page).toHaveURL(/\/upload$/);

  const s3 = page.getByRole("region", { name: "Import from AWS S3" });
  await s3.getByLabel("S3 bucket name").fill("client-photos");
  await s3.getByLabel("Region").fill("us-east-1");
  await s3.getByLabel("Access key ID").fill("short");
  await s3.getByLabel("Secret access key").fill("any-secret");
  await s3.getByRole("button", { name: "Import from S3" }).click();
  await expect(s3.getByLabel("Access key ID")).toHaveAttribute("aria-invalid", "true");
  await expect(s3.getByRole("alert")).toHaveText("String should have at least 16 characters");
  await shot(page, testInfo, "s3-inline-error");
  await s3.getByLabel("Access key ID").fill("AKIAIOSFODNN7EXAMPLE");
  await s3.getByLabel("Secret access key").fill("any-secret");
  await s3.getByRole("button", { name: "Import from S3" }).click();
  const jobs = page.getByTestId("import-job");
  await expect(jobs.filter({ hasText: "s3://client-photos" })).toContainText("Done", { timeout: 30_000 });
  await expect(jobs.filter({ hasText: "s3://client-photos" })).toContainText("Listed 5: added 5");
  await shot(page, testInfo, "s3-import-done");

  const gcs = page.getByRole("region", { name: "Import from Google Cloud Storage" });
  await gcs.getByLabel("GCS bucket name").fill("client-photos");
  await gcs.getByLabel("Service-account key file (JSON)").fill("{}");
  await gcs.getByRole("button", { name: "Import from GCS" }).click();
  await expect(gcs.getByLabel("Service-account key file (JSON)")).toHaveAttribute("aria-invalid", "true");
  await expect(gcs.getByRole("alert")).toContainText("not a service-account key file");
  await shot(page, testInfo, "gcs-inline-error");
  // A key file of the kind Google's console downloads (the emulator takes any key; it signs the links).
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const keyFile = {
    type: "service_account",
    project_id: "client-project",
    private_key_id: "k1",
    private_key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    client_email: "reader@client-project.iam.gserviceaccount.com",
    client_id: "1",
    token_uri: "https://oauth2.googleapis.com/token",
  };
  await gcs.getByLabel("Choose the key file").setInputFiles({ name: "key.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(keyFile)) });
  await expect(gcs.getByLabel("Service-account key file (JSON)")).toHaveValue(/service_account/);
  await gcs.getByRole("button", { name: "Import from GCS" }).click();
  await expect(jobs.filter({ hasText: "gs://client-photos" })).toContainText("Done", { timeout: 30_000 });
  await expect(jobs.filter({ hasText: "gs://client-photos" })).toContainText("added 5");
  await expect(page.getByTestId("item-count")).toHaveText("10 items in this project");
  await shot(page, testInfo, "gcs-import-done");
  expect(errors).toEqual([]);
});
