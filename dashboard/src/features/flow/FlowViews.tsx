// How nodes and edges look on the canvas: their handles, the start badge, and the setFlow problems naming them.
import {
  BaseEdge,
  EdgeLabelRenderer,
  getBezierPath,
  Handle,
  Position,
  type Edge,
  type EdgeProps,
  type Node,
  type NodeProps,
  useStoreApi,
} from "@xyflow/react";
import { useTranslation } from "react-i18next";
import type { Condition, FlowNode, Problem } from "./model";

export type NodeData = { node: FlowNode; start: boolean; problems: Problem[]; readOnly: boolean };
export type EdgeData = { condition: Condition; maxTraversals?: number | null; problems: Problem[] };
export type CanvasNode = Node<NodeData, "task" | "end">;
export type CanvasEdge = Edge<EdgeData, "condition">;

export function useConditionText() {
  const { t } = useTranslation();
  return (condition: Condition) =>
    t(`flow.cond.${condition.type}`, {
      value: condition.value ?? (condition.type === "shapeCount" ? "" : "?"),
      op: condition.op ? t(`flow.panel.ops.${condition.op}`) : "?",
      count: condition.count ?? "?",
    }).replace(/\s+/g, " ");
}

function Problems({ problems }: { problems: Problem[] }) {
  if (!problems.length) return null;
  return (
    <ul className="flow-node-problems">
      {problems.map((problem, index) => (
        <li key={index}>⚠ {problem.message}</li>
      ))}
    </ul>
  );
}

export function TaskNodeView({ data }: NodeProps<CanvasNode>) {
  const { t } = useTranslation();
  const node = data.node;
  if (node.kind !== "task") return null;
  return (
    <div className={`flow-node flow-task${data.problems.length ? " has-problem" : ""}`} data-testid={`node-${node.id}`}>
      <Handle type="target" position={Position.Left} isConnectable={!data.readOnly} />
      {data.start && <span className="flow-badge">{t("flow.start")}</span>}
      <strong>{node.id}</strong>
      <span className="muted">{t(`flow.taskTypes.${node.taskType}`)}</span>
      {node.question && <span className="flow-node-question">{node.question}</span>}
      <Problems problems={data.problems} />
      <Handle type="source" position={Position.Right} isConnectable={!data.readOnly} />
    </div>
  );
}

export function EndNodeView({ data }: NodeProps<CanvasNode>) {
  const { t } = useTranslation();
  const node = data.node;
  return (
    <div className={`flow-node flow-end${data.problems.length ? " has-problem" : ""}`} data-testid={`node-${node.id}`}>
      <Handle type="target" position={Position.Left} isConnectable={!data.readOnly} />
      <span className="muted">{t("flow.endNode")}</span>
      <strong>{node.kind === "end" && node.name ? node.name : node.id}</strong>
      <Problems problems={data.problems} />
    </div>
  );
}

export function ConditionEdge(props: EdgeProps<CanvasEdge>) {
  const text = useConditionText();
  const store = useStoreApi();
  const [path, labelX, labelY] = getBezierPath(props);
  const problems = props.data?.problems ?? [];
  return (
    <>
      <BaseEdge id={props.id} path={path} markerEnd={props.markerEnd} className={problems.length ? "has-problem" : undefined} />
      <EdgeLabelRenderer>
        <div
          className={`flow-edge-label nodrag nopan${props.selected ? " selected" : ""}${problems.length ? " has-problem" : ""}`}
          style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
          data-testid={`edge-label-${props.source}-${props.target}`}
          // The label is the edge's biggest target: a click on it selects the edge (through the builder's onEdgesChange).
          onClick={() => store.getState().addSelectedEdges([props.id])}
        >
          {props.data && text(props.data.condition)}
          {props.data?.maxTraversals ? ` ×${props.data.maxTraversals}` : ""}
          <Problems problems={problems} />
        </div>
      </EdgeLabelRenderer>
    </>
  );
}

export const nodeTypes = { task: TaskNodeView, end: EndNodeView };
export const edgeTypes = { condition: ConditionEdge };
