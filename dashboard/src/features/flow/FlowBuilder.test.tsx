import { act, cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createMemoryRouter, RouterProvider } from "react-router";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import schema from "../../../../docs/flow.schema.json";
import "../../lib/i18n";
import { ApiError } from "../../lib/api";
import type { FlowData, FlowSchema } from "./api";
import { loadDraft } from "./draft";
import { FlowBuilder, type FlowBuilderProps } from "./FlowBuilder";
import * as M from "./model";

const TEMPLATE: M.Flow = {
  start: "classify",
  nodes: [
    { kind: "task", id: "classify", taskType: "single_choice", instruction: "", question: "Cat or dog?", options: ["cat", "dog"] },
    { kind: "end", id: "done", name: "" },
  ],
  edges: [{ source: "classify", target: "done", condition: { type: "always" } }],
};

type Save = FlowBuilderProps["save"];

function renderBuilder(overrides: Partial<FlowBuilderProps> = {}, save: Save = async () => answer(1, 1)) {
  const saved = M.fromFlow(TEMPLATE);
  const props: FlowBuilderProps = {
    projectId: "P1",
    saved,
    initial: saved,
    restoredDraft: false,
    version: 1,
    branches: 1,
    frozen: false,
    templates: [{ name: "classify-then-box", description: "", flow: TEMPLATE }],
    schema: schema as unknown as FlowSchema,
    save,
    ...overrides,
  };
  const router = createMemoryRouter([{ path: "/", element: <FlowBuilder {...props} /> }]);
  return render(<RouterProvider router={router} />);
}

function answer(version: number, branches: number): FlowData {
  return { projectId: "P1", flowVersion: version, origin: "custom", frozen: false, branches, flow: TEMPLATE };
}

const node = (id: string) => screen.getByTestId(`node-${id}`);
const canvasNodes = () => document.querySelectorAll(".react-flow__node").length;
const selectNode = (id: string) => fireEvent.click(node(id));

beforeEach(() => localStorage.clear());
afterEach(cleanup);

// jsdom measures nothing, so React Flow draws no edges here: edges are checked through the problems list and the
// edge panel; the browser journey (e2e/flow.spec.ts) sees them on the canvas.
describe("the flow builder", { timeout: 30_000 }, () => {
  it("shows the flow's nodes, the start, the saved version and the palette", () => {
    renderBuilder();
    expect(canvasNodes()).toBe(2);
    expect(within(node("classify")).getByText("Start")).toBeTruthy();
    expect(screen.getByTestId("flow-status").textContent).toContain("Version 1, 1 branches");
    expect(screen.getByRole("button", { name: "Polygons" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "End node" })).toBeTruthy();
  });

  it("adds a task by clicking the palette, edits it in the side panel, undoes and redoes", async () => {
    const user = userEvent.setup();
    renderBuilder();
    await user.click(screen.getByRole("button", { name: "Polygons" }));
    expect(canvasNodes()).toBe(3);
    expect(screen.getByRole("heading", { name: "Task polygon" })).toBeTruthy();
    await user.type(screen.getByLabelText("Labels (one per line)"), "car{enter}bus");
    expect((M.findNode(loadDraft("P1")!.graph, "polygon") as M.TaskNode).labels).toEqual(["car", "bus"]);
    expect(screen.getByTestId("flow-status").textContent).toContain("Unsaved changes");
    // One undo takes back the whole run of typing, the next one the node.
    await user.click(screen.getByRole("button", { name: "Undo" }));
    expect((M.findNode(loadDraft("P1")!.graph, "polygon") as M.TaskNode).labels).toEqual([]);
    await user.click(screen.getByRole("button", { name: "Undo" }));
    expect(canvasNodes()).toBe(2);
    expect(loadDraft("P1")).toBeNull();
    await user.click(screen.getByRole("button", { name: "Redo" }));
    expect(canvasNodes()).toBe(3);
  });

  it("adds a task dropped from the palette onto the canvas", () => {
    renderBuilder();
    const data = new Map<string, string>();
    const dataTransfer = { setData: (k: string, v: string) => data.set(k, v), getData: (k: string) => data.get(k) ?? "", effectAllowed: "", dropEffect: "" };
    fireEvent.dragStart(screen.getByRole("button", { name: "Boxes" }), { dataTransfer });
    fireEvent.drop(screen.getByRole("region", { name: "Flow canvas" }), { dataTransfer, clientX: 100, clientY: 100 });
    expect(screen.getByTestId("node-rectangle_frame_select")).toBeTruthy();
  });

  it("copies, pastes, cuts and deletes with the keyboard", async () => {
    renderBuilder();
    selectNode("classify");
    const canvas = screen.getByRole("region", { name: "Flow canvas" });
    fireEvent.keyDown(canvas, { key: "c", ctrlKey: true });
    fireEvent.keyDown(canvas, { key: "v", ctrlKey: true });
    expect(screen.getByTestId("node-classify_2")).toBeTruthy();
    // The pasted copy is selected: cut it, then paste it back.
    expect(screen.getByRole("heading", { name: "Task classify_2" })).toBeTruthy();
    fireEvent.keyDown(canvas, { key: "x", ctrlKey: true });
    expect(screen.queryByTestId("node-classify_2")).toBeNull();
    fireEvent.keyDown(canvas, { key: "v", ctrlKey: true });
    expect(screen.getByTestId("node-classify_2")).toBeTruthy();
    fireEvent.keyDown(canvas, { key: "z", ctrlKey: true });
    expect(screen.queryByTestId("node-classify_2")).toBeNull();
    fireEvent.keyDown(canvas, { key: "z", ctrlKey: true, shiftKey: true });
    expect(screen.getByTestId("node-classify_2")).toBeTruthy();
    expect(screen.getByRole<HTMLButtonElement>("button", { name: "Delete" }).disabled).toBe(true);
    selectNode("classify_2");
    await userEvent.setup().click(screen.getByRole("button", { name: "Delete" }));
    expect(screen.queryByTestId("node-classify_2")).toBeNull();
    expect(canvasNodes()).toBe(2);
  });

  it("offers copy, paste and delete in a context menu", async () => {
    const user = userEvent.setup();
    renderBuilder();
    fireEvent.contextMenu(node("done"));
    const menu = screen.getByRole("menu");
    expect(within(menu).queryByRole("menuitem", { name: "Set as start" })).toBeNull();
    await user.click(within(menu).getByRole("menuitem", { name: "Copy" }));
    fireEvent.contextMenu(node("classify"));
    await user.click(within(screen.getByRole("menu")).getByRole("menuitem", { name: "Paste" }));
    expect(screen.getByTestId("node-done_2")).toBeTruthy();
    fireEvent.contextMenu(node("done_2"));
    await user.click(within(screen.getByRole("menu")).getByRole("menuitem", { name: "Delete" }));
    expect(screen.queryByTestId("node-done_2")).toBeNull();
  });

  it("connects nodes from the panel and edits the edge's answer-based condition", async () => {
    const user = userEvent.setup();
    renderBuilder();
    await user.click(screen.getByRole("button", { name: "End node" }));
    selectNode("classify");
    await user.selectOptions(screen.getByRole("combobox", { name: "Connect to" }), "end");
    await user.click(screen.getByRole("button", { name: "Add edge" }));
    expect(screen.getByRole("heading", { name: "Edge classify → end" })).toBeTruthy();
    await user.selectOptions(screen.getByLabelText("Condition"), "optionChosen");
    expect(screen.getByLabelText<HTMLSelectElement>("Value").value).toBe("cat");
    await user.selectOptions(screen.getByLabelText("Value"), "dog");
    expect(screen.getByText("Tried 2 of 2")).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Try earlier" }));
    expect(screen.getByText("Tried 1 of 2")).toBeTruthy();
    const edges = M.toFlow(loadDraft("P1")!.graph).edges;
    expect(edges[0]).toEqual({ source: "classify", target: "end", condition: { type: "optionChosen", value: "dog" } });
  });

  it("shows setFlow's problems on the node and edge they name, then saves once fixed", async () => {
    const user = userEvent.setup();
    const sent: M.Flow[] = [];
    let refuse = true;
    const save: Save = async (flow) => {
      sent.push(flow);
      if (refuse) {
        throw new ApiError("project update failed", 9, 200, "classify: a choice node needs a question (node-config); edges[0]: always takes no value (condition)");
      }
      return answer(2, 1);
    };
    renderBuilder({}, save);
    await user.click(screen.getByRole("button", { name: "Save" }));
    const list = await screen.findByRole("heading", { name: "Fix these before the flow can be saved" });
    expect(list).toBeTruthy();
    expect(within(node("classify")).getByText(/a choice node needs a question/)).toBeTruthy();
    const problems = screen.getByRole("alert", { name: "Fix these before the flow can be saved" });
    expect(within(problems).getByText("Edge classify → done")).toBeTruthy();
    await user.click(within(problems).getAllByRole("button", { name: "Show" })[1]);
    expect(screen.getByRole("heading", { name: "Edge classify → done" })).toBeTruthy();
    expect(screen.getByLabelText("Condition").getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByText("always takes no value")).toBeTruthy(); // the condition field's inline error
    selectNode("classify");
    expect(within(screen.getByRole("heading", { name: "Task classify" }).closest("section")!).getByText("a choice node needs a question")).toBeTruthy();
    refuse = false;
    await user.type(screen.getByLabelText("Instruction"), "Look");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText("Saved as version 2 (1 branches).")).toBeTruthy();
    expect(screen.queryByRole("heading", { name: "Fix these before the flow can be saved" })).toBeNull();
    expect(sent[1].nodes[0]).toMatchObject({ id: "classify", instruction: "Look" });
    expect(loadDraft("P1")).toBeNull();
  });

  it("turns read-only when the server says the project is open (code 28)", async () => {
    const user = userEvent.setup();
    renderBuilder({}, async () => {
      throw new ApiError("the project is opened: it can no longer be modified", 28, 200);
    });
    await user.click(screen.getByRole("button", { name: "Polygons" }));
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText(/can no longer change/)).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Save" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Polygons" })).toBeNull();
  });

  it("a frozen flow opens read-only, its panel disabled", () => {
    renderBuilder({ frozen: true });
    expect(screen.queryByRole("button", { name: "Save" })).toBeNull();
    selectNode("classify");
    expect(screen.getByLabelText<HTMLTextAreaElement>("Instruction").closest("fieldset")!.disabled).toBe(true);
  });

  it("restores a draft and can discard it", async () => {
    const user = userEvent.setup();
    const saved = M.fromFlow(TEMPLATE);
    const draft = M.addEnd(saved, { x: 0, y: 0 }).graph;
    renderBuilder({ initial: draft, restoredDraft: true });
    expect(screen.getByText("Your unsaved changes were restored.")).toBeTruthy();
    expect(canvasNodes()).toBe(3);
    await user.click(screen.getByRole("button", { name: "Discard changes" }));
    expect(canvasNodes()).toBe(2);
  });

  it("starts over from an empty canvas and loads a template", async () => {
    const user = userEvent.setup();
    renderBuilder();
    await user.click(screen.getByRole("button", { name: "Start over" }));
    expect(canvasNodes()).toBe(0);
    expect(screen.getByRole("heading", { name: "The flow is empty" })).toBeTruthy();
    await user.selectOptions(screen.getByLabelText("Template"), "classify-then-box");
    await act(async () => user.click(screen.getByRole("button", { name: "Use template" })));
    expect(canvasNodes()).toBe(2);
  });
});
