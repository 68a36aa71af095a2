import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { useParams } from "react-router";
import { projectQuery } from "../../app/ProjectShell";
import { FormError, SelectField } from "../../components/Field";
import { EmptyState, LoadError, ProgressBar, Spinner } from "../../components/Status";
import { count, dateTime } from "../../lib/format";
import { exportQuery, exportsQuery, formatsFor, requestExport, type ExportFormat, type ExportInfo } from "./api";
import "../../components/resultViews.css";

function bytes(size: number | null): string {
  if (size == null) return "—";
  const units = ["B", "KB", "MB", "GB"];
  let value = size;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit ? 1 : 0)} ${units[unit]}`;
}

/** A summary figure: a number, or per task type ({taskType: n}). */
function total(value: unknown): number {
  if (typeof value === "number") return value;
  if (value && typeof value === "object") return Object.values(value).reduce<number>((sum, v) => sum + total(v), 0);
  return 0;
}

function Watch({ projectId, exportId, expected }: { projectId: string; exportId: string; expected: number }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const job = useQuery({
    ...exportQuery(projectId, exportId),
    refetchInterval: (query) => (query.state.data && ["done", "failed"].includes(query.state.data.status) ? false : 1_000),
  });
  const finished = job.data && ["done", "failed"].includes(job.data.status);
  useEffect(() => {
    if (finished) void client.invalidateQueries({ queryKey: ["exports", projectId] });
  }, [finished, client, projectId]);
  if (job.isPending) return <Spinner />;
  if (job.error) return <LoadError error={job.error} onRetry={() => void job.refetch()} />;
  const data = job.data;
  return (
    <div className="card" data-testid="export-job">
      <p>
        {t("export.status")}: <strong>{t(`export.statuses.${data.status}`)}</strong>
      </p>
      {!finished && <ProgressBar label={t("export.written")} value={data.itemCount} max={Math.max(expected, data.itemCount)} />}
      {data.status === "done" && (
        <>
          <p role="status">{t("export.ready", { items: count(data.itemCount), size: bytes(data.sizeBytes) })}</p>
          {data.summary && (
            <p className="muted">
              {t("export.summary", { exported: total(data.summary.exported), unsupported: total(data.summary.unsupported), invalid: total(data.summary.invalid) })}
            </p>
          )}
          <a className="button primary" href={data.downloadURL} download>
            {t("export.download", { format: data.format })}
          </a>
        </>
      )}
      {data.status === "failed" && <FormError error={t("export.failed", { error: data.error ?? "" })} />}
    </div>
  );
}

function Earlier({ exports }: { exports: ExportInfo[] }) {
  const { t } = useTranslation();
  if (exports.length === 0) return <EmptyState title={t("export.empty")} />;
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">{t("export.created")}</th>
            <th scope="col">{t("export.format")}</th>
            <th scope="col">{t("export.status")}</th>
            <th scope="col" className="number">
              {t("export.items")}
            </th>
            <th scope="col" className="number">
              {t("export.size")}
            </th>
            <th scope="col">{t("export.file")}</th>
          </tr>
        </thead>
        <tbody>
          {exports.map((row) => (
            <tr key={row.exportId}>
              <td>{dateTime(row.createdAt)}</td>
              <td>{row.format}</td>
              <td>{t(`export.statuses.${row.status}`)}</td>
              <td className="number">{count(row.itemCount)}</td>
              <td className="number">{bytes(row.sizeBytes)}</td>
              <td>
                {row.downloadURL ? (
                  <a href={row.downloadURL} download aria-label={`${t("export.downloadShort")} ${row.format} ${dateTime(row.createdAt)}`}>
                    {t("export.downloadShort")}
                  </a>
                ) : (
                  row.error ?? "—"
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The project's "export" tab: choose a format, watch the job, download; earlier exports below. */
export function ExportTab() {
  const { t } = useTranslation();
  const { projectId = "" } = useParams();
  const project = useQuery(projectQuery(projectId));
  const exports = useQuery(exportsQuery(projectId));
  const formats = formatsFor(project.data?.projectData.taskType);
  const [format, setFormat] = useState<ExportFormat | "">("");
  const chosen = format && formats.includes(format) ? format : formats[0];
  const start = useMutation({
    mutationFn: () => requestExport(projectId, chosen),
    onSuccess: () => void exports.refetch(),
  });
  return (
    <section aria-labelledby="export-title" className="stack">
      <h2 id="export-title">{t("export.title")}</h2>
      <p className="muted">{t("export.intro")}</p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          start.mutate();
        }}
      >
        <SelectField
          label={t("export.format")}
          value={chosen}
          onChange={(event) => setFormat(event.target.value as ExportFormat)}
          options={formats.map((value) => ({ value, label: t(`export.formats.${value}`) }))}
          error={start.error?.message}
        />
        <button type="submit" className="primary" disabled={start.isPending}>
          {t("export.start")}
        </button>
      </form>
      {start.data && <Watch key={start.data.exportId} projectId={projectId} exportId={start.data.exportId} expected={project.data?.projectData.completedQuantity ?? 0} />}
      <h3>{t("export.earlier")}</h3>
      {exports.isPending && <Spinner />}
      {exports.error && <LoadError error={exports.error} onRetry={() => void exports.refetch()} />}
      {exports.data && <Earlier exports={exports.data.exports} />}
    </section>
  );
}
