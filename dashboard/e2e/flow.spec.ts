// The task-flow journey (配置任务流): start over, drag task types and end nodes from the palette onto the canvas,
// connect them, set an answer-based condition, save with a problem first (a branch without an end node) shown on
// the node it names, fix it, save, reload and see the saved flow.
import { expect, test, type Locator, type Page } from "@playwright/test";
import { newEmail, shot, signUpAndIn, watchConsole } from "./support";

/** A project through the dashboard API (a prerequisite, not this journey): its id. */
async function createProject(page: Page, name: string): Promise<string> {
  return page.evaluate(async (projectName) => {
    const session = JSON.parse(localStorage.getItem("bb.session") ?? "{}") as { idToken?: string };
    const response = await fetch("/dashboard/v1/projects", {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${session.idToken}` },
      body: JSON.stringify({
        params: { projectName, type: "image_classification", taskType: "single_choice", question: "Cat?", options: [{ value: "yes" }, { value: "no" }] },
      }),
    });
    const body = (await response.json()) as { code: number; data: { projectId: string }; errorMsg?: string };
    if (body.code !== 0) throw new Error(`createProject: ${body.code} ${body.errorMsg}`);
    return body.data.projectId;
  }, name);
}

/** Drags a palette entry onto the canvas at (x, y) from its top left corner. */
async function dropFromPalette(page: Page, name: string, x: number, y: number) {
  const palette = page.getByRole("complementary", { name: "Task types" });
  await palette.getByRole("button", { name, exact: true }).dragTo(page.getByRole("region", { name: "Flow canvas" }), { targetPosition: { x, y } });
}

const nodeOf = (page: Page, id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);

/** Draws an edge the way a person does: from the source node's right handle to the target node's left one. */
async function connect(page: Page, source: string, target: string) {
  const from = await handleCenter(nodeOf(page, source).locator(".react-flow__handle.source"));
  const to = await handleCenter(nodeOf(page, target).locator(".react-flow__handle.target"));
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 5 });
  await page.mouse.move(to.x, to.y, { steps: 5 });
  await page.mouse.up();
  await expect(page.getByRole("heading", { name: `Edge ${source} → ${target}` })).toBeVisible();
}

async function handleCenter(handle: Locator) {
  const box = (await handle.boundingBox())!;
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

test("a client builds a two-branch flow by dragging, sees a problem on its node, fixes it, saves and reloads", async ({ page, request }, testInfo) => {
  const errors = watchConsole(page);
  await signUpAndIn(page, request, newEmail("flow"));
  const projectId = await createProject(page, `Flow ${Date.now()}`);

  await page.goto(`/projects/${projectId}/flow`);
  await expect(page.getByRole("heading", { name: "Task flow", level: 2 })).toBeVisible();
  // A documented project walks its one-task flow until a flow is saved.
  await expect(page.getByTestId("flow-status")).toHaveText(/Not saved yet/);
  await expect(nodeOf(page, "task")).toBeVisible();
  await shot(page, testInfo, "documented-flow");

  await page.getByRole("button", { name: "Start over" }).click();
  await expect(page.getByRole("heading", { name: "The flow is empty" })).toBeVisible();

  // Drag: a single choice, boxes for the "cat" branch, an end node for the other branch.
  await dropFromPalette(page, "Single choice", 120, 200);
  await expect(nodeOf(page, "single_choice")).toBeVisible();
  await page.getByLabel("Question").fill("Is this a cat or a dog?");
  await page.getByLabel("Options (one per line)").fill("cat\ndog");
  await dropFromPalette(page, "Boxes", 380, 90);
  await expect(nodeOf(page, "rectangle_frame_select")).toBeVisible();
  await page.getByLabel("Labels (one per line)").fill("cat");
  await dropFromPalette(page, "End node", 380, 330);
  await expect(nodeOf(page, "end")).toBeVisible();
  await page.getByLabel("Name").fill("dog");
  await shot(page, testInfo, "nodes-dropped");

  // Connect: "cat" → boxes (an answer-based condition), otherwise → the end.
  await connect(page, "single_choice", "rectangle_frame_select");
  await page.getByLabel("Condition").selectOption("optionChosen");
  await page.getByLabel("Value").selectOption("cat");
  await expect(page.getByTestId("edge-label-single_choice-rectangle_frame_select")).toHaveText("= cat");
  await connect(page, "single_choice", "end");
  await expect(page.getByTestId("edge-label-single_choice-end")).toHaveText("always");
  await shot(page, testInfo, "connected");

  // Save: the boxes branch has no end node yet; the server's problem is shown on that node and listed.
  await page.getByRole("button", { name: "Save" }).click();
  const problems = page.getByRole("alert").filter({ hasText: "Fix these before the flow can be saved" });
  await expect(problems).toContainText("rectangle_frame_select: a task node needs an outgoing edge");
  await expect(nodeOf(page, "rectangle_frame_select")).toContainText("a task node needs an outgoing edge");
  await expect(page.getByTestId("flow-status")).toHaveText(/Unsaved changes/);
  await shot(page, testInfo, "problem-on-node");

  // Fix: an end node after the boxes, then save.
  await dropFromPalette(page, "End node", 640, 90);
  await expect(nodeOf(page, "end_2")).toBeVisible();
  await page.getByLabel("Name").fill("cat with boxes");
  await connect(page, "rectangle_frame_select", "end_2");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Saved as version 1 (2 branches).")).toBeVisible();
  await expect(problems).toHaveCount(0);
  await expect(page.getByTestId("flow-status")).toHaveText("Version 1, 2 branches");
  await shot(page, testInfo, "saved");

  // Reload: the saved flow comes back from the server, laid out as it was drawn.
  await page.reload();
  await expect(page.getByTestId("flow-status")).toHaveText("Version 1, 2 branches");
  for (const id of ["single_choice", "rectangle_frame_select", "end", "end_2"]) await expect(nodeOf(page, id)).toBeVisible();
  await expect(page.getByTestId("edge-label-single_choice-rectangle_frame_select")).toHaveText("= cat");
  await expect(nodeOf(page, "single_choice")).toContainText("Start");
  await shot(page, testInfo, "reloaded");

  // Keyboard: focus a node, select it with Enter, copy and paste it, delete the copy with the Delete key, undo.
  await nodeOf(page, "end_2").focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "End node end_2" })).toBeVisible();
  await page.keyboard.press("Control+c");
  await page.keyboard.press("Control+v");
  await expect(nodeOf(page, "end_3")).toBeVisible();
  await page.keyboard.press("Delete");
  await expect(nodeOf(page, "end_3")).toHaveCount(0);
  await page.keyboard.press("Control+z");
  await expect(nodeOf(page, "end_3")).toBeVisible();
  await expect(page.getByTestId("flow-status")).toHaveText(/Unsaved changes/);
  await shot(page, testInfo, "keyboard-paste");

  // Leaving with unsaved changes asks first.
  await page.getByRole("link", { name: "Upload data" }).click();
  await expect(page.getByRole("dialog")).toContainText("You have unsaved changes");
  await shot(page, testInfo, "leave-warning");
  await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
  await expect(page).toHaveURL(/\/flow$/);

  // A reload keeps the unsaved work (after the browser's own leave warning), and it can be discarded.
  const dialogs: string[] = [];
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.type());
    void dialog.accept();
  });
  await page.reload();
  await expect(page.getByText("Your unsaved changes were restored.")).toBeVisible();
  await expect(nodeOf(page, "end_3")).toBeVisible();
  expect(dialogs).toEqual(["beforeunload"]);
  await shot(page, testInfo, "draft-restored");
  await page.getByRole("button", { name: "Discard changes" }).click();
  await expect(nodeOf(page, "end_3")).toHaveCount(0);
  await expect(page.getByTestId("flow-status")).toHaveText("Version 1, 2 branches");

  // The condition's label selects its edge.
  await page.getByTestId("edge-label-single_choice-rectangle_frame_select").click();
  await expect(page.getByRole("heading", { name: "Edge single_choice → rectangle_frame_select" })).toBeVisible();
  await expect(page.getByLabel("Value")).toHaveValue("cat");

  // Phone width: palette, canvas and panel stack in one column.
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(nodeOf(page, "single_choice")).toBeVisible();
  const canvas = (await page.getByRole("region", { name: "Flow canvas" }).boundingBox())!;
  expect(canvas.width).toBeLessThanOrEqual(390);
  await shot(page, testInfo, "phone");
  expect(errors).toEqual([]);
});
