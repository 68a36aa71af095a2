import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { projectQuery } from "../../app/ProjectShell";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { FormError } from "../../components/Field";
import { Spinner } from "../../components/Status";
import { ApiError } from "../../lib/api";
import { count, money } from "../../lib/format";
import { confirmProject, estimateQuery } from "./api";
import "../../components/resultViews.css";

const NO_CARD = 12; // the documented code for "no card (or short balance and no saved card)"

/** The project's "payment" tab: the estimate (what will be charged) and Confirm, which pre-charges it and starts. */
export function PaymentTab() {
  const { t } = useTranslation();
  const { projectId = "" } = useParams();
  const client = useQueryClient();
  const estimate = useQuery({ ...estimateQuery(projectId), retry: false });
  const [asking, setAsking] = useState(false);
  const confirm = useMutation({
    mutationFn: () => confirmProject(projectId),
    onSuccess: () => {
      setAsking(false);
      void client.invalidateQueries({ queryKey: ["project", projectId] });
      // Not the estimate: it is refused once the project runs; the confirmed figures are shown instead.
      void client.invalidateQueries({ queryKey: ["billing", "balance"] });
    },
  });
  const data = estimate.data;
  const project = useQuery(projectQuery(projectId));
  const beforeTrialAccepted = ["draft", "checking", "trial", "trialDone"].includes(project.data?.projectData.projectStatus ?? "");
  return (
    <section aria-labelledby="payment-title">
      <h2 id="payment-title">{t("billing.payment.title")}</h2>
      <p className="muted">{t("billing.payment.intro")}</p>
      {estimate.isPending && <Spinner />}
      {estimate.error && !data && (
        <div className="form-error" role="alert">
          {estimate.error.message} {beforeTrialAccepted && <span className="muted">{t("billing.payment.notYet")}</span>}
        </div>
      )}
      {data && (
        <>
          <dl className="stats" data-testid="estimate">
            <div>
              <dt>{t("billing.payment.estimate")}</dt>
              <dd>{money(data.estimateCents, data.currency)}</dd>
            </div>
            <div>
              <dt>{t("billing.payment.average")}</dt>
              <dd>{money(data.averageItemCents, data.currency)}</dd>
            </div>
            <div>
              <dt>{t("billing.payment.items")}</dt>
              <dd>{count(data.itemsToLabel)}</dd>
            </div>
            <div>
              <dt>{t("billing.payment.trialItems")}</dt>
              <dd>{count(data.trialItems)}</dd>
            </div>
            <div>
              <dt>{t("billing.payment.trialCost")}</dt>
              <dd>{money(data.trialCostCents, data.currency)}</dd>
            </div>
            <div>
              <dt>{t("billing.payment.available")}</dt>
              <dd>{money(data.availableCents, data.currency)}</dd>
            </div>
            <div>
              <dt>{t("billing.payment.topUp")}</dt>
              <dd>{money(data.topUpNeededCents, data.currency)}</dd>
            </div>
          </dl>
          <p className="muted">{data.note}</p>
          {confirm.data ? (
            <p role="status">
              {t("billing.payment.confirmed", {
                reserved: money(confirm.data.reservedCents, confirm.data.currency),
                status: t(`common.projectStatus.${confirm.data.projectStatus}`, { defaultValue: confirm.data.projectStatus }),
              })}
            </p>
          ) : (
            <button type="button" className="primary" onClick={() => setAsking(true)}>
              {t("billing.payment.confirm")}
            </button>
          )}
        </>
      )}
      {confirm.error && !asking && <FormError error={confirm.error.message} />}
      {confirm.error instanceof ApiError && confirm.error.code === NO_CARD && <Link to="/billing">{t("billing.payment.addCard")}</Link>}
      <ConfirmDialog
        open={asking}
        title={t("billing.payment.confirmTitle")}
        confirmLabel={t("billing.payment.confirm")}
        busy={confirm.isPending}
        onConfirm={() => confirm.mutate()}
        onCancel={() => setAsking(false)}
      >
        {data && (
          <p>
            {t("billing.payment.confirmBody", {
              estimate: money(data.estimateCents, data.currency),
              topUp: money(data.topUpNeededCents, data.currency),
            })}
          </p>
        )}
        <FormError error={confirm.error?.message} />
      </ConfirmDialog>
    </section>
  );
}
