import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { TextArea, TextField } from "../../components/Field";
import { EmptyState, LoadError, Spinner } from "../../components/Status";
import { dateTime } from "../../lib/format";
import { ConfirmedAction } from "./OpsShell";
import { REVIEW_REASONS, approve, getReviews, opsKeys, reject, setTrialSize, startOverride, type Review } from "./api";

function ReviewCard({ review }: { review: Review }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [size, setSize] = useState("");
  const [reasons, setReasons] = useState<string[]>([]);
  const [note, setNote] = useState("");
  const refresh = () => void client.invalidateQueries({ queryKey: opsKeys.reviews });
  const wanted = size.trim() ? Number(size) : undefined;
  const headingId = `review-${review.projectId}`;
  return (
    <article className="card" aria-labelledby={headingId}>
      <h2 id={headingId}>{review.name}</h2>
      <p className="muted">
        <code>{review.projectId}</code> · {t("operator.reviews.submitted", { when: dateTime(review.submittedAt), email: review.email ?? review.userId })}
      </p>
      <p>{t("operator.reviews.items", { count: review.itemCount, type: review.taskType ?? review.type })}</p>
      <p className="muted">{t("operator.reviews.history", review.account)}</p>
      {review.instruction && (
        <p>
          <span className="label">{t("operator.reviews.instruction")}:</span> {review.instruction}
        </p>
      )}
      <h3>{t("operator.reviews.samples")}</h3>
      {/* Links, not thumbnails: items may live on any host the page's CSP does not allow images from. */}
      <ul className="samples plain">
        {review.sampleItems.map((item, n) => (
          <li key={item.itemId}>
            <a href={item.dataUrl} target="_blank" rel="noreferrer">
              {t("operator.reviews.sample", { n: n + 1 })}
            </a>
          </li>
        ))}
      </ul>
      <div className="inline-fields">
        <TextField
          label={t("operator.reviews.trialSize")}
          type="number"
          min={1}
          inputMode="numeric"
          value={size}
          onChange={(event) => setSize(event.target.value)}
          hint={t("operator.reviews.trialHint", { size: review.trialSize })}
        />
        <ConfirmedAction
          label={t("operator.reviews.setTrialSize")}
          title={t("operator.reviews.trialTitle", { name: review.name, size })}
          disabled={!wanted}
          run={() => setTrialSize(review.projectId, wanted ?? 0)}
          onDone={refresh}
        />
      </div>
      <div className="actions">
        <ConfirmedAction
          primary
          label={t("operator.reviews.approve")}
          title={t("operator.reviews.approveTitle", { name: review.name })}
          body={<p>{t("operator.reviews.approveBody", { size: wanted ?? review.trialSize })}</p>}
          run={() => approve(review.projectId, wanted)}
          onDone={refresh}
        />
      </div>
      <fieldset>
        <legend>{t("operator.reviews.reasonsLegend")}</legend>
        {REVIEW_REASONS.map((reason) => (
          <label key={reason}>
            <input
              type="checkbox"
              checked={reasons.includes(reason)}
              onChange={(event) =>
                setReasons(event.target.checked ? [...reasons, reason] : reasons.filter((r) => r !== reason))
              }
            />{" "}
            {t(`operator.reasons.${reason}`)}
          </label>
        ))}
      </fieldset>
      <TextArea label={t("operator.reviews.note")} value={note} rows={2} onChange={(event) => setNote(event.target.value)} />
      <div className="actions">
        <ConfirmedAction
          label={t("operator.reviews.reject")}
          title={t("operator.reviews.rejectTitle", { name: review.name })}
          body={
            <>
              <p>{t("operator.reviews.rejectBody")}</p>
              <ul>
                {reasons.map((reason) => (
                  <li key={reason}>{t(`operator.reasons.${reason}`)}</li>
                ))}
              </ul>
            </>
          }
          check={() => (reasons.length ? null : t("operator.reviews.pickReason"))}
          run={() => reject(review.projectId, reasons, note)}
          onDone={refresh}
        />
      </div>
    </article>
  );
}

function StartOverride() {
  const { t } = useTranslation();
  const [projectId, setProjectId] = useState("");
  const [started, setStarted] = useState<number | null>(null);
  return (
    <section className="card" aria-labelledby="start-title">
      <h2 id="start-title">{t("operator.start.title")}</h2>
      <p className="muted">{t("operator.start.intro")}</p>
      <div className="inline-fields">
        <TextField label={t("operator.start.projectId")} value={projectId} onChange={(event) => setProjectId(event.target.value.trim())} />
        <ConfirmedAction
          label={t("operator.start.submit")}
          title={t("operator.start.confirm", { projectId })}
          disabled={!projectId}
          run={() => startOverride(projectId) as Promise<{ launched: number }>}
          onDone={(answer) => setStarted(answer.launched)}
        />
      </div>
      {started !== null && <p role="status">{t("operator.start.started", { launched: started })}</p>}
    </section>
  );
}

export function ReviewsPage() {
  const { t } = useTranslation();
  const reviews = useQuery({ queryKey: opsKeys.reviews, queryFn: getReviews });
  return (
    <section aria-labelledby="reviews-title">
      <h1 id="reviews-title">{t("operator.reviews.title")}</h1>
      {reviews.isPending && <Spinner />}
      {reviews.error && <LoadError error={reviews.error} onRetry={() => void reviews.refetch()} />}
      {reviews.data &&
        (reviews.data.reviews.length === 0 ? (
          <EmptyState title={t("operator.reviews.empty")}>
            <p>{t("operator.reviews.emptyBody")}</p>
          </EmptyState>
        ) : (
          reviews.data.reviews.map((review) => <ReviewCard key={review.projectId} review={review} />)
        ))}
      <StartOverride />
    </section>
  );
}
