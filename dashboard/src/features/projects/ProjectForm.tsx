import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { FormError, SelectField, TextArea, TextField } from "../../components/Field";
import { fieldMessage, fieldOf, messageOf } from "../../components/serverError";
import { ApiError } from "../../lib/api";
import "./projects.css";
import { PROJECT_TYPES, TASK_TYPES, type CreateProjectParams, type ProjectType, type TaskType } from "./api";

export interface ProjectValues {
  projectName: string;
  type: ProjectType;
  taskType: TaskType;
  instruction: string;
  question: string;
  target: string;
  options: string[];
}

export const EMPTY_PROJECT: ProjectValues = {
  projectName: "",
  type: "image_classification",
  taskType: "single_choice",
  instruction: "",
  question: "",
  target: "",
  options: ["", ""],
};

/** The params as the documented call takes them: empty optional texts and option rows are left out, so the
 * server (not this form) decides what a project type requires. */
export function toParams(values: ProjectValues): CreateProjectParams {
  const options = values.options.map((value) => value.trim()).filter(Boolean);
  return {
    projectName: values.projectName.trim(),
    type: values.type,
    taskType: values.taskType,
    ...(values.instruction.trim() ? { instruction: values.instruction } : {}),
    ...(values.question.trim() ? { question: values.question } : {}),
    ...(values.target.trim() ? { target: values.target } : {}),
    ...(options.length ? { options: options.map((value) => ({ value })) } : {}),
  };
}

const FIELDS = ["projectName", "name", "type", "taskType", "instruction", "question", "target", "options"];

/** Create Project and the settings tab: the documented create params, the server's messages inline. */
export function ProjectForm({
  initial,
  submitLabel,
  onSubmit,
  savedLabel,
}: {
  initial: ProjectValues;
  submitLabel: string;
  onSubmit: (values: ProjectValues) => Promise<void>;
  /** Shown once a submission succeeded (the settings tab stays on the form). */
  savedLabel?: string;
}) {
  const { t } = useTranslation();
  const [values, setValues] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);
  const set = <K extends keyof ProjectValues>(key: K, value: ProjectValues[K]) => setValues((old) => ({ ...old, [key]: value }));
  const named = fieldOf(error, FIELDS);
  const errorFor = (name: string) => fieldMessage(error, name, FIELDS);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setSaved(false);
    onSubmit(values)
      .then(() => setSaved(true))
      .catch((caught: unknown) => setError(caught instanceof ApiError ? caught : new ApiError(String(caught), "unknown", 0)))
      .finally(() => setBusy(false));
  };
  return (
    <form onSubmit={submit} noValidate aria-label={submitLabel}>
      <TextField label={t("projects.form.name")} value={values.projectName} onChange={(e) => set("projectName", e.target.value)} error={errorFor("projectName") ?? errorFor("name")} required />
      <SelectField
        label={t("projects.form.type")}
        value={values.type}
        onChange={(e) => set("type", e.target.value as ProjectType)}
        options={PROJECT_TYPES.map((value) => ({ value, label: t(`projects.types.${value}`) }))}
        error={errorFor("type")}
      />
      <SelectField
        label={t("projects.form.taskType")}
        value={values.taskType}
        onChange={(e) => set("taskType", e.target.value as TaskType)}
        options={TASK_TYPES.map((value) => ({ value, label: t(`projects.taskTypes.${value}`) }))}
        error={errorFor("taskType")}
        hint={t("projects.form.taskTypeHint")}
      />
      <TextArea label={t("projects.form.instruction")} value={values.instruction} onChange={(e) => set("instruction", e.target.value)} error={errorFor("instruction")} rows={3} />
      <TextField label={t("projects.form.question")} value={values.question} onChange={(e) => set("question", e.target.value)} error={errorFor("question")} hint={t("projects.form.questionHint")} />
      <fieldset className="field">
        <legend>{t("projects.form.options")}</legend>
        <div className="field-hint">{t("projects.form.optionsHint")}</div>
        {values.options.map((option, index) => (
          <div className="option-row" key={index}>
            <TextField
              label={t("projects.form.option", { n: index + 1 })}
              value={option}
              onChange={(e) => set("options", values.options.map((old, i) => (i === index ? e.target.value : old)))}
            />
            <button type="button" onClick={() => set("options", values.options.filter((_, i) => i !== index))} aria-label={t("projects.form.removeOption", { n: index + 1 })}>
              {t("projects.form.remove")}
            </button>
          </div>
        ))}
        <button type="button" className="add-option" onClick={() => set("options", [...values.options, ""])}>
          {t("projects.form.addOption")}
        </button>
        {errorFor("options") && (
          <div className="field-error" role="alert">
            {errorFor("options")}
          </div>
        )}
      </fieldset>
      <TextField label={t("projects.form.target")} value={values.target} onChange={(e) => set("target", e.target.value)} error={errorFor("target")} hint={t("projects.form.targetHint")} />
      <p className="muted">{t("projects.form.accuracyNote")}</p>
      <FormError error={error && !named ? messageOf(error) : null} />
      {saved && savedLabel && <p role="status" className="notice">{savedLabel}</p>}
      <button className="primary" type="submit" disabled={busy}>
        {busy ? t("common.saving") : submitLabel}
      </button>
    </form>
  );
}
