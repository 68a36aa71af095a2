import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useParams } from "react-router";
import { projectQuery } from "../../app/ProjectShell";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { messageOf } from "../../components/serverError";
import { LoadError, Spinner } from "../../components/Status";
import { count, money, percent } from "../../lib/format";
import { alterState, cumulative, deliveryTimes, estimate, retrieveStatement, CHART_PAGES, type AlterType } from "./api";
import { FinishedChart } from "./FinishedChart";
import "./progress.css";

/** States in which the counts move: the page polls while in them. */
const LIVE = ["checking", "trial", "inProgress", "ending"];
/** The lifecycle actions offered per state (docs/lifecycle.md); the server still decides and says why not. */
const ACTIONS: Record<string, AlterType[]> = { inProgress: ["pause", "end"], paused: ["start", "end"] };

function Count({ label, value, total, kind }: { label: string; value: number; total: number; kind: string }) {
  return (
    <div className={`count count-${kind}`} data-testid={`count-${kind}`}>
      <div className="count-value">{count(value)}</div>
      <div className="count-label">{label}</div>
      <div className="muted">{total ? percent(value / total) : "—"}</div>
    </div>
  );
}

/** The project tab "progress" (the seed's 实时监控进度和管理项目). */
export function ProgressPage() {
  const { t } = useTranslation();
  const { projectId = "" } = useParams();
  const client = useQueryClient();
  const project = useQuery({
    ...projectQuery(projectId),
    refetchInterval: (query) => (LIVE.includes(query.state.data?.projectData.projectStatus ?? "") ? 5000 : false),
  });
  const status = project.data?.projectData.projectStatus ?? "";
  const live = LIVE.includes(status);
  const statement = useQuery({ queryKey: ["statement", projectId], queryFn: () => retrieveStatement(projectId), refetchInterval: live ? 15000 : false });
  const estimated = useQuery({ queryKey: ["estimate", projectId], queryFn: () => estimate(projectId), retry: false });
  const chart = useQuery({ queryKey: ["deliveries", projectId], queryFn: () => deliveryTimes(projectId), refetchInterval: live ? 30000 : false });
  const [asking, setAsking] = useState<AlterType | null>(null);
  const change = useMutation({
    mutationFn: (type: AlterType) => alterState(projectId, type),
    onSuccess: () => {
      setAsking(null);
      void client.invalidateQueries({ queryKey: ["project", projectId] });
      void client.invalidateQueries({ queryKey: ["projects"] });
    },
    onError: () => setAsking(null),
  });
  if (project.isPending) return <Spinner />;
  if (project.error) return <LoadError error={messageOf(project.error)} onRetry={() => void project.refetch()} />;
  const p = project.data.projectData;
  const total = p.projectItemQuantity;
  const currency = statement.data?.currency ?? "USD";
  const spent = statement.data?.totalCents;
  const estimateCents = estimated.data?.estimateCents;
  return (
    <section aria-labelledby="progress-title">
      <h2 id="progress-title">{t("progress.title")}</h2>
      {live && <p className="muted" aria-live="polite">{t("progress.live")}</p>}
      <div className="counts" aria-label={t("progress.countsLabel")} role="group">
        <Count kind="notStarted" label={t("progress.notStarted")} value={p.noStartQuantity} total={total} />
        <Count kind="inWork" label={t("progress.inWork")} value={p.processingQuantity} total={total} />
        <Count kind="done" label={t("progress.done")} value={p.successQuantity} total={total} />
        <Count kind="failed" label={t("progress.failed")} value={p.failedQuantity} total={total} />
      </div>
      <p data-testid="total">{t("progress.total", { total: count(total), finished: count(p.completedQuantity) })}</p>
      <progress aria-label={t("progress.overall")} value={p.completedQuantity} max={Math.max(total, 1)} className="overall" />

      <h3>{t("progress.spendTitle")}</h3>
      {statement.isPending ? (
        <Spinner />
      ) : statement.error ? (
        <LoadError error={messageOf(statement.error)} onRetry={() => void statement.refetch()} />
      ) : (
        <div className="spend">
          <p data-testid="spent">
            {estimateCents != null
              ? t("progress.spentOfEstimate", { spent: money(spent ?? 0, currency), estimate: money(estimateCents, currency) })
              : t("progress.spent", { spent: money(spent ?? 0, currency) })}
          </p>
          {estimateCents != null && estimateCents > 0 && (
            <progress aria-label={t("progress.spendLabel")} value={Math.min(spent ?? 0, estimateCents)} max={estimateCents} className="overall" />
          )}
          {estimated.error && <p className="muted">{t("progress.noEstimate", { reason: messageOf(estimated.error) })}</p>}
          {estimated.data?.note && <p className="muted">{estimated.data.note}</p>}
        </div>
      )}

      <h3>{t("progress.chart.title")}</h3>
      {chart.isPending ? (
        <Spinner />
      ) : chart.error ? (
        <LoadError error={messageOf(chart.error)} onRetry={() => void chart.refetch()} />
      ) : (
        <>
          <FinishedChart points={cumulative(chart.data.times, p.completedQuantity, Date.now())} />
          {chart.data.times.length > 0 && (
            <p className="muted">{chart.data.complete ? t("progress.chart.source") : t("progress.chart.partial", { count: CHART_PAGES * 100 })}</p>
          )}
        </>
      )}

      {(ACTIONS[status] ?? []).length > 0 && (
        <div className="actions" role="group" aria-label={t("progress.manage")}>
          {(ACTIONS[status] ?? []).map((type) => (
            <button key={type} type="button" className={type === "end" ? "danger" : type === "start" ? "primary" : undefined} onClick={() => setAsking(type)}>
              {t(`progress.actions.${type}`)}
            </button>
          ))}
        </div>
      )}
      {change.error && <LoadError error={messageOf(change.error)} />}
      {change.isSuccess && <p role="status" className="notice">{t("progress.changed")}</p>}
      <ConfirmDialog
        open={!!asking}
        title={asking ? t(`progress.confirm.${asking}Title`) : ""}
        confirmLabel={asking ? t(`progress.actions.${asking}`) : ""}
        busy={change.isPending}
        onConfirm={() => asking && change.mutate(asking)}
        onCancel={() => setAsking(null)}
      >
        {asking && <p>{t(`progress.confirm.${asking}Body`)}</p>}
      </ConfirmDialog>
    </section>
  );
}
