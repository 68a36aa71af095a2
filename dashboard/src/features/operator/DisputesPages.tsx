import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { TextArea, TextField } from "../../components/Field";
import { EmptyState, LoadError, Spinner } from "../../components/Status";
import { dateTime, money } from "../../lib/format";
import { ConfirmedAction } from "./OpsShell";
import {
  acceptBillingDispute,
  answerDisputes,
  getBillingDisputes,
  getDisputes,
  opsKeys,
  rejectBillingDispute,
  type BillingDispute,
  type TrialDispute,
} from "./api";

function TrialDisputeCard({ dispute }: { dispute: TrialDispute }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [text, setText] = useState("");
  const [relabel, setRelabel] = useState<string[]>([]);
  const headingId = `dispute-${dispute.projectId}`;
  return (
    <article className="card" aria-labelledby={headingId}>
      <h2 id={headingId}>{dispute.name}</h2>
      <p className="muted">
        <code>{dispute.projectId}</code> · {t("operator.disputes.round", { round: dispute.trialRound, when: dateTime(dispute.submittedAt) })}
      </p>
      <ul className="plain">
        {dispute.issues.map((issue) => (
          <li key={issue.itemId} className="card">
            <div className="label">{t("operator.disputes.item", { itemId: issue.itemId })}</div>
            <p>{issue.comment}</p>
            <div className="actions">
              <a href={issue.dataUrl} target="_blank" rel="noreferrer">
                {t("operator.disputes.data")}
              </a>
              <label>
                <input
                  type="checkbox"
                  checked={relabel.includes(issue.itemId)}
                  onChange={(event) =>
                    setRelabel(event.target.checked ? [...relabel, issue.itemId] : relabel.filter((id) => id !== issue.itemId))
                  }
                />{" "}
                {t("operator.disputes.relabel", { itemId: issue.itemId })}
              </label>
            </div>
          </li>
        ))}
      </ul>
      <TextArea label={t("operator.disputes.answer")} rows={3} value={text} onChange={(event) => setText(event.target.value)} />
      <ConfirmedAction
        primary
        label={t("operator.disputes.send")}
        title={t("operator.disputes.confirm", { name: dispute.name, count: relabel.length })}
        disabled={!text.trim()}
        run={() => answerDisputes(dispute.projectId, text, relabel)}
        onDone={() => void client.invalidateQueries({ queryKey: opsKeys.disputes })}
      />
    </article>
  );
}

export function TrialDisputesPage() {
  const { t } = useTranslation();
  const disputes = useQuery({ queryKey: opsKeys.disputes, queryFn: getDisputes });
  return (
    <section aria-labelledby="disputes-title">
      <h1 id="disputes-title">{t("operator.disputes.title")}</h1>
      {disputes.isPending && <Spinner />}
      {disputes.error && <LoadError error={disputes.error} onRetry={() => void disputes.refetch()} />}
      {disputes.data &&
        (disputes.data.disputes.length === 0 ? (
          <EmptyState title={t("operator.disputes.empty")}>
            <p>{t("operator.disputes.emptyBody")}</p>
          </EmptyState>
        ) : (
          disputes.data.disputes.map((dispute) => <TrialDisputeCard key={dispute.projectId} dispute={dispute} />)
        ))}
    </section>
  );
}

function BillingDisputeCard({ dispute }: { dispute: BillingDispute }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [amount, setAmount] = useState(String(dispute.disputedCents));
  const [note, setNote] = useState("");
  const [reason, setReason] = useState("");
  const refresh = () => void client.invalidateQueries({ queryKey: opsKeys.billing });
  const cents = Number(amount);
  return (
    <article className="card" aria-label={dispute.disputeId}>
      <p>
        {t("operator.billing.row", {
          projectId: dispute.projectId,
          items: dispute.itemIds.length,
          amount: money(dispute.disputedCents),
          when: dateTime(dispute.createdAt),
        })}
      </p>
      <p className="muted">{dispute.reason}</p>
      <div className="inline-fields">
        <TextField label={t("operator.billing.amount")} type="number" min={1} value={amount} onChange={(event) => setAmount(event.target.value)} />
        <TextField label={t("operator.billing.note")} value={note} onChange={(event) => setNote(event.target.value)} />
        <ConfirmedAction
          primary
          label={t("operator.billing.accept")}
          title={t("operator.billing.acceptConfirm", { amount: Number.isFinite(cents) ? money(cents) : amount })}
          run={() => acceptBillingDispute(dispute, cents, note)}
          onDone={refresh}
        />
      </div>
      <div className="inline-fields">
        <TextField label={t("operator.billing.reason")} value={reason} onChange={(event) => setReason(event.target.value)} />
        <ConfirmedAction
          label={t("operator.billing.reject")}
          title={t("operator.billing.rejectConfirm")}
          run={() => rejectBillingDispute(dispute, reason)}
          onDone={refresh}
        />
      </div>
    </article>
  );
}

export function BillingDisputesPage() {
  const { t } = useTranslation();
  const disputes = useQuery({ queryKey: opsKeys.billing, queryFn: getBillingDisputes });
  return (
    <section aria-labelledby="billing-title">
      <h1 id="billing-title">{t("operator.billing.title")}</h1>
      {disputes.isPending && <Spinner />}
      {disputes.error && <LoadError error={disputes.error} onRetry={() => void disputes.refetch()} />}
      {disputes.data &&
        (disputes.data.disputes.length === 0 ? (
          <EmptyState title={t("operator.billing.empty")}>
            <p>{t("operator.billing.emptyBody")}</p>
          </EmptyState>
        ) : (
          disputes.data.disputes.map((dispute) => <BillingDisputeCard key={dispute.disputeId} dispute={dispute} />)
        ))}
    </section>
  );
}
