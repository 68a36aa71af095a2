import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";

/** Shown while something takes more than a moment. */
export function Spinner({ label }: { label?: string }) {
  const { t } = useTranslation();
  return (
    <div className="spinner" role="status" aria-live="polite">
      <span className="spinner-dot" aria-hidden="true" />
      {label ?? t("common.loading")}
    </div>
  );
}

/** A determinate progress bar with its label (uploads, imports, exports). */
export function ProgressBar({ label, value, max }: { label: string; value: number; max: number }) {
  return (
    <div className="progress">
      <div className="progress-label">{label}</div>
      <progress aria-label={label} value={value} max={Math.max(max, 1)} />
    </div>
  );
}

/** What an empty list says: what it would hold and what to do next. */
export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <section className="empty-state" aria-label={title}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

/** A failed load: the server's message and a retry. */
export function LoadError({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  return (
    <div className="form-error" role="alert">
      <strong>{t("common.errorTitle")}:</strong> {error instanceof Error ? error.message : String(error)}
      {onRetry && (
        <button type="button" className="link" onClick={onRetry}>
          {t("common.retry")}
        </button>
      )}
    </div>
  );
}
