import { useMutation } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link, NavLink, Outlet } from "react-router";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { FormError } from "../../components/Field";
import { messageOf } from "../../components/serverError";
import { useSession } from "../../app/useSession";
import { isOperator } from "../../lib/session";
import "./operator.css";

const SECTIONS: [string, string][] = [
  ["/ops", "reviews"],
  ["/ops/disputes", "disputes"],
  ["/ops/billing", "billing"],
  ["/ops/inbox", "inbox"],
  ["/ops/prices", "prices"],
  ["/ops/audit", "audit"],
  ["/ops/accounts", "accounts"],
];

/** /ops: the console's sections; a signed-in client sees a plain refusal (the API refuses them anyway). */
export function OpsShell() {
  const { t } = useTranslation();
  const session = useSession();
  if (!isOperator(session)) {
    return (
      <section aria-labelledby="ops-only" className="empty-state">
        <h1 id="ops-only">{t("operator.onlyOperators")}</h1>
        <p>{t("operator.onlyOperatorsBody")}</p>
        <Link to="/projects">{t("operator.backToProjects")}</Link>
      </section>
    );
  }
  return (
    <div className="ops">
      <nav className="tabs" aria-label={t("operator.nav.label")}>
        {SECTIONS.map(([path, key]) => (
          <NavLink key={path} to={path} end={path === "/ops"}>
            {t(`operator.nav.${key}`)}
          </NavLink>
        ))}
      </nav>
      <Outlet />
    </div>
  );
}

/** A button whose action runs only after a confirmation; the server's refusal is shown in the dialog. */
export function ConfirmedAction<T>({
  label,
  title,
  body,
  run,
  onDone,
  disabled,
  primary,
  check,
}: {
  label: string;
  title: string;
  body?: ReactNode;
  run: () => Promise<T>;
  onDone?: (answer: T) => void;
  disabled?: boolean;
  primary?: boolean;
  /** A problem to show instead of asking (e.g. nothing selected); null when the action can be asked for. */
  check?: () => string | null;
}) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const action = useMutation({
    mutationFn: run,
    onSuccess: (answer) => {
      setOpen(false);
      onDone?.(answer);
    },
  });
  return (
    <>
      <button
        type="button"
        className={primary ? "primary" : undefined}
        disabled={disabled || action.isPending}
        onClick={() => {
          const found = check?.() ?? null;
          setProblem(found);
          if (found) return;
          action.reset();
          setOpen(true);
        }}
      >
        {label}
      </button>
      {problem && (
        <span className="field-error" role="alert">
          {problem}
        </span>
      )}
      {/* Mounted only while asked: ConfirmDialog's title id is fixed, and a page holds many of these actions. */}
      {open && (
        <ConfirmDialog
          open={open}
          title={title}
          confirmLabel={label}
          busy={action.isPending}
          onConfirm={() => action.mutate()}
          onCancel={() => setOpen(false)}
        >
          {body}
          {action.error && <FormError error={t("operator.failed", { message: messageOf(action.error) })} />}
        </ConfirmDialog>
      )}
    </>
  );
}
