// The flow builder (配置任务流): palette, canvas (React Flow), side panel, toolbar. All graph edits are the pure
// operations of ./model, kept in an undo history (./history); the draft survives a reload (./draft); setFlow's
// problems are shown on the node or edge they name.
import "@xyflow/react/dist/style.css";
import "./flow.css";
import {
  Background,
  Controls,
  MarkerType,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  type Connection,
  type EdgeChange,
  type NodeChange,
} from "@xyflow/react";
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent, type KeyboardEvent, type MouseEvent as ReactMouseEvent } from "react";
import { useTranslation } from "react-i18next";
import { useBlocker } from "react-router";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { FormError } from "../../components/Field";
import { EmptyState } from "../../components/Status";
import { ApiError } from "../../lib/api";
import type { FlowData, FlowSchema, FlowTemplate } from "./api";
import { clearDraft, saveDraft, saveLayout } from "./draft";
import { edgeTypes, nodeTypes, type CanvasEdge, type CanvasNode } from "./FlowViews";
import * as H from "./history";
import * as M from "./model";
import { EdgePanel, EndPanel, TaskPanel, type PanelActions } from "./Panels";

const DND_TYPE = "application/x-bytebridge-task";
const CODE_FROZEN = 28;

export interface FlowBuilderProps {
  projectId: string;
  /** The flow as saved on the server (what "unsaved changes" compare with). */
  saved: M.Graph;
  /** Where editing resumes: the saved flow, or the draft kept in this browser. */
  initial: M.Graph;
  restoredDraft: boolean;
  version: number | null;
  branches: number | null;
  frozen: boolean;
  templates: FlowTemplate[];
  schema: FlowSchema | undefined;
  save: (flow: M.Flow) => Promise<FlowData>;
}

export function FlowBuilder(props: FlowBuilderProps) {
  return (
    <ReactFlowProvider>
      <Editor {...props} />
    </ReactFlowProvider>
  );
}

interface Selection {
  nodes: string[];
  edges: string[];
}
interface Menu {
  x: number;
  y: number;
  at: M.Point;
  nodeId: string | null;
  edgeId: string | null;
}

/** A selection after React Flow's select changes. */
function picked(ids: string[], changes: { id: string; selected: boolean }[]): string[] {
  const next = new Set(ids);
  for (const change of changes) {
    if (change.selected) next.add(change.id);
    else next.delete(change.id);
  }
  return [...next];
}

const isTyping = (target: EventTarget | null) =>
  target instanceof HTMLElement && (["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName) || target.isContentEditable);

function Editor({ projectId, saved: savedAtStart, initial, restoredDraft, version, branches, frozen, templates, schema, save }: FlowBuilderProps) {
  const { t } = useTranslation();
  const flow = useReactFlow();
  const [history, setHistory] = useState(() => H.begin(initial));
  const graph = history.present;
  const [saved, setSaved] = useState(savedAtStart);
  const [status, setStatus] = useState({ version, branches });
  const [selection, setSelection] = useState<Selection>({ nodes: [], edges: [] });
  const [clipboard, setClipboard] = useState<M.Clipboard | null>(null);
  const pastes = useRef(0);
  const [problems, setProblems] = useState<M.Problem[]>([]);
  const [formError, setFormError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(restoredDraft ? t("flow.draftRestored") : null);
  const [readOnly, setReadOnly] = useState(frozen);
  const [busy, setBusy] = useState(false);
  const [menu, setMenu] = useState<Menu | null>(null);
  const [template, setTemplate] = useState("");
  const measured = useRef(new Map<string, { width: number; height: number }>());
  const [measures, remeasured] = useState(0);
  const canvasRef = useRef<HTMLDivElement>(null);

  const dirty = !readOnly && !M.sameFlow(graph, saved);

  const commit = useCallback((next: M.Graph, key: string | null = null) => setHistory((current) => H.push(current, next, key)), []);
  const apply = useCallback(
    (change: (current: M.Graph) => M.Graph, key: string | null = null) => setHistory((current) => H.push(current, change(current.present), key)),
    [],
  );

  // The draft is kept while it differs from the saved flow; the layout always (the server keeps none).
  useEffect(() => {
    saveLayout(projectId, graph.positions);
    if (readOnly) return;
    if (M.sameFlow(graph, saved)) clearDraft(projectId);
    else saveDraft(projectId, { graph, baseVersion: status.version });
  }, [graph, saved, projectId, readOnly, status.version]);

  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      event.returnValue = "";
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);
  const blocker = useBlocker(({ currentLocation, nextLocation }) => dirty && currentLocation.pathname !== nextLocation.pathname);

  // The canvas's view of the graph.
  const nodes: CanvasNode[] = useMemo(
    () =>
      graph.nodes.map((node) => ({
        id: node.id,
        type: node.kind,
        position: graph.positions[node.id] ?? { x: 0, y: 0 },
        data: { node, start: graph.start === node.id, problems: M.problemsOf(problems, { kind: "node", id: node.id }), readOnly },
        selected: selection.nodes.includes(node.id),
        measured: measured.current.get(node.id),
        ariaLabel:
          node.kind === "task"
            ? `${t(`flow.taskTypes.${node.taskType}`)} ${node.id}${graph.start === node.id ? ` (${t("flow.start")})` : ""}`
            : `${t("flow.endNode")} ${node.id}`,
        draggable: !readOnly,
        connectable: !readOnly,
        deletable: !readOnly,
      })),
    // `measures` counts the measurements React Flow reported (kept in a ref, read here).
    [graph, problems, selection.nodes, readOnly, t, measures],
  );
  const edges: CanvasEdge[] = useMemo(
    () =>
      graph.edges.map((edge) => ({
        id: edge.id,
        type: "condition",
        source: edge.source,
        target: edge.target,
        data: { condition: edge.condition, maxTraversals: edge.maxTraversals, problems: M.problemsOf(problems, { kind: "edge", id: edge.id }) },
        selected: selection.edges.includes(edge.id),
        markerEnd: { type: MarkerType.ArrowClosed },
        ariaLabel: t("flow.edgeName", { source: edge.source, target: edge.target }),
        deletable: !readOnly,
      })),
    [graph, problems, selection.edges, readOnly, t],
  );

  const onNodesChange = (changes: NodeChange<CanvasNode>[]) => {
    let moves: Record<string, M.Point> | null = null;
    let resized = false;
    const picks: { id: string; selected: boolean }[] = [];
    for (const change of changes) {
      if (change.type === "position" && change.position && !readOnly) {
        moves = { ...(moves ?? {}), [change.id]: change.position };
      } else if (change.type === "dimensions" && change.dimensions) {
        measured.current.set(change.id, change.dimensions);
        resized = true;
      } else if (change.type === "select") picks.push(change);
      // "remove" is handled once, with the edges, by onDelete.
    }
    if (moves) {
      const next = moves;
      apply((current) => M.moveNodes(current, next), `move:${Object.keys(next).sort().join(",")}`);
    }
    // Node and edge changes of one click arrive in two calls: each updates its own half of the latest selection.
    if (picks.length) setSelection((current) => ({ ...current, nodes: picked(current.nodes, picks) }));
    if (resized) remeasured((n) => n + 1);
  };
  const onEdgesChange = (changes: EdgeChange<CanvasEdge>[]) => {
    const picks = changes.filter((change) => change.type === "select");
    if (picks.length) setSelection((current) => ({ ...current, edges: picked(current.edges, picks) }));
  };

  const select = (next: Selection) => {
    setSelection(next);
    setHistory(H.seal);
  };

  const removeSelected = (nodeIds: string[] = selection.nodes, edgeIds: string[] = selection.edges) => {
    if (readOnly || (!nodeIds.length && !edgeIds.length)) return;
    commit(M.remove(graph, nodeIds, edgeIds));
    select({ nodes: [], edges: [] });
  };
  const copySelected = (ids = selection.nodes) => {
    if (!ids.length) return;
    setClipboard(M.copy(graph, ids));
    pastes.current = 0;
  };
  const cutSelected = (ids = selection.nodes) => {
    if (readOnly || !ids.length) return;
    const { graph: next, clipboard: held } = M.cut(graph, ids);
    setClipboard(held);
    pastes.current = 0;
    commit(next);
    select({ nodes: [], edges: [] });
  };
  const pasteHere = (at?: M.Point) => {
    if (readOnly || !clipboard || !clipboard.nodes.length) return;
    pastes.current += 1;
    let offset = { x: 40 * pastes.current, y: 40 * pastes.current };
    if (at) {
      const first = clipboard.positions[clipboard.nodes[0].id] ?? { x: 0, y: 0 };
      offset = { x: at.x - first.x, y: at.y - first.y };
    }
    const { graph: next, ids } = M.paste(graph, clipboard, offset);
    commit(next);
    select({ nodes: ids, edges: [] });
  };
  const undo = () => {
    setHistory(H.undo);
    setSelection({ nodes: [], edges: [] });
  };
  const redo = () => {
    setHistory(H.redo);
    setSelection({ nodes: [], edges: [] });
  };

  const viewCenter = (): M.Point => {
    const box = canvasRef.current?.getBoundingClientRect();
    const center = box ? { x: box.left + box.width / 2, y: box.top + box.height / 3 } : { x: 200, y: 150 };
    const at = flow.screenToFlowPosition(center);
    const cascade = (graph.nodes.length % 6) * 30;
    return { x: Math.round(at.x + cascade), y: Math.round(at.y + cascade) };
  };
  const addTask = (taskType: M.TaskType, at: M.Point = viewCenter()) => {
    const { graph: next, id } = M.addTask(graph, taskType, at);
    commit(next);
    select({ nodes: [id], edges: [] });
  };
  const addEnd = (at: M.Point = viewCenter()) => {
    const { graph: next, id } = M.addEnd(graph, at);
    commit(next);
    select({ nodes: [id], edges: [] });
  };

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    if (readOnly) return;
    const type = event.dataTransfer.getData(DND_TYPE);
    if (!type) return;
    const at = flow.screenToFlowPosition({ x: event.clientX, y: event.clientY });
    if (type === "end") addEnd(at);
    else if ((M.TASK_TYPES as readonly string[]).includes(type)) addTask(type as M.TaskType, at);
  };

  const onConnect = (connection: Connection) => {
    if (readOnly) return;
    const { graph: next, id } = M.connect(graph, connection.source, connection.target);
    if (!id) return;
    commit(next);
    select({ nodes: [], edges: [id] });
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (isTyping(event.target)) return;
    const mod = event.ctrlKey || event.metaKey;
    const key = event.key.toLowerCase();
    if (event.key === "Escape") setMenu(null);
    if (!mod) return;
    if (key === "z" && !event.shiftKey) undo();
    else if ((key === "z" && event.shiftKey) || key === "y") redo();
    else if (key === "c") copySelected();
    else if (key === "x") cutSelected();
    else if (key === "v") pasteHere();
    else return;
    event.preventDefault();
  };

  const openMenu = (event: ReactMouseEvent | MouseEvent, nodeId: string | null, edgeId: string | null) => {
    event.preventDefault();
    if (nodeId && !selection.nodes.includes(nodeId)) select({ nodes: [nodeId], edges: [] });
    if (edgeId && !selection.edges.includes(edgeId)) select({ nodes: [], edges: [edgeId] });
    setMenu({ x: event.clientX, y: event.clientY, at: flow.screenToFlowPosition({ x: event.clientX, y: event.clientY }), nodeId, edgeId });
  };
  const menuNodes = menu?.nodeId ? (selection.nodes.includes(menu.nodeId) ? selection.nodes : [menu.nodeId]) : [];
  const menuRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (menu) menuRef.current?.querySelector("button")?.focus();
  }, [menu]);

  const onSave = async () => {
    setBusy(true);
    setFormError(null);
    setNotice(null);
    try {
      const answer = await save(M.toFlow(graph));
      setSaved(graph);
      setProblems([]);
      setStatus({ version: answer.flowVersion, branches: answer.branches });
      setNotice(t("flow.saved", { version: answer.flowVersion, count: answer.branches }));
    } catch (caught) {
      if (caught instanceof ApiError && caught.code === CODE_FROZEN) {
        setReadOnly(true);
        setFormError(caught.message);
      } else if (caught instanceof ApiError && caught.detail) {
        setProblems(M.parseProblems(caught.detail, graph));
        setFormError(caught.message);
      } else {
        setFormError(caught instanceof Error ? caught.message : String(caught));
      }
    } finally {
      setBusy(false);
    }
  };

  const actions: PanelActions = {
    patchTask: (id, patch, field) => apply((current) => M.updateTask(current, id, patch), `task:${id}:${field}`),
    changeType: (id, taskType) => apply((current) => M.changeTaskType(current, id, taskType)),
    rename: (id, next) => {
      const renamed = M.renameNode(graph, id, next);
      if (!renamed) return false;
      commit(renamed);
      select({ nodes: [next], edges: [] });
      return true;
    },
    setStart: (id) => apply((current) => M.setStart(current, id)),
    renameEnd: (id, name) => apply((current) => M.updateEnd(current, id, name), `end:${id}:name`),
    deleteNode: (id) => removeSelected([id], []),
    connect: (source, target) => onConnect({ source, target, sourceHandle: null, targetHandle: null }),
    patchEdge: (id, patch, field) => apply((current) => M.updateEdge(current, id, patch), `edge:${id}:${field}`),
    reorderEdge: (id, direction) => apply((current) => M.reorderEdge(current, id, direction)),
    deleteEdge: (id) => removeSelected([], [id]),
  };

  const selectedNode = selection.nodes.length === 1 && !selection.edges.length ? M.findNode(graph, selection.nodes[0]) : undefined;
  const selectedEdge = selection.edges.length === 1 && !selection.nodes.length ? graph.edges.find((edge) => edge.id === selection.edges[0]) : undefined;
  const where = (problem: M.Problem) => {
    if (problem.target.kind === "node") return problem.target.id;
    if (problem.target.kind === "edge") {
      const id = problem.target.id;
      const edge = graph.edges.find((one) => one.id === id);
      return edge ? t("flow.edgeName", { source: edge.source, target: edge.target }) : "";
    }
    return t("flow.flowWide");
  };
  const focusProblem = (problem: M.Problem) => {
    if (problem.target.kind === "node") {
      const id = problem.target.id;
      select({ nodes: [id], edges: [] });
      void flow.fitView({ nodes: [{ id }], duration: 200, maxZoom: 1.2 });
    } else if (problem.target.kind === "edge") select({ nodes: [], edges: [problem.target.id] });
  };

  return (
    <section className="flow-builder" aria-labelledby="flow-title" onKeyDown={onKeyDown}>
      <h2 id="flow-title">{t("flow.title")}</h2>
      <p className="muted">{t("flow.intro")}</p>
      {readOnly && (
        <p className="notice" role="status">
          {t("flow.readOnly")}
        </p>
      )}
      <div className="flow-toolbar" role="toolbar" aria-label={t("flow.title")}>
        {!readOnly && (
          <>
            <label>
              <span>{t("flow.templates")}</span>{" "}
              <select value={template} onChange={(event) => setTemplate(event.target.value)}>
                <option value="">{t("flow.chooseTemplate")}</option>
                {templates.map((one) => (
                  <option key={one.name} value={one.name} title={one.description}>
                    {one.name}
                  </option>
                ))}
              </select>
            </label>
            <button
              type="button"
              disabled={!template}
              onClick={() => {
                const chosen = templates.find((one) => one.name === template);
                if (!chosen) return;
                commit(M.fromFlow(chosen.flow));
                select({ nodes: [], edges: [] });
                setProblems([]);
                void Promise.resolve().then(() => flow.fitView({ duration: 200 }));
              }}
            >
              {t("flow.useTemplate")}
            </button>
            <button
              type="button"
              onClick={() => {
                commit(M.emptyGraph());
                select({ nodes: [], edges: [] });
                setProblems([]);
              }}
            >
              {t("flow.startOver")}
            </button>
            <span className="flow-toolbar-gap" />
            <button type="button" onClick={undo} disabled={!H.canUndo(history)} aria-keyshortcuts="Control+Z">
              {t("flow.undo")}
            </button>
            <button type="button" onClick={redo} disabled={!H.canRedo(history)} aria-keyshortcuts="Control+Shift+Z">
              {t("flow.redo")}
            </button>
            <button type="button" onClick={() => copySelected()} disabled={!selection.nodes.length} aria-keyshortcuts="Control+C">
              {t("flow.copy")}
            </button>
            <button type="button" onClick={() => cutSelected()} disabled={!selection.nodes.length} aria-keyshortcuts="Control+X">
              {t("flow.cut")}
            </button>
            <button type="button" onClick={() => pasteHere()} disabled={!clipboard} aria-keyshortcuts="Control+V">
              {t("flow.paste")}
            </button>
            <button type="button" onClick={() => removeSelected()} disabled={!selection.nodes.length && !selection.edges.length} aria-keyshortcuts="Delete">
              {t("flow.delete")}
            </button>
            <span className="flow-toolbar-gap" />
            <button type="button" className="primary" onClick={() => void onSave()} disabled={busy}>
              {busy ? t("flow.saving") : t("flow.save")}
            </button>
          </>
        )}
      </div>
      <p className="muted" role="status" data-testid="flow-status">
        {dirty
          ? t("flow.unsaved")
          : status.version != null
            ? t("flow.savedVersion", { version: status.version, count: status.branches ?? 0 })
            : t("flow.notSaved")}
        {restoredDraft && dirty && (
          <>
            {" "}
            <button
              type="button"
              className="link"
              onClick={() => {
                commit(saved);
                setNotice(null);
              }}
            >
              {t("flow.discardDraft")}
            </button>
          </>
        )}
      </p>
      {notice && <p role="status">{notice}</p>}
      <FormError error={formError} />
      {problems.length > 0 && (
        <section className="flow-problems form-error" aria-labelledby="flow-problems-title" role="alert">
          <h3 id="flow-problems-title">{t("flow.problemsTitle")}</h3>
          <ul>
            {problems.map((problem, index) => (
              <li key={index}>
                <strong>{where(problem)}</strong>: {problem.message}
                {problem.rule && <span className="muted"> ({problem.rule})</span>}{" "}
                {problem.target.kind !== "flow" && (
                  <button type="button" className="link" onClick={() => focusProblem(problem)}>
                    {t("flow.show")}
                  </button>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}
      <div className={`flow-body${readOnly ? " read-only" : ""}`}>
        {!readOnly && (
          <aside className="flow-palette" aria-labelledby="flow-palette-title">
            <h3 id="flow-palette-title">{t("flow.palette")}</h3>
            <p className="muted">{t("flow.paletteHint")}</p>
            <ul>
              {M.TASK_TYPES.map((type) => (
                <li key={type}>
                  <button
                    type="button"
                    draggable
                    onDragStart={(event) => {
                      event.dataTransfer.setData(DND_TYPE, type);
                      event.dataTransfer.effectAllowed = "copy";
                    }}
                    onClick={() => addTask(type)}
                  >
                    {t(`flow.taskTypes.${type}`)}
                  </button>
                </li>
              ))}
              <li>
                <button
                  type="button"
                  className="flow-palette-end"
                  draggable
                  onDragStart={(event) => {
                    event.dataTransfer.setData(DND_TYPE, "end");
                    event.dataTransfer.effectAllowed = "copy";
                  }}
                  onClick={() => addEnd()}
                >
                  {t("flow.endNode")}
                </button>
              </li>
            </ul>
          </aside>
        )}
        <div
          className="flow-canvas"
          ref={canvasRef}
          role="region"
          aria-label={t("flow.canvas")}
          onDragOver={(event) => {
            event.preventDefault();
            event.dataTransfer.dropEffect = "copy";
          }}
          onDrop={onDrop}
        >
          {graph.nodes.length === 0 && (
            <div className="flow-empty">
              <EmptyState title={t("flow.emptyTitle")}>
                <p>{t("flow.emptyBody")}</p>
              </EmptyState>
            </div>
          )}
          <ReactFlow<CanvasNode, CanvasEdge>
            nodes={nodes}
            edges={edges}
            nodeTypes={nodeTypes}
            edgeTypes={edgeTypes}
            onNodesChange={onNodesChange}
            onEdgesChange={onEdgesChange}
            onNodeDragStop={() => setHistory(H.seal)}
            onConnect={onConnect}
            onDelete={({ nodes: gone, edges: cut }) => removeSelected(gone.map((node) => node.id), cut.map((edge) => edge.id))}
            onNodeContextMenu={(event, node) => openMenu(event, node.id, null)}
            onEdgeContextMenu={(event, edge) => openMenu(event, null, edge.id)}
            onPaneContextMenu={(event) => openMenu(event, null, null)}
            onPaneClick={() => setMenu(null)}
            nodesDraggable={!readOnly}
            nodesConnectable={!readOnly}
            deleteKeyCode={readOnly ? null : ["Delete", "Backspace"]}
            fitView
            fitViewOptions={{ maxZoom: 1 }}
            proOptions={{ hideAttribution: true }}
          >
            <Background />
            <Controls showInteractive={false} />
          </ReactFlow>
          {menu && (
            <div
              ref={menuRef}
              className="flow-menu"
              role="menu"
              aria-label={t("flow.context")}
              style={{ position: "fixed", left: menu.x, top: menu.y }}
              onKeyDown={(event) => {
                if (event.key === "Escape") setMenu(null);
              }}
            >
              {[
                { label: t("flow.copy"), enabled: menuNodes.length > 0, run: () => copySelected(menuNodes) },
                { label: t("flow.cut"), enabled: !readOnly && menuNodes.length > 0, run: () => cutSelected(menuNodes) },
                { label: t("flow.paste"), enabled: !readOnly && !!clipboard, run: () => pasteHere(menu.at) },
                {
                  label: t("flow.setStart"),
                  enabled: !readOnly && menuNodes.length === 1 && M.isTask(M.findNode(graph, menuNodes[0])),
                  run: () => actions.setStart(menuNodes[0]),
                },
                {
                  label: t("flow.delete"),
                  enabled: !readOnly && (menuNodes.length > 0 || !!menu.edgeId),
                  run: () => removeSelected(menuNodes, menu.edgeId ? [menu.edgeId] : []),
                },
              ]
                .filter((item) => item.enabled)
                .map((item) => (
                  <button
                    key={item.label}
                    type="button"
                    role="menuitem"
                    onClick={() => {
                      item.run();
                      setMenu(null);
                    }}
                  >
                    {item.label}
                  </button>
                ))}
            </div>
          )}
        </div>
        <aside className="flow-side" aria-label={t("flow.title")}>
          <fieldset disabled={readOnly} className="flow-side-fields">
            {M.isTask(selectedNode) ? (
              <TaskPanel
                key={selectedNode.id}
                node={selectedNode}
                graph={graph}
                schema={schema}
                problems={M.problemsOf(problems, { kind: "node", id: selectedNode.id })}
                actions={actions}
              />
            ) : selectedNode ? (
              <EndPanel key={selectedNode.id} node={selectedNode} problems={M.problemsOf(problems, { kind: "node", id: selectedNode.id })} actions={actions} />
            ) : selectedEdge ? (
              <EdgePanel
                key={selectedEdge.id}
                edge={selectedEdge}
                graph={graph}
                schema={schema}
                problems={M.problemsOf(problems, { kind: "edge", id: selectedEdge.id })}
                actions={actions}
              />
            ) : (
              <p className="muted">{t("flow.nothingSelected")}</p>
            )}
          </fieldset>
        </aside>
      </div>
      <ConfirmDialog
        open={blocker.state === "blocked"}
        title={t("common.unsavedChanges")}
        confirmLabel={t("common.confirm")}
        onConfirm={() => blocker.proceed?.()}
        onCancel={() => blocker.reset?.()}
      />
    </section>
  );
}
