import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { FormError } from "../../components/Field";
import { Pager, useCursorPages } from "../../components/Pager";
import { EmptyState, LoadError, Spinner } from "../../components/Status";
import { dateTime, money } from "../../lib/format";
import { balanceQuery, disputesQuery, invoicesQuery, refundsQuery, requestRefund, retrieveInvoice, type Balance, type Invoice } from "./api";
import { CardForm } from "./CardForm";
import "../../components/resultViews.css";

function BalanceSummary({ balance }: { balance: Balance }) {
  const { t } = useTranslation();
  const reserved = Object.values(balance.reservedCents).reduce((sum, cents) => sum + cents, 0);
  const rows: [string, string][] = [
    [t("billing.balance.available"), money(balance.availableCents, balance.currency)],
    [t("billing.balance.bonus"), money(balance.bonusCents, balance.currency)],
    [t("billing.balance.refundable"), money(balance.refundableCents, balance.currency)],
    [t("billing.balance.reserved"), money(reserved, balance.currency)],
    [t("billing.balance.owed"), money(balance.receivableCents, balance.currency)],
    [t("billing.balance.state"), t(`billing.balance.states.${balance.creditState}`, { defaultValue: balance.creditState })],
  ];
  return (
    <section aria-labelledby="balance-title" className="card">
      <h2 id="balance-title">{t("billing.balance.title")}</h2>
      <dl className="stats" data-testid="balance">
        {rows.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

function Ledger({ balance, page, onNext, onPrevious }: { balance: Balance; page: number; onNext: (c: string) => void; onPrevious: () => void }) {
  const { t } = useTranslation();
  return (
    <section aria-labelledby="ledger-title">
      <h2 id="ledger-title">{t("billing.ledger.title")}</h2>
      <p className="muted">{t("billing.ledger.intro")}</p>
      {balance.entries.length === 0 && page === 1 ? (
        <EmptyState title={t("billing.ledger.empty")} />
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t("billing.ledger.when")}</th>
                <th scope="col">{t("billing.ledger.kind")}</th>
                <th scope="col">{t("billing.ledger.account")}</th>
                <th scope="col">{t("billing.ledger.project")}</th>
                <th scope="col" className="number">
                  {t("billing.ledger.amount")}
                </th>
              </tr>
            </thead>
            <tbody>
              {balance.entries.map((entry) => (
                <tr key={`${entry.seq}-${entry.index}`}>
                  <td>{dateTime(entry.createdAt)}</td>
                  <td>{t(`billing.ledger.kinds.${entry.kind}`, { defaultValue: entry.kind })}</td>
                  <td>
                    <code>{entry.account}</code>
                  </td>
                  <td>{entry.projectId ? <Link to={`/projects/${entry.projectId}`}>{entry.projectId}</Link> : "—"}</td>
                  <td className="number">{money(entry.amountCents, balance.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager page={page} nextCursor={balance.nextCursor} onNext={onNext} onPrevious={onPrevious} />
    </section>
  );
}

function Refunds() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const refunds = useQuery(refundsQuery);
  const [asking, setAsking] = useState(false);
  const refund = useMutation({
    mutationFn: requestRefund,
    onSuccess: () => {
      setAsking(false);
      void client.invalidateQueries({ queryKey: ["billing"] });
    },
  });
  return (
    <section aria-labelledby="refunds-title">
      <h2 id="refunds-title">{t("billing.refunds.title")}</h2>
      <p className="muted">{t("billing.refunds.intro")}</p>
      {refund.data && (
        <p role="status">
          {t("billing.refunds.done", { amount: money(refund.data.refundedCents) })}{" "}
          {refund.data.pausedProjectIds.length > 0 && t("billing.refunds.paused", { ids: refund.data.pausedProjectIds.join(", ") })}
        </p>
      )}
      <button type="button" onClick={() => setAsking(true)}>
        {t("billing.refunds.request")}
      </button>
      {refunds.isPending && <Spinner />}
      {refunds.error && <LoadError error={refunds.error} onRetry={() => void refunds.refetch()} />}
      {refunds.data &&
        (refunds.data.refunds.length === 0 ? (
          <p className="muted">{t("billing.refunds.empty")}</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t("billing.ledger.when")}</th>
                  <th scope="col">{t("billing.refunds.payment")}</th>
                  <th scope="col">{t("billing.refunds.status")}</th>
                  <th scope="col" className="number">
                    {t("billing.ledger.amount")}
                  </th>
                </tr>
              </thead>
              <tbody>
                {refunds.data.refunds.map((row) => (
                  <tr key={row.refundId}>
                    <td>{dateTime(row.createdAt)}</td>
                    <td>
                      <code>{row.paymentId}</code>
                    </td>
                    <td>{row.status}</td>
                    <td className="number">{money(row.amountCents)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      <ConfirmDialog
        open={asking}
        title={t("billing.refunds.confirmTitle")}
        confirmLabel={t("billing.refunds.confirm")}
        busy={refund.isPending}
        onConfirm={() => refund.mutate()}
        onCancel={() => setAsking(false)}
      >
        <p>{t("billing.refunds.intro")}</p>
        <FormError error={refund.error?.message} />
      </ConfirmDialog>
    </section>
  );
}

function InvoiceRow({ invoice }: { invoice: Invoice }) {
  const { t } = useTranslation();
  // The listed links are presigned and may have expired: ask for a fresh one when the client wants the file.
  const fresh = useMutation({ mutationFn: () => retrieveInvoice(invoice.number) });
  return (
    <tr>
      <td>{invoice.number}</td>
      <td>
        <Link to={`/projects/${invoice.projectId}`}>{invoice.projectName}</Link>
      </td>
      <td>{dateTime(invoice.issuedAt)}</td>
      <td className="number">{money(invoice.totalCents, invoice.currency)}</td>
      <td className="number">{money(invoice.creditsCents, invoice.currency)}</td>
      <td>
        {fresh.data ? (
          <a href={fresh.data.pdfURL} download>
            {t("billing.invoices.download", { number: invoice.number })}
          </a>
        ) : (
          <button type="button" className="link" onClick={() => fresh.mutate()} disabled={fresh.isPending}>
            {t("billing.invoices.get", { number: invoice.number })}
          </button>
        )}
        <FormError error={fresh.error?.message} />
      </td>
    </tr>
  );
}

function Invoices() {
  const { t } = useTranslation();
  const invoices = useQuery(invoicesQuery);
  return (
    <section aria-labelledby="invoices-title">
      <h2 id="invoices-title">{t("billing.invoices.title")}</h2>
      {invoices.isPending && <Spinner />}
      {invoices.error && <LoadError error={invoices.error} onRetry={() => void invoices.refetch()} />}
      {invoices.data &&
        (invoices.data.invoices.length === 0 ? (
          <p className="muted">{t("billing.invoices.empty")}</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t("billing.invoices.number")}</th>
                  <th scope="col">{t("billing.invoices.project")}</th>
                  <th scope="col">{t("billing.invoices.issued")}</th>
                  <th scope="col" className="number">
                    {t("billing.invoices.total")}
                  </th>
                  <th scope="col" className="number">
                    {t("billing.invoices.credits")}
                  </th>
                  <th scope="col">PDF</th>
                </tr>
              </thead>
              <tbody>
                {invoices.data.invoices.map((invoice) => (
                  <InvoiceRow key={invoice.number} invoice={invoice} />
                ))}
              </tbody>
            </table>
          </div>
        ))}
    </section>
  );
}

function Disputes() {
  const { t } = useTranslation();
  const disputes = useQuery(disputesQuery);
  return (
    <section aria-labelledby="disputes-title">
      <h2 id="disputes-title">{t("billing.disputes.title")}</h2>
      {disputes.isPending && <Spinner />}
      {disputes.error && <LoadError error={disputes.error} onRetry={() => void disputes.refetch()} />}
      {disputes.data &&
        (disputes.data.disputes.length === 0 ? (
          <p className="muted">{t("billing.disputes.empty")}</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t("billing.ledger.when")}</th>
                  <th scope="col">{t("billing.disputes.project")}</th>
                  <th scope="col">{t("billing.disputes.items")}</th>
                  <th scope="col">{t("billing.disputes.reason")}</th>
                  <th scope="col">{t("billing.disputes.status")}</th>
                  <th scope="col" className="number">
                    {t("billing.disputes.disputed")}
                  </th>
                  <th scope="col" className="number">
                    {t("billing.disputes.credited")}
                  </th>
                </tr>
              </thead>
              <tbody>
                {disputes.data.disputes.map((dispute) => (
                  <tr key={dispute.disputeId}>
                    <td>{dateTime(dispute.createdAt)}</td>
                    <td>
                      <Link to={`/projects/${dispute.projectId}`}>{dispute.projectId}</Link>
                    </td>
                    <td>{dispute.itemIds.length}</td>
                    <td>{dispute.reason}</td>
                    <td>
                      {dispute.status}
                      {dispute.decisionNote ? ` — ${dispute.decisionNote}` : ""}
                    </td>
                    <td className="number">{money(dispute.disputedCents)}</td>
                    <td className="number">{dispute.creditedCents == null ? "—" : money(dispute.creditedCents)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
    </section>
  );
}

/** /billing: the balance and its ledger, the saved card, refunds, invoices and disputes. */
export function BillingPage() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const pages = useCursorPages();
  const balance = useQuery({ ...balanceQuery(pages.cursor), placeholderData: keepPreviousData });
  return (
    <section aria-labelledby="billing-title" className="stack">
      <h1 id="billing-title">{t("billing.title")}</h1>
      {balance.isPending && <Spinner />}
      {balance.error && <LoadError error={balance.error} onRetry={() => void balance.refetch()} />}
      {balance.data && <BalanceSummary balance={balance.data} />}
      <CardForm onSaved={() => void client.invalidateQueries({ queryKey: ["billing"] })} />
      {balance.data && <Ledger balance={balance.data} page={pages.page} onNext={pages.next} onPrevious={pages.previous} />}
      <Refunds />
      <Invoices />
      <Disputes />
    </section>
  );
}
