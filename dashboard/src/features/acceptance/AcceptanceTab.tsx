import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useParams } from "react-router";
import { AnswerView } from "../../components/AnswerView";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { FormError, SelectField, TextArea } from "../../components/Field";
import { Pager, useCursorPages } from "../../components/Pager";
import { EmptyState, LoadError, Spinner } from "../../components/Status";
import { count, dateTime, money } from "../../lib/format";
import { acceptAllPending, decide, fileDispute, resultsQuery, type Filters, type ResultRecord } from "./api";
import "../../components/resultViews.css";

function ResultItem({ item, checked, onCheck, onAccept, onReject }: { item: ResultRecord; checked: boolean; onCheck: (on: boolean) => void; onAccept: () => void; onReject: () => void }) {
  const { t } = useTranslation();
  const pending = item.acceptance === "pending";
  return (
    <li className="card result-item" aria-label={t("acceptance.item", { itemId: item.itemId })}>
      <div className="result-head">
        <input type="checkbox" aria-label={t("acceptance.select", { itemId: item.itemId })} checked={checked} onChange={(event) => onCheck(event.target.checked)} />
        <h3>{t("acceptance.item", { itemId: item.itemId })}</h3>
        <span className="status">{item.acceptance ? t(`acceptance.acceptances.${item.acceptance}`, { defaultValue: item.acceptance }) : t(`acceptance.statuses.${item.status}`, { defaultValue: item.status })}</span>
      </div>
      <p className="muted">
        {t("acceptance.delivered", { when: dateTime(item.deliveredAt) })}
        {pending && item.acceptDeadline != null && <> · <strong>{t("acceptance.deadline", { when: dateTime(item.acceptDeadline) })}</strong></>}
        {item.reworkCount > 0 && <> · {t("acceptance.reworks", { count: item.reworkCount })}</>}
        {item.acceptanceComment && <> · “{item.acceptanceComment}”</>}
      </p>
      <AnswerView resourceURL={item.resourceURL} result={item.result} />
      {pending && (
        <div className="actions">
          <button type="button" onClick={onAccept}>
            {t("acceptance.accept")}
          </button>
          <button type="button" onClick={onReject}>
            {t("acceptance.reject")}
          </button>
        </div>
      )}
    </li>
  );
}

/** The project's "results" tab (数据验收): results drawn on their data, filtered, accepted or rejected. */
export function AcceptanceTab() {
  const { t } = useTranslation();
  const { projectId = "" } = useParams();
  const client = useQueryClient();
  const [filters, setFilters] = useState<Filters>({ status: "", acceptance: "" });
  const pages = useCursorPages();
  const results = useQuery({ ...resultsQuery(projectId, filters, pages.cursor), placeholderData: keepPreviousData });
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [rejecting, setRejecting] = useState<string[] | null>(null);
  const [comment, setComment] = useState("");
  const [askAll, setAskAll] = useState(false);
  const [disputing, setDisputing] = useState<string[] | null>(null);
  const [reason, setReason] = useState("");
  const dispute = useMutation({
    mutationFn: (ids: string[]) => fileDispute(projectId, ids, reason),
    onSuccess: () => {
      setDisputing(null);
      setReason("");
      setSelected(new Set());
    },
  });
  const [progress, setProgress] = useState<number | null>(null);
  const refresh = () => {
    setSelected(new Set());
    void client.invalidateQueries({ queryKey: ["results", projectId] });
    void client.invalidateQueries({ queryKey: ["project", projectId] });
  };
  const decision = useMutation({
    mutationFn: ({ ids, accept }: { ids: string[]; accept: boolean }) => decide(projectId, ids, accept ? "accept" : "reject", accept ? "" : comment),
    onSuccess: () => {
      setRejecting(null);
      setComment("");
      refresh();
    },
  });
  const all = useMutation({
    mutationFn: () => acceptAllPending(projectId, setProgress),
    onSuccess: () => {
      setAskAll(false);
      refresh();
    },
  });
  const setFilter = (key: keyof Filters, value: string) => {
    setFilters((current) => ({ ...current, [key]: value }));
    setSelected(new Set());
    pages.reset();
  };
  const items = results.data?.items ?? [];
  // Any item can be selected (accept, reject, dispute): the server answers which ones changed and why not.
  const idsOnPage = items.map((item) => item.itemId);
  const check = (itemId: string, on: boolean) =>
    setSelected((current) => {
      const next = new Set(current);
      if (on) next.add(itemId);
      else next.delete(itemId);
      return next;
    });
  return (
    <section aria-labelledby="acceptance-title" className="stack">
      <h2 id="acceptance-title">{t("acceptance.title")}</h2>
      <p className="muted">{t("acceptance.intro")}</p>
      <div className="filters">
        <SelectField
          label={t("acceptance.status")}
          value={filters.status}
          onChange={(event) => setFilter("status", event.target.value)}
          options={[{ value: "", label: t("acceptance.any") }, ...["completed", "failed"].map((value) => ({ value, label: t(`acceptance.statuses.${value}`) }))]}
        />
        <SelectField
          label={t("acceptance.acceptance")}
          value={filters.acceptance}
          onChange={(event) => setFilter("acceptance", event.target.value)}
          options={[{ value: "", label: t("acceptance.any") }, ...["pending", "accepted", "autoAccepted", "rejected"].map((value) => ({ value, label: t(`acceptance.acceptances.${value}`) }))]}
        />
      </div>
      <div className="actions">
        <label>
          <input
            type="checkbox"
            checked={idsOnPage.length > 0 && idsOnPage.every((id) => selected.has(id))}
            onChange={(event) => setSelected(event.target.checked ? new Set(idsOnPage) : new Set())}
            disabled={idsOnPage.length === 0}
          />{" "}
          {t("acceptance.selectPage")}
        </label>
        <span aria-live="polite">{t("acceptance.selected", { count: selected.size })}</span>
        <button type="button" onClick={() => decision.mutate({ ids: [...selected], accept: true })} disabled={selected.size === 0 || decision.isPending}>
          {t("acceptance.acceptSelected")}
        </button>
        <button type="button" onClick={() => setRejecting([...selected])} disabled={selected.size === 0}>
          {t("acceptance.rejectSelected")}
        </button>
        <button type="button" onClick={() => setDisputing([...selected])} disabled={selected.size === 0}>
          {t("acceptance.dispute")}
        </button>
        <button type="button" onClick={() => setAskAll(true)}>
          {t("acceptance.acceptAll")}
        </button>
      </div>
      {decision.data && !rejecting && (
        <p role="status">
          {t("acceptance.done", { changed: decision.data.changed.length, unchanged: decision.data.unchanged.length, conflicts: decision.data.conflicts.length })}
        </p>
      )}
      {dispute.data && (
        <p role="status">{t("acceptance.disputed", { amount: money(dispute.data.disputedCents), count: dispute.data.itemIds.length })}</p>
      )}
      {all.data != null && <p role="status">{t("acceptance.allDone", { count: count(all.data) })}</p>}
      {!rejecting && <FormError error={decision.error?.message} />}
      {results.isPending && <Spinner />}
      {results.error && <LoadError error={results.error} onRetry={() => void results.refetch()} />}
      {results.data && items.length === 0 && <EmptyState title={t("acceptance.empty")} />}
      {items.length > 0 && (
        <ul className="plain results">
          {items.map((item) => (
            <ResultItem
              key={item.itemId}
              item={item}
              checked={selected.has(item.itemId)}
              onCheck={(on) => check(item.itemId, on)}
              onAccept={() => decision.mutate({ ids: [item.itemId], accept: true })}
              onReject={() => setRejecting([item.itemId])}
            />
          ))}
        </ul>
      )}
      {results.data && <Pager page={pages.page} nextCursor={results.data.nextCursor} onNext={pages.next} onPrevious={pages.previous} />}
      <ConfirmDialog
        open={rejecting !== null}
        title={t("acceptance.rejectTitle", { count: rejecting?.length ?? 0 })}
        confirmLabel={t("acceptance.reject")}
        busy={decision.isPending}
        onConfirm={() => rejecting && decision.mutate({ ids: rejecting, accept: false })}
        onCancel={() => setRejecting(null)}
      >
        <p>{t("acceptance.rejectBody")}</p>
        <TextArea label={t("acceptance.comment")} value={comment} onChange={(event) => setComment(event.target.value)} error={decision.error?.message} rows={3} />
      </ConfirmDialog>
      <ConfirmDialog
        open={disputing !== null}
        title={t("acceptance.disputeTitle", { count: disputing?.length ?? 0 })}
        confirmLabel={t("acceptance.dispute")}
        busy={dispute.isPending}
        onConfirm={() => disputing && dispute.mutate(disputing)}
        onCancel={() => setDisputing(null)}
      >
        <p>{t("acceptance.disputeBody")}</p>
        <TextArea label={t("acceptance.reason")} value={reason} onChange={(event) => setReason(event.target.value)} error={dispute.error?.message} rows={3} />
      </ConfirmDialog>
      <ConfirmDialog open={askAll} title={t("acceptance.acceptAllTitle")} confirmLabel={t("acceptance.acceptAll")} busy={all.isPending} onConfirm={() => all.mutate()} onCancel={() => setAskAll(false)}>
        <p>{t("acceptance.acceptAllBody")}</p>
        {all.isPending && <Spinner label={`${t("acceptance.accepting")}: ${count(progress ?? 0)}`} />}
        <FormError error={all.error?.message} />
      </ConfirmDialog>
    </section>
  );
}
