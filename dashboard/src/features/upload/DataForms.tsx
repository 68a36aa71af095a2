import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { FormError, SelectField, TextArea, TextField } from "../../components/Field";
import { Pager, useCursorPages } from "../../components/Pager";
import { EmptyState, LoadError, ProgressBar, Spinner } from "../../components/Status";
import { fieldMessage, fieldOf, messageOf } from "../../components/serverError";
import { count, dateTime } from "../../lib/format";
import { importGCS, importS3, linksIn, listImports, listRefusedItems, retrieveImport, submitResource, type ImportInfo, type ResourceType } from "./api";

/** The server's message for one field ("bucket: …", "params.keyFile: …"), else null. */
function fieldError(error: unknown, name: string, fields: string[]): string | null {
  return fieldMessage(error, name, fields);
}
/** The message when it names none of the form's fields. */
function formError(error: unknown, fields: string[]): string | null {
  if (!error || fieldOf(error, fields)) return null;
  return messageOf(error);
}

/** Links pasted or read from a CSV file (submitResource). */
export function LinksForm({ projectId, resourceType }: { projectId: string; resourceType: ResourceType }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [text, setText] = useState("");
  const submit = useMutation({
    mutationFn: () => submitResource(projectId, resourceType, linksIn(text)),
    onSuccess: () => {
      setText("");
      void client.invalidateQueries({ queryKey: ["project", projectId] });
      void client.invalidateQueries({ queryKey: ["refused", projectId] });
    },
  });
  const links = linksIn(text);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    submit.mutate();
  };
  return (
    <section aria-labelledby="links-title" className="card">
      <h2 id="links-title">{t("upload.links.title")}</h2>
      <form onSubmit={onSubmit} noValidate>
        <TextArea
          label={t("upload.links.label")}
          hint={t("upload.links.hint")}
          rows={4}
          value={text}
          onChange={(e) => setText(e.target.value)}
          error={fieldError(submit.error, "resourceURLs", ["resourceURLs", "resourceType"])}
        />
        <label className="button">
          {t("upload.links.csv")}
          <input
            type="file"
            accept=".csv,text/csv,text/plain"
            className="visually-hidden"
            aria-label={t("upload.links.csv")}
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (file) void file.text().then((csv) => setText((old) => [old.trim(), ...linksIn(csv)].filter(Boolean).join("\n")));
              e.target.value = "";
            }}
          />
        </label>
        <FormError error={formError(submit.error, ["resourceURLs", "resourceType"])} />
        {submit.data && (
          <p role="status" className="notice">
            {t("upload.links.done", { added: submit.data.addedURLs.length, existing: submit.data.existingURLs.length })}
          </p>
        )}
        <button type="submit" className="primary" disabled={submit.isPending || !links.length}>
          {submit.isPending ? t("common.saving") : t("upload.links.submit", { count: links.length })}
        </button>
      </form>
    </section>
  );
}

/** S3 import: access keys, or (safer) a role ARN with an external id (docs/data-in.md). */
export function S3ImportForm({ projectId, resourceType, onStarted }: { projectId: string; resourceType: ResourceType; onStarted: (job: ImportInfo) => void }) {
  const { t } = useTranslation();
  const [mode, setMode] = useState<"keys" | "role">("keys");
  const [values, setValues] = useState({ bucket: "", prefix: "", region: "", accessKeyId: "", secretAccessKey: "", roleArn: "", externalId: "" });
  const set = (key: keyof typeof values) => (e: { target: { value: string } }) => setValues((old) => ({ ...old, [key]: e.target.value }));
  const start = useMutation({
    mutationFn: () =>
      importS3({
        projectId,
        resourceType,
        bucket: values.bucket.trim(),
        prefix: values.prefix.trim(),
        ...(values.region.trim() ? { region: values.region.trim() } : {}),
        ...(mode === "keys"
          ? { accessKeyId: values.accessKeyId.trim(), secretAccessKey: values.secretAccessKey }
          : { roleArn: values.roleArn.trim(), externalId: values.externalId.trim() }),
      }),
    onSuccess: (job) => {
      setValues((old) => ({ ...old, secretAccessKey: "" }));
      onStarted(job);
    },
  });
  const fields = ["bucket", "prefix", "region", "accessKeyId", "secretAccessKey", "roleArn", "externalId"];
  const err = (name: string) => fieldError(start.error, name, fields);
  return (
    <section aria-labelledby="s3-title" className="card">
      <h2 id="s3-title">{t("upload.s3.title")}</h2>
      <form onSubmit={(e) => { e.preventDefault(); start.mutate(); }} noValidate>
        <TextField label={t("upload.s3.bucket")} hint={t("upload.bucketHint")} value={values.bucket} onChange={set("bucket")} error={err("bucket")} />
        <TextField label={t("upload.prefix")} value={values.prefix} onChange={set("prefix")} error={err("prefix")} />
        <TextField label={t("upload.s3.region")} hint={t("upload.s3.regionHint")} value={values.region} onChange={set("region")} error={err("region")} />
        <SelectField
          label={t("upload.s3.access")}
          value={mode}
          onChange={(e) => setMode(e.target.value as "keys" | "role")}
          options={[{ value: "keys", label: t("upload.s3.keys") }, { value: "role", label: t("upload.s3.role") }]}
        />
        {mode === "keys" ? (
          <>
            <TextField label={t("upload.s3.accessKeyId")} autoComplete="off" value={values.accessKeyId} onChange={set("accessKeyId")} error={err("accessKeyId")} />
            <TextField label={t("upload.s3.secretAccessKey")} type="password" autoComplete="off" value={values.secretAccessKey} onChange={set("secretAccessKey")} error={err("secretAccessKey")} />
          </>
        ) : (
          <>
            <TextField label={t("upload.s3.roleArn")} hint="arn:aws:iam::<account>:role/<name>" value={values.roleArn} onChange={set("roleArn")} error={err("roleArn")} />
            <TextField label={t("upload.s3.externalId")} value={values.externalId} onChange={set("externalId")} error={err("externalId")} />
          </>
        )}
        <FormError error={formError(start.error, fields)} />
        <button type="submit" className="primary" disabled={start.isPending}>
          {start.isPending ? t("upload.importing") : t("upload.s3.submit")}
        </button>
      </form>
    </section>
  );
}

/** GCS import: the bucket and a service-account key file, pasted or dropped. */
export function GcsImportForm({ projectId, resourceType, onStarted }: { projectId: string; resourceType: ResourceType; onStarted: (job: ImportInfo) => void }) {
  const { t } = useTranslation();
  const [bucket, setBucket] = useState("");
  const [prefix, setPrefix] = useState("");
  const [keyFile, setKeyFile] = useState("");
  const start = useMutation({
    mutationFn: () => importGCS({ projectId, resourceType, bucket: bucket.trim(), prefix: prefix.trim(), keyFile }),
    onSuccess: (job) => {
      setKeyFile("");
      onStarted(job);
    },
  });
  const readKey = (file: File | undefined) => file && void file.text().then(setKeyFile);
  const err = (name: string) => fieldError(start.error, name, ["bucket", "prefix", "keyFile"]);
  return (
    <section aria-labelledby="gcs-title" className="card">
      <h2 id="gcs-title">{t("upload.gcs.title")}</h2>
      <form onSubmit={(e) => { e.preventDefault(); start.mutate(); }} noValidate>
        <TextField label={t("upload.gcs.bucket")} hint={t("upload.bucketHint")} value={bucket} onChange={(e) => setBucket(e.target.value)} error={err("bucket")} />
        <TextField label={t("upload.prefix")} value={prefix} onChange={(e) => setPrefix(e.target.value)} error={err("prefix")} />
        <div
          onDragOver={(e) => e.preventDefault()}
          onDrop={(e) => {
            e.preventDefault();
            readKey(e.dataTransfer.files[0]);
          }}
        >
          <TextArea label={t("upload.gcs.keyFile")} hint={t("upload.gcs.keyFileHint")} rows={5} spellCheck={false} value={keyFile} onChange={(e) => setKeyFile(e.target.value)} error={err("keyFile")} />
        </div>
        <label className="button">
          {t("upload.gcs.pickKey")}
          <input type="file" accept=".json,application/json" className="visually-hidden" aria-label={t("upload.gcs.pickKey")} onChange={(e) => readKey(e.target.files?.[0])} />
        </label>
        <FormError error={formError(start.error, ["bucket", "prefix", "keyFile"])} />
        <button type="submit" className="primary" disabled={start.isPending}>
          {start.isPending ? t("upload.importing") : t("upload.gcs.submit")}
        </button>
      </form>
    </section>
  );
}

const RUNNING = ["listing", "checking"];

function ImportRow({ projectId, job }: { projectId: string; job: ImportInfo }) {
  const { t } = useTranslation();
  // Polls its own job while it runs (retrieveImport), then stops.
  const live = useQuery({
    queryKey: ["import", projectId, job.importId],
    queryFn: () => retrieveImport(projectId, job.importId),
    initialData: job,
    refetchInterval: (query) => (RUNNING.includes(query.state.data?.status ?? "") ? 2000 : false),
  });
  const info = live.data ?? job;
  const client = useQueryClient();
  // A finished import changed the project's counts and maybe its refused files.
  const finished = !RUNNING.includes(info.status);
  const wasRunning = RUNNING.includes(job.status);
  useEffect(() => {
    if (finished && wasRunning) {
      void client.invalidateQueries({ queryKey: ["project", projectId] });
      void client.invalidateQueries({ queryKey: ["refused", projectId] });
    }
  }, [finished, wasRunning, client, projectId]);
  const { listed, added, skippedDuplicate, refused } = info.counts;
  return (
    <li className="card" data-testid="import-job">
      <div className="actions">
        <strong>{info.kind === "gcs" ? "gs" : "s3"}://{info.bucket}/{info.prefix}</strong>
        <span className="status">{t(`upload.imports.status.${info.status}`, { defaultValue: info.status })}</span>
        <span className="muted">{dateTime(info.createdAt)}</span>
      </div>
      <ProgressBar
        label={t("upload.imports.counts", { listed: count(listed), added: count(added), skipped: count(skippedDuplicate), refused: count(refused) })}
        value={info.status === "done" ? 1 : added + skippedDuplicate + refused}
        max={info.status === "done" ? 1 : Math.max(listed, 1)}
      />
      {info.error && <div className="form-error" role="alert">{info.error}</div>}
      {info.refusals.length > 0 && (
        <details>
          <summary>{t("upload.imports.refusals", { count: info.refusals.length })}</summary>
          <ul>
            {info.refusals.map((refusal, index) => (
              <li key={index}>
                <code>{String((refusal as { key?: string }).key ?? "")}</code>: {String((refusal as { reason?: string }).reason ?? "")}
              </li>
            ))}
          </ul>
        </details>
      )}
    </li>
  );
}

/** The project's imports, newest first (listImports answers at most 100), each with its live progress. */
export function ImportList({ projectId }: { projectId: string }) {
  const { t } = useTranslation();
  const imports = useQuery({ queryKey: ["imports", projectId], queryFn: () => listImports(projectId) });
  if (imports.isPending) return <Spinner />;
  if (imports.error) return <LoadError error={messageOf(imports.error)} onRetry={() => void imports.refetch()} />;
  if (!imports.data.imports.length) return null;
  return (
    <section aria-labelledby="imports-title">
      <h2 id="imports-title">{t("upload.imports.title")}</h2>
      <ul className="plain">
        {imports.data.imports.map((job) => (
          <ImportRow key={job.importId} projectId={projectId} job={job} />
        ))}
      </ul>
    </section>
  );
}

/** Files the content check refused (never labeled, counted or billed), a page at a time. */
export function RefusedList({ projectId }: { projectId: string }) {
  const { t } = useTranslation();
  const pages = useCursorPages();
  const refused = useQuery({
    queryKey: ["refused", projectId, pages.cursor],
    queryFn: () => listRefusedItems(projectId, pages.cursor),
    placeholderData: keepPreviousData,
    refetchInterval: (query) => ((query.state.data?.checkingCount ?? 0) > 0 ? 3000 : false),
  });
  if (refused.isPending) return <Spinner />;
  if (refused.error) return <LoadError error={messageOf(refused.error)} onRetry={() => void refused.refetch()} />;
  const data = refused.data;
  return (
    <section aria-labelledby="refused-title">
      <h2 id="refused-title">{t("upload.refused.title")}</h2>
      <p data-testid="checking-summary">{t("upload.refused.summary", { checking: count(data.checkingCount), refused: count(data.refusedCount) })}</p>
      {data.items.length === 0 ? (
        <EmptyState title={t("upload.refused.none")} />
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t("upload.refused.file")}</th>
                <th scope="col">{t("upload.refused.reason")}</th>
                <th scope="col">{t("upload.refused.when")}</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((item) => (
                <tr key={item.itemId}>
                  <td><code>{item.url}</code></td>
                  <td>{item.reason}</td>
                  <td>{dateTime(item.created)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {(pages.page > 1 || data.nextCursor) && <Pager page={pages.page} nextCursor={data.nextCursor} onNext={pages.next} onPrevious={pages.previous} />}
    </section>
  );
}
