// The side panel: the selected node's task (exactly the flow schema's fields, bounds and defaults from the published
// schema) or the selected edge's condition. Every change goes through the model and into the history.
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { SelectField, TextArea, TextField } from "../../components/Field";
import type { FlowSchema, SchemaField } from "./api";
import {
  categoryField,
  CONDITION_TYPES,
  COUNT_OPS,
  edgesFrom,
  findNode,
  isTask,
  TASK_TYPES,
  type Condition,
  type EndNode,
  type Graph,
  type GraphEdge,
  type Problem,
  type TaskNode,
  type TaskPatch,
  type TaskType,
} from "./model";

/** Local text for an input that reflects a value of the graph: the user's text stays while it means that value, and
 * follows the graph when it changes otherwise (undo, redo). */
function useSynced(external: string, means: (text: string) => boolean): [string, (text: string) => void] {
  const [text, setText] = useState(external);
  useEffect(() => {
    if (!means(text)) setText(external);
  }, [external]); // only when the graph's value changes: typing must not be overwritten
  return [text, setText];
}

const lines = (text: string) =>
  text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);

function ListField({ label, value, onChange, error }: { label: string; value: string[]; onChange: (next: string[]) => void; error?: string | null }) {
  const [text, setText] = useSynced(value.join("\n"), (current) => JSON.stringify(lines(current)) === JSON.stringify(value));
  return (
    <TextArea
      label={label}
      rows={4}
      value={text}
      error={error}
      onChange={(event) => {
        setText(event.target.value);
        onChange(lines(event.target.value));
      }}
    />
  );
}

/** The bounds and default of a schema field (anyOf with null unwrapped). */
function bounds(field: SchemaField | undefined) {
  const inner = field?.anyOf?.find((one) => one.minimum !== undefined || one.maximum !== undefined) ?? field;
  return {
    min: inner?.minimum ?? inner?.exclusiveMinimum,
    max: inner?.maximum,
    fallback: field?.default,
  };
}

function NumberField({
  label,
  value,
  field,
  integer,
  onChange,
}: {
  label: string;
  value: number | null | undefined;
  field: SchemaField | undefined;
  integer?: boolean;
  onChange: (next: number | undefined) => void;
}) {
  const { t } = useTranslation();
  const parse = (text: string) => (text.trim() === "" || Number.isNaN(Number(text)) ? undefined : Number(text));
  const [text, setText] = useSynced(value == null ? "" : String(value), (current) => parse(current) === (value ?? undefined));
  const { min, max, fallback } = bounds(field);
  return (
    <TextField
      label={label}
      type="number"
      inputMode={integer ? "numeric" : "decimal"}
      min={min}
      max={max}
      step={integer ? 1 : "any"}
      value={text}
      placeholder={fallback != null ? t("flow.panel.defaultValue", { value: String(fallback) }) : undefined}
      onChange={(event) => {
        setText(event.target.value);
        onChange(parse(event.target.value));
      }}
    />
  );
}

function problemText(problems: Problem[]) {
  return problems.length ? problems.map((problem) => problem.message).join("; ") : null;
}

function IdField({ id, onRename }: { id: string; onRename: (next: string) => boolean }) {
  const { t } = useTranslation();
  const [text, setText] = useState(id);
  const [taken, setTaken] = useState(false);
  useEffect(() => {
    setText(id);
    setTaken(false);
  }, [id]);
  const commit = () => {
    if (text === id) return;
    setTaken(!onRename(text.trim()));
  };
  return (
    <TextField
      label={t("flow.panel.id")}
      value={text}
      maxLength={40}
      error={taken ? t("flow.panel.idTaken") : null}
      onChange={(event) => setText(event.target.value)}
      onBlur={commit}
      onKeyDown={(event) => {
        if (event.key === "Enter") commit();
      }}
    />
  );
}

type Skeleton = NonNullable<TaskNode["skeleton"]>;

function SkeletonField({ value, onChange }: { value: TaskNode["skeleton"]; onChange: (next: TaskNode["skeleton"]) => void }) {
  const { t } = useTranslation();
  const preset = (value as { preset?: string } | null | undefined)?.preset;
  const mode = value == null ? "none" : preset ? "preset" : "custom";
  const [json, setJson] = useSynced(value && !preset ? JSON.stringify(value, null, 1) : "", (text) => {
    try {
      return JSON.stringify(JSON.parse(text)) === JSON.stringify(value);
    } catch {
      return false;
    }
  });
  const [invalid, setInvalid] = useState(false);
  return (
    <>
      <SelectField
        label={t("flow.panel.skeleton")}
        value={mode}
        options={[
          { value: "none", label: t("flow.panel.skeletonNone") },
          { value: "preset", label: t("flow.panel.skeletonPreset") },
          { value: "custom", label: t("flow.panel.skeletonCustom") },
        ]}
        onChange={(event) => {
          const next = event.target.value;
          if (next === "none") onChange(null);
          // The preset form is accepted by the server in place of a spelled-out skeleton (docs/task-types.md).
          else if (next === "preset") onChange({ preset: "coco-person" } as unknown as Skeleton);
          else onChange({ keypoints: ["point"], edges: [], sigmas: [] } as unknown as Skeleton);
        }}
      />
      {mode === "custom" && (
        <TextArea
          label={t("flow.panel.skeletonJson")}
          rows={6}
          value={json}
          error={invalid ? t("flow.panel.skeletonInvalid") : null}
          onChange={(event) => {
            setJson(event.target.value);
            try {
              onChange(JSON.parse(event.target.value) as Skeleton);
              setInvalid(false);
            } catch {
              setInvalid(true);
            }
          }}
        />
      )}
    </>
  );
}

export interface PanelActions {
  patchTask: (id: string, patch: TaskPatch, field: string) => void;
  changeType: (id: string, taskType: TaskType) => void;
  rename: (id: string, next: string) => boolean;
  setStart: (id: string) => void;
  renameEnd: (id: string, name: string) => void;
  deleteNode: (id: string) => void;
  connect: (source: string, target: string) => void;
  patchEdge: (id: string, patch: { condition?: Condition; maxTraversals?: number | null }, field: string) => void;
  reorderEdge: (id: string, direction: -1 | 1) => void;
  deleteEdge: (id: string) => void;
}

export function TaskPanel({
  node,
  graph,
  schema,
  problems,
  actions,
}: {
  node: TaskNode;
  graph: Graph;
  schema: FlowSchema | undefined;
  problems: Problem[];
  actions: PanelActions;
}) {
  const { t } = useTranslation();
  const task = schema?.$defs.TaskNode?.properties ?? {};
  const overlap = schema?.$defs.Overlap?.properties ?? {};
  const gold = schema?.$defs.GoldPolicy?.properties ?? {};
  const levels = schema?.$defs.AccuracyLevel?.enum ?? ["standard", "high", "premium"];
  const patch = (value: TaskPatch, field: string) => actions.patchTask(node.id, value, field);
  const patchOverlap = (key: string, value: unknown) => {
    const next = { ...(node.overlap ?? {}), [key]: value } as Record<string, unknown>;
    for (const name of Object.keys(next)) if (next[name] === undefined || next[name] === "") delete next[name];
    patch({ overlap: (Object.keys(next).length ? next : undefined) as TaskNode["overlap"] }, `overlap.${key}`);
  };
  const patchGold = (key: string, value: unknown) => {
    const next = { ...(node.gold ?? {}), [key]: value } as Record<string, unknown>;
    for (const name of Object.keys(next)) if (next[name] === undefined) delete next[name];
    patch({ gold: (Object.keys(next).length ? next : undefined) as TaskNode["gold"] }, `gold.${key}`);
  };
  const field = categoryField(node.taskType);
  const [target, setTarget] = useState("");
  return (
    <section className="flow-panel" aria-labelledby="flow-panel-title">
      <h3 id="flow-panel-title">{t("flow.panel.node", { id: node.id })}</h3>
      {problems.length > 0 && (
        <ul className="form-error" role="alert">
          {problems.map((problem, index) => (
            <li key={index}>{problem.message}</li>
          ))}
        </ul>
      )}
      <IdField id={node.id} onRename={(next) => actions.rename(node.id, next)} />
      <label className="checkbox">
        <input type="checkbox" checked={graph.start === node.id} onChange={() => actions.setStart(node.id)} disabled={graph.start === node.id} />
        {t("flow.panel.isStart")}
      </label>
      <SelectField
        label={t("flow.panel.taskType")}
        value={node.taskType}
        options={TASK_TYPES.map((type) => ({ value: type, label: t(`flow.taskTypes.${type}`) }))}
        onChange={(event) => actions.changeType(node.id, event.target.value as TaskType)}
      />
      <TextArea
        label={t("flow.panel.instruction")}
        rows={3}
        maxLength={task.instruction?.maxLength}
        value={node.instruction ?? ""}
        onChange={(event) => patch({ instruction: event.target.value }, "instruction")}
      />
      <TextField
        label={t("flow.panel.question")}
        maxLength={task.question?.anyOf?.[0]?.maxLength}
        value={node.question ?? ""}
        onChange={(event) => patch({ question: event.target.value === "" && field !== "options" ? null : event.target.value }, "question")}
      />
      {(field === "options" || (node.options?.length ?? 0) > 0) && (
        <ListField label={t("flow.panel.options")} value={node.options ?? []} onChange={(options) => patch({ options }, "options")} />
      )}
      {(field === "labels" || (node.labels?.length ?? 0) > 0) && (
        <ListField label={t("flow.panel.labels")} value={node.labels ?? []} onChange={(labels) => patch({ labels }, "labels")} />
      )}
      {(node.taskType === "audio_segments" || node.transcribe != null) && (
        <label className="checkbox">
          <input type="checkbox" checked={!!node.transcribe} onChange={(event) => patch({ transcribe: event.target.checked || null }, "transcribe")} />
          {t("flow.panel.transcribe")}
        </label>
      )}
      {(node.taskType === "text_spans" || node.overlappingSpans != null) && (
        <label className="checkbox">
          <input
            type="checkbox"
            checked={!!node.overlappingSpans}
            onChange={(event) => patch({ overlappingSpans: event.target.checked || null }, "overlappingSpans")}
          />
          {t("flow.panel.overlappingSpans")}
        </label>
      )}
      {(node.taskType === "video_detection" || node.sampleEvery != null) && (
        <NumberField
          label={t("flow.panel.sampleEvery")}
          integer
          value={node.sampleEvery}
          field={task.sampleEvery}
          onChange={(value) => patch({ sampleEvery: value ?? null }, "sampleEvery")}
        />
      )}
      {(node.taskType === "keypoint_skeleton" || node.skeleton != null) && (
        <SkeletonField value={node.skeleton} onChange={(skeleton) => patch({ skeleton }, "skeleton")} />
      )}
      <fieldset>
        <legend>{t("flow.panel.overlap")}</legend>
        <NumberField label={t("flow.panel.minOverlap")} integer value={node.overlap?.minOverlap} field={overlap.minOverlap} onChange={(v) => patchOverlap("minOverlap", v)} />
        <NumberField label={t("flow.panel.maxOverlap")} integer value={node.overlap?.maxOverlap} field={overlap.maxOverlap} onChange={(v) => patchOverlap("maxOverlap", v)} />
        <NumberField label={t("flow.panel.agreement")} value={node.overlap?.agreement} field={overlap.agreement} onChange={(v) => patchOverlap("agreement", v)} />
        <SelectField
          label={t("flow.panel.level")}
          value={node.overlap?.level ?? ""}
          options={[
            { value: "", label: t("flow.panel.defaultValue", { value: t(`flow.panel.levels.${String(overlap.level?.default ?? "high")}`) }) },
            ...levels.map((level) => ({ value: level, label: t(`flow.panel.levels.${level}`) })),
          ]}
          onChange={(event) => patchOverlap("level", event.target.value || undefined)}
        />
      </fieldset>
      <fieldset>
        <legend>{t("flow.panel.gold")}</legend>
        <NumberField label={t("flow.panel.goldRate")} value={node.gold?.rate} field={gold.rate} onChange={(v) => patchGold("rate", v)} />
        <NumberField label={t("flow.panel.qualifying")} integer value={node.gold?.qualifying} field={gold.qualifying} onChange={(v) => patchGold("qualifying", v)} />
      </fieldset>
      <fieldset>
        <legend>{t("flow.panel.connectTo")}</legend>
        <SelectField
          label={t("flow.panel.connectTo")}
          value={target}
          options={[
            { value: "", label: t("flow.panel.chooseTarget") },
            ...graph.nodes.filter((other) => other.id !== node.id).map((other) => ({ value: other.id, label: other.id })),
          ]}
          onChange={(event) => setTarget(event.target.value)}
        />
        <button
          type="button"
          disabled={!target}
          onClick={() => {
            actions.connect(node.id, target);
            setTarget("");
          }}
        >
          {t("flow.panel.connect")}
        </button>
      </fieldset>
      <button type="button" className="danger" onClick={() => actions.deleteNode(node.id)}>
        {t("flow.panel.deleteNode")}
      </button>
    </section>
  );
}

export function EndPanel({ node, problems, actions }: { node: EndNode; problems: Problem[]; actions: PanelActions }) {
  const { t } = useTranslation();
  return (
    <section className="flow-panel" aria-labelledby="flow-panel-title">
      <h3 id="flow-panel-title">{t("flow.panel.end", { id: node.id })}</h3>
      {problems.length > 0 && (
        <ul className="form-error" role="alert">
          {problems.map((problem, index) => (
            <li key={index}>{problem.message}</li>
          ))}
        </ul>
      )}
      <IdField id={node.id} onRename={(next) => actions.rename(node.id, next)} />
      <TextField label={t("flow.panel.name")} maxLength={256} value={node.name ?? ""} onChange={(event) => actions.renameEnd(node.id, event.target.value)} />
      <button type="button" className="danger" onClick={() => actions.deleteNode(node.id)}>
        {t("flow.panel.deleteNode")}
      </button>
    </section>
  );
}

export function EdgePanel({
  edge,
  graph,
  schema,
  problems,
  actions,
}: {
  edge: GraphEdge;
  graph: Graph;
  schema: FlowSchema | undefined;
  problems: Problem[];
  actions: PanelActions;
}) {
  const { t } = useTranslation();
  const source = findNode(graph, edge.source);
  const categories = isTask(source) ? [...(source.options ?? []), ...(source.labels ?? [])] : [];
  const condition = edge.condition;
  const setCondition = (next: Condition, field: string) => actions.patchEdge(edge.id, { condition: next }, field);
  const siblings = edgesFrom(graph, edge.source);
  const position = siblings.findIndex((one) => one.id === edge.id) + 1;
  const needsValue = condition.type !== "always";
  const values = [...new Set([...categories, ...(condition.value ? [condition.value] : [])])];
  return (
    <section className="flow-panel" aria-labelledby="flow-panel-title">
      <h3 id="flow-panel-title">{t("flow.panel.edge", { source: edge.source, target: edge.target })}</h3>
      <SelectField
        label={t("flow.panel.condition")}
        value={condition.type}
        error={problemText(problems)}
        options={CONDITION_TYPES.map((type) => ({ value: type, label: t(`flow.panel.conditionTypes.${type}`) }))}
        onChange={(event) => {
          const type = event.target.value as Condition["type"];
          // A fresh condition of the new type: `always` takes nothing else; the others start on the first category.
          const next: Condition = { type };
          if (type !== "always" && type !== "shapeCount") next.value = condition.value ?? categories[0] ?? null;
          if (type === "shapeCount") Object.assign(next, { op: condition.op ?? "gt", count: condition.count ?? 0 });
          setCondition(next, "condition.type");
        }}
      />
      {needsValue &&
        (values.length ? (
          <SelectField
            label={t("flow.panel.value")}
            value={condition.value ?? ""}
            options={[
              ...(condition.type === "shapeCount" || !condition.value ? [{ value: "", label: t("flow.panel.anyLabel") }] : []),
              ...values.map((value) => ({ value, label: value })),
            ]}
            onChange={(event) => setCondition({ ...condition, value: event.target.value || null }, "condition.value")}
          />
        ) : (
          <TextField
            label={t("flow.panel.value")}
            value={condition.value ?? ""}
            onChange={(event) => setCondition({ ...condition, value: event.target.value || null }, "condition.value")}
          />
        ))}
      {condition.type === "shapeCount" && (
        <>
          <SelectField
            label={t("flow.panel.op")}
            value={condition.op ?? ""}
            options={COUNT_OPS.map((op) => ({ value: op, label: t(`flow.panel.ops.${op}`) }))}
            onChange={(event) => setCondition({ ...condition, op: event.target.value as Condition["op"] }, "condition.op")}
          />
          <NumberField
            label={t("flow.panel.count")}
            integer
            value={condition.count}
            field={schema?.$defs.Condition?.properties?.count}
            onChange={(count) => setCondition({ ...condition, count: count ?? null }, "condition.count")}
          />
        </>
      )}
      <NumberField
        label={t("flow.panel.maxTraversals")}
        integer
        value={edge.maxTraversals}
        field={schema?.$defs.Edge?.properties?.maxTraversals}
        onChange={(value) => actions.patchEdge(edge.id, { maxTraversals: value ?? null }, "maxTraversals")}
      />
      <p className="muted">{t("flow.panel.order", { position, count: siblings.length })}</p>
      <div className="actions">
        <button type="button" disabled={position <= 1} onClick={() => actions.reorderEdge(edge.id, -1)}>
          {t("flow.panel.earlier")}
        </button>
        <button type="button" disabled={position >= siblings.length} onClick={() => actions.reorderEdge(edge.id, 1)}>
          {t("flow.panel.later")}
        </button>
      </div>
      <button type="button" className="danger" onClick={() => actions.deleteEdge(edge.id)}>
        {t("flow.panel.deleteEdge")}
      </button>
    </section>
  );
}
