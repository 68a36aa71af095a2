import { describe, expect, it } from "vitest";
import * as M from "./model";

// The documented classify-then-box template (docs/flows.md), as the server returns it.
const CLASSIFY: M.Flow = {
  start: "classify",
  nodes: [
    { kind: "task", id: "classify", taskType: "single_choice", instruction: "", question: "Is this a cat or a dog?", options: ["cat", "dog"], labels: [] },
    { kind: "task", id: "box", taskType: "rectangle_frame_select", instruction: "Draw a tight box around every cat.", options: [], labels: ["cat"] },
    { kind: "end", id: "boxed", name: "cat with boxes" },
    { kind: "end", id: "other", name: "dog" },
  ],
  edges: [
    { source: "classify", target: "box", condition: { type: "optionChosen", value: "cat" } },
    { source: "classify", target: "other", condition: { type: "always" } },
    { source: "box", target: "boxed", condition: { type: "always" } },
  ],
};

const at = (x: number, y: number) => ({ x, y });

function twoBranches() {
  let graph = M.emptyGraph();
  const choice = M.addTask(graph, "single_choice", at(0, 0));
  graph = M.updateTask(choice.graph, choice.id, { question: "cat?", options: ["yes", "no"] });
  const yes = M.addEnd(graph, at(300, 0));
  const no = M.addEnd(yes.graph, at(300, 150));
  graph = M.connect(no.graph, choice.id, yes.id, { type: "optionChosen", value: "yes" }).graph;
  graph = M.connect(graph, choice.id, no.id).graph;
  return { graph, choice: choice.id, yes: yes.id, no: no.id };
}

describe("to and from the server's flow JSON", () => {
  it("round-trips a template unchanged, edges in order", () => {
    const graph = M.fromFlow(CLASSIFY);
    expect(M.toFlow(graph)).toEqual(CLASSIFY);
    expect(graph.edges.map((edge) => edge.id)).toEqual(["e1", "e2", "e3"]);
  });

  it("lays nodes out in columns by distance from the start, unless positions are known", () => {
    const graph = M.fromFlow(CLASSIFY);
    expect(graph.positions.classify.x).toBeLessThan(graph.positions.box.x);
    expect(graph.positions.box.x).toBe(graph.positions.other.x);
    expect(graph.positions.box.y).not.toBe(graph.positions.other.y);
    expect(graph.positions.box.x).toBeLessThan(graph.positions.boxed.x);
    const kept = M.fromFlow(CLASSIFY, { box: at(7, 9) });
    expect(kept.positions.box).toEqual(at(7, 9));
  });

  it("puts nodes no edge reaches in a last column and defaults a missing condition to always", () => {
    const flow: M.Flow = {
      start: "a",
      nodes: [
        { kind: "task", id: "a", taskType: "transcription", instruction: "" },
        { kind: "end", id: "z", name: "" },
        { kind: "end", id: "lonely", name: "" },
      ],
      edges: [{ source: "a", target: "z" }],
    };
    const graph = M.fromFlow(flow);
    expect(graph.positions.lonely.x).toBeGreaterThan(graph.positions.z.x);
    expect(graph.edges[0].condition).toEqual({ type: "always" });
    expect(M.toFlow(graph).edges[0]).toEqual({ source: "a", target: "z", condition: { type: "always" } });
  });

  it("writes conditions without empty fields and maxTraversals only when set", () => {
    let graph = M.fromFlow(CLASSIFY);
    graph = M.updateEdge(graph, "e2", { condition: { type: "always", value: "", op: null, count: null }, maxTraversals: null });
    graph = M.updateEdge(graph, "e3", { maxTraversals: 2 });
    const flow = M.toFlow(graph);
    expect(flow.edges[1]).toEqual({ source: "classify", target: "other", condition: { type: "always" } });
    expect(flow.edges[2].maxTraversals).toBe(2);
  });

  it("an empty graph saves with no start (the server says what is missing)", () => {
    expect(M.toFlow(M.emptyGraph())).toEqual({ start: "", nodes: [], edges: [] });
  });

  it("sameFlow ignores positions but not content", () => {
    const graph = M.fromFlow(CLASSIFY);
    expect(M.sameFlow(graph, M.moveNodes(graph, { box: at(999, 999) }))).toBe(true);
    expect(M.sameFlow(graph, M.updateEnd(graph, "other", "dogs"))).toBe(false);
  });
});

describe("adding nodes", () => {
  it("the first task becomes the start; ids are free and derived from the type", () => {
    let graph = M.emptyGraph();
    const first = M.addTask(graph, "polygon", at(1, 2));
    graph = first.graph;
    expect(first.id).toBe("polygon");
    expect(graph.start).toBe("polygon");
    expect(graph.positions.polygon).toEqual(at(1, 2));
    const second = M.addTask(graph, "polygon", at(0, 0));
    expect(second.id).toBe("polygon_2");
    expect(second.graph.start).toBe("polygon");
    expect(M.addTask(second.graph, "polygon", at(0, 0)).id).toBe("polygon_3");
  });

  it("an end node added first does not become the start", () => {
    const { graph, id } = M.addEnd(M.emptyGraph(), at(0, 0));
    expect(id).toBe("end");
    expect(graph.start).toBeNull();
    expect(M.addEnd(graph, at(0, 0)).id).toBe("end_2");
  });

  it("new task nodes carry the list their type uses", () => {
    expect(M.newTaskNode("a", "single_choice")).toEqual({ kind: "task", id: "a", taskType: "single_choice", instruction: "", question: "", options: [] });
    expect(M.newTaskNode("b", "rectangle_frame_select")).toEqual({ kind: "task", id: "b", taskType: "rectangle_frame_select", instruction: "", labels: [] });
    expect(M.newTaskNode("c", "transcription")).toEqual({ kind: "task", id: "c", taskType: "transcription", instruction: "" });
    expect(M.categoryField("multiple_choice")).toBe("options");
    expect(M.categoryField("audio_segments")).toBe("labels");
  });

  it("freeId keeps ids within 40 characters and skips taken ones", () => {
    const graph = M.fromFlow(CLASSIFY);
    expect(M.freeId(graph, "box")).toBe("box_2");
    expect(M.freeId(graph, "box_2")).toBe("box_2");
    expect(M.freeId(graph, "box", new Set(["box_2"]))).toBe("box_3");
    expect(M.freeId(graph, "9bad")).toBe("node");
    expect(M.freeId(graph, "x".repeat(60)).length).toBeLessThanOrEqual(40);
  });
});

describe("deleting", () => {
  it("removes nodes with their edges, and moves the start", () => {
    const graph = M.remove(M.fromFlow(CLASSIFY), ["classify"]);
    expect(graph.nodes.map((node) => node.id)).toEqual(["box", "boxed", "other"]);
    expect(graph.edges.map((edge) => edge.id)).toEqual(["e3"]);
    expect(graph.start).toBe("box");
    expect(graph.positions.classify).toBeUndefined();
  });

  it("removes edges alone, and nothing when nothing is named", () => {
    const graph = M.fromFlow(CLASSIFY);
    expect(M.remove(graph, [], ["e2"]).edges.map((edge) => edge.id)).toEqual(["e1", "e3"]);
    expect(M.remove(graph, [])).toBe(graph);
  });

  it("the start is null when no task node is left", () => {
    expect(M.remove(M.fromFlow(CLASSIFY), ["classify", "box"]).start).toBeNull();
  });
});

describe("copy, cut and paste", () => {
  it("copies the chosen nodes and only the edges between them", () => {
    const clip = M.copy(M.fromFlow(CLASSIFY), ["classify", "box"]);
    expect(clip.nodes.map((node) => node.id)).toEqual(["classify", "box"]);
    expect(clip.edges.map((edge) => [edge.source, edge.target])).toEqual([["classify", "box"]]);
  });

  it("a copy is independent of later edits", () => {
    let graph = M.fromFlow(CLASSIFY);
    const clip = M.copy(graph, ["classify"]);
    graph = M.updateTask(graph, "classify", { question: "changed" });
    expect((clip.nodes[0] as M.TaskNode).question).toBe("Is this a cat or a dog?");
  });

  it("pastes under fresh ids, offset, with the inner edges renamed", () => {
    const graph = M.fromFlow(CLASSIFY);
    const { graph: pasted, ids } = M.paste(graph, M.copy(graph, ["classify", "box"]), at(10, 20));
    expect(ids).toEqual(["classify_2", "box_2"]);
    expect(pasted.nodes).toHaveLength(6);
    expect(pasted.positions.classify_2).toEqual({ x: graph.positions.classify.x + 10, y: graph.positions.classify.y + 20 });
    const added = pasted.edges.slice(3);
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ id: "e4", source: "classify_2", target: "box_2", condition: { type: "optionChosen", value: "cat" } });
    expect(pasted.start).toBe("classify");
    // Pasting twice gives other ids again.
    expect(M.paste(pasted, M.copy(graph, ["classify"]), at(0, 0)).ids).toEqual(["classify_3"]);
  });

  it("pasting into an empty graph makes the first pasted task the start", () => {
    const clip = M.copy(M.fromFlow(CLASSIFY), ["boxed", "box"]);
    const { graph, ids } = M.paste(M.emptyGraph(), clip, at(0, 0));
    expect(ids).toEqual(["box", "boxed"]);
    expect(graph.start).toBe("box");
  });

  it("cut removes what it copies; pasting it back restores the same flow", () => {
    const original = M.fromFlow(CLASSIFY);
    const { graph, clipboard } = M.cut(original, ["box", "boxed"]);
    expect(graph.nodes.map((node) => node.id)).toEqual(["classify", "other"]);
    expect(graph.edges.map((edge) => edge.id)).toEqual(["e2"]);
    const back = M.paste(graph, clipboard, at(0, 0));
    expect(back.ids).toEqual(["box", "boxed"]);
    expect(back.graph.edges.at(-1)).toMatchObject({ source: "box", target: "boxed" });
  });
});

describe("connecting", () => {
  it("adds an always edge by default, with a fresh id", () => {
    const { graph, choice, yes, no } = twoBranches();
    expect(graph.edges).toEqual([
      { id: "e1", source: choice, target: yes, condition: { type: "optionChosen", value: "yes" } },
      { id: "e2", source: choice, target: no, condition: { type: "always" } },
    ]);
    const again = M.connect(graph, choice, yes);
    expect(again.id).toBe("e3");
  });

  it("refuses edges out of end nodes and to unknown nodes", () => {
    const { graph, choice, yes } = twoBranches();
    expect(M.connect(graph, yes, choice)).toEqual({ graph, id: null });
    expect(M.connect(graph, choice, "nowhere")).toEqual({ graph, id: null });
    expect(M.connect(graph, "nowhere", yes)).toEqual({ graph, id: null });
  });

  it("reorders a node's edges among themselves only", () => {
    let graph = M.fromFlow(CLASSIFY);
    graph = M.connect(graph, "classify", "boxed").graph; // e4, after box's e3
    graph = M.reorderEdge(graph, "e4", -1);
    expect(graph.edges.map((edge) => edge.id)).toEqual(["e1", "e4", "e3", "e2"]);
    expect(M.edgesFrom(graph, "classify").map((edge) => edge.id)).toEqual(["e1", "e4", "e2"]);
    expect(M.reorderEdge(graph, "e1", -1)).toBe(graph);
    expect(M.reorderEdge(graph, "e3", 1)).toBe(graph);
    expect(M.reorderEdge(graph, "nope", 1)).toBe(graph);
    expect(M.reorderEdge(graph, "e1", 1).edges.map((edge) => edge.id)).toEqual(["e4", "e1", "e3", "e2"]);
  });

  it("updates an edge's condition", () => {
    const graph = M.updateEdge(M.fromFlow(CLASSIFY), "e1", { condition: { type: "optionChosen", value: "dog" } });
    expect(M.toFlow(graph).edges[0].condition).toEqual({ type: "optionChosen", value: "dog" });
  });
});

describe("editing nodes", () => {
  it("patches a task node and leaves end nodes alone", () => {
    let graph = M.updateTask(M.fromFlow(CLASSIFY), "classify", { instruction: "Look closely", overlap: { minOverlap: 5, maxOverlap: 9, agreement: 0.8, level: "premium" } });
    const node = M.findNode(graph, "classify") as M.TaskNode;
    expect(node.instruction).toBe("Look closely");
    expect(node.overlap?.level).toBe("premium");
    graph = M.updateTask(graph, "boxed", { instruction: "x" });
    expect(M.findNode(graph, "boxed")).toEqual({ kind: "end", id: "boxed", name: "cat with boxes" });
    expect(M.updateEnd(graph, "boxed", "done").nodes[2]).toEqual({ kind: "end", id: "boxed", name: "done" });
    expect(M.updateEnd(graph, "classify", "x")).toEqual(graph);
  });

  it("a task type change turns options into labels and back", () => {
    let graph = M.changeTaskType(M.fromFlow(CLASSIFY), "classify", "polygon");
    let node = M.findNode(graph, "classify") as M.TaskNode;
    expect(node.taskType).toBe("polygon");
    expect(node.labels).toEqual(["cat", "dog"]);
    expect(node.options).toBeUndefined();
    graph = M.changeTaskType(graph, "classify", "multiple_choice");
    node = M.findNode(graph, "classify") as M.TaskNode;
    expect(node.options).toEqual(["cat", "dog"]);
    expect("labels" in node).toBe(false);
    graph = M.changeTaskType(graph, "classify", "transcription");
    node = M.findNode(graph, "classify") as M.TaskNode;
    expect("options" in node || "labels" in node).toBe(false);
    expect(M.changeTaskType(graph, "boxed", "polygon")).toBe(graph);
  });

  it("renames a node everywhere, refusing a taken or empty id", () => {
    const graph = M.renameNode(M.fromFlow(CLASSIFY), "classify", "species")!;
    expect(graph.start).toBe("species");
    expect(graph.positions.species).toBeDefined();
    expect(graph.positions.classify).toBeUndefined();
    expect(graph.edges.filter((edge) => edge.source === "species")).toHaveLength(2);
    expect(M.renameNode(graph, "box", "other")).toBeNull();
    expect(M.renameNode(graph, "box", "")).toBeNull();
    expect(M.renameNode(graph, "ghost", "x")).toBeNull();
    expect(M.renameNode(graph, "box", "box")).toBe(graph);
  });

  it("sets the start on task nodes only", () => {
    const graph = M.fromFlow(CLASSIFY);
    expect(M.setStart(graph, "box").start).toBe("box");
    expect(M.setStart(graph, "boxed")).toBe(graph);
  });

  it("moves nodes", () => {
    expect(M.moveNodes(M.fromFlow(CLASSIFY), { box: at(5, 6) }).positions.box).toEqual(at(5, 6));
  });
});

describe("setFlow's problems", () => {
  const graph = M.fromFlow(CLASSIFY);

  it("points rule problems at the node or the edge they name", () => {
    const detail =
      "box: a drawing node needs at least one label (node-config); edges[1]: 'always' takes no value (condition); other: no edge path from classify leads here (reachable)";
    expect(M.parseProblems(detail, graph)).toEqual([
      { target: { kind: "node", id: "box" }, message: "a drawing node needs at least one label", rule: "node-config" },
      { target: { kind: "edge", id: "e2" }, message: "'always' takes no value", rule: "condition" },
      { target: { kind: "node", id: "other" }, message: "no edge path from classify leads here", rule: "reachable" },
    ]);
  });

  it("keeps messages that contain colons and semicolons together", () => {
    const detail = "box: unbounded loop box -> review -> box: give one of its edges maxTraversals (bounded-loops)";
    const [problem] = M.parseProblems(detail, graph);
    expect(problem).toEqual({
      target: { kind: "node", id: "box" },
      message: "unbounded loop box -> review -> box: give one of its edges maxTraversals",
      rule: "bounded-loops",
    });
  });

  it("flow-wide problems (nodes, unknown names, other messages) stay whole", () => {
    expect(M.parseProblems("nodes: the flow has no end node (branches)", graph)[0]).toEqual({
      target: { kind: "flow" },
      message: "nodes: the flow has no end node",
      rule: "branches",
    });
    expect(M.parseProblems("the flow was changed meanwhile: retrieve it and retry", graph)[0]).toEqual({
      target: { kind: "flow" },
      message: "the flow was changed meanwhile: retrieve it and retry",
      rule: null,
    });
  });

  it("points a schema error (code 2) at the node or edge of its field path", () => {
    expect(M.parseProblems("flow.nodes.1.labels.0: String should have at least 1 character", graph)[0].target).toEqual({ kind: "node", id: "box" });
    expect(M.parseProblems("params.flow.edges.2.maxTraversals: Input should be less than or equal to 10", graph)[0].target).toEqual({ kind: "edge", id: "e3" });
    expect(M.parseProblems("flow.edges.9.source: x", graph)[0].target).toEqual({ kind: "flow" });
  });

  it("problemsOf picks a node's, an edge's or the flow's problems", () => {
    const problems = M.parseProblems("box: a (node-config); edges[0]: b (condition); box: c (exhaustive)", graph);
    expect(M.problemsOf(problems, { kind: "node", id: "box" }).map((p) => p.message)).toEqual(["a", "c"]);
    expect(M.problemsOf(problems, { kind: "edge", id: "e1" }).map((p) => p.message)).toEqual(["b"]);
    expect(M.problemsOf(problems, { kind: "flow" })).toEqual([]);
  });
});
