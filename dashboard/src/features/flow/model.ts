// The flow builder's graph and every editing operation on it, as pure functions (no React): the builder calls
// these, the history keeps their results, and the tests exercise them. The flow's rules (exhaustive edges, branch
// counts, bounded loops…) are NOT checked here: setFlow checks them and its problems are shown where they point.
import type { components } from "../../api/schema";

export type Flow = components["schemas"]["Flow"];
export type TaskNode = components["schemas"]["TaskNode"];
export type EndNode = components["schemas"]["EndNode"];
export type FlowNode = TaskNode | EndNode;
export type FlowEdge = components["schemas"]["Edge"];
export type Condition = components["schemas"]["Condition"];
export type ConditionType = components["schemas"]["ConditionType"];
export type TaskType = components["schemas"]["TaskType"];
export type CountOp = components["schemas"]["CountOp"];

export const TASK_TYPES = [
  "single_choice",
  "multiple_choice",
  "rectangle_frame_select",
  "free_point",
  "stroke",
  "cube_circle",
  "rotated_box",
  "polygon",
  "segmentation",
  "transcription",
  "text_spans",
  "ocr_regions",
  "keypoint_skeleton",
  "audio_segments",
  "video_events",
  "video_detection",
  "video_tracking",
] as const satisfies readonly TaskType[];
// Fails to compile when the server's schema gains a task type the palette does not list.
const allTaskTypesListed: Exclude<TaskType, (typeof TASK_TYPES)[number]> extends never ? true : false = true;
void allTaskTypesListed;

export const CONDITION_TYPES: ConditionType[] = ["always", "optionChosen", "labelPresent", "labelAbsent", "shapeCount"];
export const COUNT_OPS: CountOp[] = ["eq", "ne", "lt", "le", "gt", "ge"];

/** Which list of categories a task type's node carries (docs/flows.md: options for choices, labels for drawings). */
export function categoryField(taskType: TaskType): "options" | "labels" | null {
  if (taskType === "single_choice" || taskType === "multiple_choice") return "options";
  if (taskType === "transcription") return null;
  return "labels";
}

export interface Point {
  x: number;
  y: number;
}

export interface GraphEdge extends FlowEdge {
  /** The editor's own id (React Flow needs one; the flow's edges have none, their order is what counts). */
  id: string;
  condition: Condition;
}

export interface Graph {
  start: string | null;
  nodes: FlowNode[];
  positions: Record<string, Point>;
  edges: GraphEdge[];
}

/** What Ctrl+C / Ctrl+X hold: the chosen nodes and the edges between them. */
export interface Clipboard {
  nodes: FlowNode[];
  positions: Record<string, Point>;
  edges: GraphEdge[];
}

export const emptyGraph = (): Graph => ({ start: null, nodes: [], positions: {}, edges: [] });

export const isTask = (node: FlowNode | undefined): node is TaskNode => node?.kind === "task";

export function findNode(graph: Graph, id: string): FlowNode | undefined {
  return graph.nodes.find((node) => node.id === id);
}

const ID_BASE = /^[A-Za-z][A-Za-z0-9_-]*$/;

/** An id not used in the graph (nor in `taken`), derived from `base`: base, base_2, base_3… (≤ 40 characters). */
export function freeId(graph: Graph, base: string, taken: Set<string> = new Set()): string {
  const used = new Set([...graph.nodes.map((node) => node.id), ...taken]);
  const stem = (ID_BASE.test(base) ? base : "node").replace(/_\d+$/, "").slice(0, 34);
  if (!used.has(stem)) return stem;
  for (let n = 2; ; n++) {
    const id = `${stem}_${n}`;
    if (!used.has(id)) return id;
  }
}

function nextEdgeId(graph: Graph): string {
  const numbers = graph.edges.map((edge) => Number(/^e(\d+)$/.exec(edge.id)?.[1] ?? 0));
  return `e${Math.max(0, ...numbers) + 1}`;
}

export function newTaskNode(id: string, taskType: TaskType): TaskNode {
  const node: TaskNode = { kind: "task", id, taskType, instruction: "" };
  const field = categoryField(taskType);
  if (field === "options") {
    node.question = "";
    node.options = [];
  } else if (field === "labels") node.labels = [];
  return node;
}

function withNode(graph: Graph, node: FlowNode, position: Point): Graph {
  return {
    ...graph,
    // The first task node added to an empty flow is where items start.
    start: graph.start ?? (node.kind === "task" ? node.id : null),
    nodes: [...graph.nodes, node],
    positions: { ...graph.positions, [node.id]: position },
  };
}

export function addTask(graph: Graph, taskType: TaskType, position: Point): { graph: Graph; id: string } {
  const id = freeId(graph, taskType);
  return { graph: withNode(graph, newTaskNode(id, taskType), position), id };
}

export function addEnd(graph: Graph, position: Point): { graph: Graph; id: string } {
  const id = freeId(graph, "end");
  return { graph: withNode(graph, { kind: "end", id, name: "" }, position), id };
}

/** Removes nodes (with every edge touching them) and edges. The start moves to the first task node left. */
export function remove(graph: Graph, nodeIds: Iterable<string>, edgeIds: Iterable<string> = []): Graph {
  const nodes = new Set(nodeIds);
  const edges = new Set(edgeIds);
  if (nodes.size === 0 && edges.size === 0) return graph;
  const kept = graph.nodes.filter((node) => !nodes.has(node.id));
  const positions = Object.fromEntries(Object.entries(graph.positions).filter(([id]) => !nodes.has(id)));
  const start = graph.start && !nodes.has(graph.start) ? graph.start : (kept.find(isTask)?.id ?? null);
  return {
    start,
    nodes: kept,
    positions,
    edges: graph.edges.filter((edge) => !edges.has(edge.id) && !nodes.has(edge.source) && !nodes.has(edge.target)),
  };
}

export function copy(graph: Graph, nodeIds: Iterable<string>): Clipboard {
  const ids = new Set(nodeIds);
  return {
    nodes: structuredClone(graph.nodes.filter((node) => ids.has(node.id))),
    positions: Object.fromEntries([...ids].filter((id) => graph.positions[id]).map((id) => [id, graph.positions[id]])),
    edges: structuredClone(graph.edges.filter((edge) => ids.has(edge.source) && ids.has(edge.target))),
  };
}

export function cut(graph: Graph, nodeIds: Iterable<string>): { graph: Graph; clipboard: Clipboard } {
  const ids = [...nodeIds];
  return { clipboard: copy(graph, ids), graph: remove(graph, ids) };
}

/** Pastes a clipboard's nodes under fresh ids, moved by `offset`, with the edges between them. */
export function paste(graph: Graph, clipboard: Clipboard, offset: Point): { graph: Graph; ids: string[] } {
  const renamed = new Map<string, string>();
  for (const node of clipboard.nodes) renamed.set(node.id, freeId(graph, node.id, new Set(renamed.values())));
  let next = graph;
  for (const node of clipboard.nodes) {
    const at = clipboard.positions[node.id] ?? { x: 0, y: 0 };
    next = withNode(next, { ...structuredClone(node), id: renamed.get(node.id)! }, { x: at.x + offset.x, y: at.y + offset.y });
  }
  for (const edge of clipboard.edges) {
    next = {
      ...next,
      edges: [
        ...next.edges,
        { ...structuredClone(edge), id: nextEdgeId(next), source: renamed.get(edge.source)!, target: renamed.get(edge.target)! },
      ],
    };
  }
  return { graph: next, ids: [...renamed.values()] };
}

/** Adds an edge (condition `always` unless given). Only task nodes have outgoing edges; unknown ends are refused. */
export function connect(graph: Graph, source: string, target: string, condition: Condition = { type: "always" }): { graph: Graph; id: string | null } {
  if (!isTask(findNode(graph, source)) || !findNode(graph, target)) return { graph, id: null };
  const id = nextEdgeId(graph);
  return { graph: { ...graph, edges: [...graph.edges, { id, source, target, condition }] }, id };
}

export type TaskPatch = Partial<Omit<TaskNode, "kind" | "id">>;

export function updateTask(graph: Graph, id: string, patch: TaskPatch): Graph {
  return {
    ...graph,
    nodes: graph.nodes.map((node) => (node.id === id && node.kind === "task" ? { ...node, ...patch } : node)),
  };
}

export function updateEnd(graph: Graph, id: string, name: string): Graph {
  return { ...graph, nodes: graph.nodes.map((node) => (node.id === id && node.kind === "end" ? { ...node, name } : node)) };
}

/** A task type change keeps the categories: options become labels (and back) when the kind of list changes. */
export function changeTaskType(graph: Graph, id: string, taskType: TaskType): Graph {
  const node = findNode(graph, id);
  if (!isTask(node)) return graph;
  const categories = [...(node.options ?? []), ...(node.labels ?? [])];
  const next: TaskNode = { ...node, taskType, options: undefined, labels: undefined };
  const field = categoryField(taskType);
  if (field) next[field] = categories;
  if (field === "options" && next.question == null) next.question = "";
  for (const key of Object.keys(next) as (keyof TaskNode)[]) if (next[key] === undefined) delete next[key];
  return { ...graph, nodes: graph.nodes.map((one) => (one.id === id ? next : one)) };
}

/** Renames a node everywhere (edges, start, position). Refused (null) when the id is taken or empty. */
export function renameNode(graph: Graph, id: string, newId: string): Graph | null {
  if (newId === id) return graph;
  if (!newId || findNode(graph, newId) || !findNode(graph, id)) return null;
  const swap = (value: string) => (value === id ? newId : value);
  const { [id]: position, ...positions } = graph.positions;
  return {
    start: graph.start === id ? newId : graph.start,
    nodes: graph.nodes.map((node) => (node.id === id ? { ...node, id: newId } : node)),
    positions: position ? { ...positions, [newId]: position } : positions,
    edges: graph.edges.map((edge) => ({ ...edge, source: swap(edge.source), target: swap(edge.target) })),
  };
}

export function setStart(graph: Graph, id: string): Graph {
  return isTask(findNode(graph, id)) ? { ...graph, start: id } : graph;
}

export function moveNodes(graph: Graph, moves: Record<string, Point>): Graph {
  return { ...graph, positions: { ...graph.positions, ...moves } };
}

export function updateEdge(graph: Graph, id: string, patch: { condition?: Condition; maxTraversals?: number | null }): Graph {
  return { ...graph, edges: graph.edges.map((edge) => (edge.id === id ? { ...edge, ...patch } : edge)) };
}

/** Moves an edge before (-1) or after (+1) its source's neighbouring edge: a node's edges are tried in order. */
export function reorderEdge(graph: Graph, id: string, direction: -1 | 1): Graph {
  const index = graph.edges.findIndex((edge) => edge.id === id);
  if (index < 0) return graph;
  const source = graph.edges[index].source;
  let other = index + direction;
  while (other >= 0 && other < graph.edges.length && graph.edges[other].source !== source) other += direction;
  if (other < 0 || other >= graph.edges.length) return graph;
  const edges = [...graph.edges];
  [edges[index], edges[other]] = [edges[other], edges[index]];
  return { ...graph, edges };
}

/** The outgoing edges of a node, in the order they are tried. */
export const edgesFrom = (graph: Graph, source: string) => graph.edges.filter((edge) => edge.source === source);

function cleanCondition(condition: Condition): Condition {
  const out: Condition = { type: condition.type };
  if (condition.value != null && condition.value !== "") out.value = condition.value;
  if (condition.op != null) out.op = condition.op;
  if (condition.count != null) out.count = condition.count;
  return out;
}

/** The flow JSON setFlow takes: the graph as drawn, node by node, edges in their order (positions are the editor's). */
export function toFlow(graph: Graph): Flow {
  return {
    start: graph.start ?? "",
    nodes: graph.nodes.map((node) => structuredClone(node)),
    edges: graph.edges.map((edge) => {
      const out: FlowEdge = { source: edge.source, target: edge.target, condition: cleanCondition(edge.condition) };
      if (edge.maxTraversals != null) out.maxTraversals = edge.maxTraversals;
      return out;
    }),
  };
}

/** A graph of a flow from the server: positions from `positions` when known, else laid out in columns by distance
 * from the start (breadth-first), nodes no edge reaches in a last column. */
export function fromFlow(flow: Flow, positions: Record<string, Point> = {}): Graph {
  const depth = new Map<string, number>();
  if (flow.nodes.some((node) => node.id === flow.start)) {
    depth.set(flow.start, 0);
    const queue = [flow.start];
    while (queue.length) {
      const id = queue.shift()!;
      for (const edge of flow.edges) {
        if (edge.source === id && !depth.has(edge.target)) {
          depth.set(edge.target, depth.get(id)! + 1);
          queue.push(edge.target);
        }
      }
    }
  }
  const last = Math.max(-1, ...depth.values()) + 1;
  const rows = new Map<number, number>();
  const laid: Record<string, Point> = {};
  for (const node of flow.nodes) {
    const column = depth.get(node.id) ?? last;
    const row = rows.get(column) ?? 0;
    rows.set(column, row + 1);
    laid[node.id] = positions[node.id] ?? { x: 40 + column * 280, y: 40 + row * 150 };
  }
  return {
    start: flow.start || null,
    nodes: structuredClone(flow.nodes),
    positions: laid,
    edges: flow.edges.map((edge, index) => ({
      ...structuredClone(edge),
      id: `e${index + 1}`,
      condition: edge.condition ? structuredClone(edge.condition) : { type: "always" },
    })),
  };
}

/** Whether two graphs would save the same flow (positions aside). */
export const sameFlow = (a: Graph, b: Graph) => JSON.stringify(toFlow(a)) === JSON.stringify(toFlow(b));

export type Target = { kind: "node"; id: string } | { kind: "edge"; id: string } | { kind: "flow" };

export interface Problem {
  target: Target;
  message: string;
  rule: string | null;
}

/** setFlow's problems, pointed at what they name. The detail of code 9 is `<where>: <message> (<rule>)` joined by
 * "; ", `<where>` a node id or `edges[<i>]` (bytebridge.flows.rules.FlowProblem); code 2 names one field of the
 * body, e.g. `flow.nodes.2.options.0: …`. `edges[i]` is the graph's i-th edge: toFlow keeps the order. */
export function parseProblems(detail: string, graph: Graph): Problem[] {
  const parts = detail.split(/; (?=(?:[A-Za-z][A-Za-z0-9_-]{0,39}|edges\[\d+\]|[\w.[\]]+): )/);
  return parts
    .filter((part) => part.trim())
    .map((part) => {
      const match = /^([^:]+):\s*([\s\S]*?)(?:\s\(([a-z-]+)\))?$/.exec(part.trim());
      if (!match) return { target: { kind: "flow" } as Target, message: part.trim(), rule: null };
      const [, where, message, rule] = match;
      const target = locate(where.trim(), graph);
      // A message naming no node or edge is shown whole (its "where" is part of what it says).
      const text = target.kind === "flow" ? part.trim().replace(/\s\([a-z-]+\)$/, "") : message;
      return { target, message: text, rule: rule ?? null };
    });
}

function locate(where: string, graph: Graph): Target {
  const edge = /(?:^|\.)edges(?:\[|\.)(\d+)/.exec(where);
  if (edge) {
    const found = graph.edges[Number(edge[1])];
    return found ? { kind: "edge", id: found.id } : { kind: "flow" };
  }
  const node = /(?:^|\.)nodes(?:\[|\.)(\d+)/.exec(where);
  if (node) {
    const found = graph.nodes[Number(node[1])];
    return found ? { kind: "node", id: found.id } : { kind: "flow" };
  }
  if (findNode(graph, where)) return { kind: "node", id: where };
  return { kind: "flow" };
}

export function problemsOf(problems: Problem[], target: Target): Problem[] {
  return problems.filter(
    (problem) => problem.target.kind === target.kind && (target.kind === "flow" || ("id" in problem.target && problem.target.id === target.id)),
  );
}
