import { useMutation, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { FormError, SelectField, TextField } from "../../components/Field";
import { messageOf } from "../../components/serverError";
import { EmptyState, LoadError, Spinner } from "../../components/Status";
import { dateTime, money } from "../../lib/format";
import { ConfirmedAction } from "./OpsShell";
import { getAudit, lookupAccount, opsKeys, setPrices, usePrices } from "./api";

export function PricesPage() {
  const { t } = useTranslation();
  const prices = usePrices();
  const [projectId, setProjectId] = useState("");
  const [cents, setCents] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  const wanted = Object.fromEntries(
    Object.entries(cents)
      .filter(([, value]) => value.trim() !== "")
      .map(([taskType, value]) => [taskType, Number(value)]),
  );
  return (
    <section aria-labelledby="prices-title" className="ops-prices">
      <h1 id="prices-title">{t("operator.prices.title")}</h1>
      <p className="muted">{t("operator.prices.intro")}</p>
      <TextField
        label={t("operator.prices.projectId")}
        value={projectId}
        onChange={(event) => {
          setProjectId(event.target.value.trim());
          setSaved(false);
        }}
      />
      {prices.isPending && <Spinner />}
      {prices.error && <LoadError error={prices.error} onRetry={() => void prices.refetch()} />}
      {prices.data && (
        <div className="inline-fields">
          {prices.data.prices.map((row) => (
            <TextField
              key={row.taskType}
              label={row.taskType}
              type="number"
              min={0}
              value={cents[row.taskType] ?? ""}
              hint={t("operator.prices.published", { amount: money(row.unitPriceCents) })}
              onChange={(event) => {
                setCents({ ...cents, [row.taskType]: event.target.value });
                setSaved(false);
              }}
            />
          ))}
        </div>
      )}
      <ConfirmedAction
        primary
        label={t("operator.prices.save")}
        title={t("operator.prices.confirm", { projectId })}
        disabled={!projectId}
        check={() => (Object.keys(wanted).length ? null : t("operator.prices.none"))}
        body={
          <ul>
            {Object.entries(wanted).map(([taskType, value]) => (
              <li key={taskType}>
                {taskType}: {Number.isFinite(value) ? money(value) : String(value)}
              </li>
            ))}
          </ul>
        }
        run={() => setPrices(projectId, wanted)}
        onDone={() => setSaved(true)}
      />
      {saved && <p role="status">{t("operator.prices.saved")}</p>}
    </section>
  );
}

const today = () => new Date().toISOString().slice(0, 10);

export function AuditPage() {
  const { t } = useTranslation();
  const [day, setDay] = useState(today);
  const audit = useQuery({ queryKey: opsKeys.audit(day), queryFn: () => getAudit(day), enabled: /^\d{4}-\d{2}-\d{2}$/.test(day) });
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">{t("operator.audit.title")}</h1>
      <TextField label={t("operator.audit.day")} type="date" value={day} onChange={(event) => setDay(event.target.value)} />
      {audit.isFetching && <Spinner />}
      {audit.error && <LoadError error={audit.error} onRetry={() => void audit.refetch()} />}
      {audit.data &&
        (audit.data.entries.length === 0 ? (
          <EmptyState title={t("operator.audit.empty")}>
            <p>{t("operator.audit.emptyBody")}</p>
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t("operator.audit.when")}</th>
                  <th scope="col">{t("operator.audit.operator")}</th>
                  <th scope="col">{t("operator.audit.action")}</th>
                  <th scope="col">{t("operator.audit.target")}</th>
                  <th scope="col">{t("operator.audit.details")}</th>
                </tr>
              </thead>
              <tbody>
                {audit.data.entries.map((entry) => (
                  <tr key={`${entry.at}-${entry.action}-${entry.target}`}>
                    <td>{dateTime(entry.at)}</td>
                    <td>{entry.operator}</td>
                    <td>{entry.action}</td>
                    <td>
                      <code>{entry.target}</code>
                    </td>
                    <td>
                      <pre>{JSON.stringify(entry.details)}</pre>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
    </section>
  );
}

export function AccountsPage() {
  const { t } = useTranslation();
  const [by, setBy] = useState<"email" | "userId">("email");
  const [value, setValue] = useState("");
  const lookup = useMutation({ mutationFn: () => lookupAccount(by, value.trim()) });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    lookup.mutate();
  };
  const found = lookup.data;
  return (
    <section aria-labelledby="accounts-title">
      <h1 id="accounts-title">{t("operator.accounts.title")}</h1>
      <form onSubmit={submit} className="inline-fields">
        <SelectField
          label={t("operator.accounts.by")}
          value={by}
          onChange={(event) => setBy(event.target.value as "email" | "userId")}
          options={[
            { value: "email", label: t("operator.accounts.email") },
            { value: "userId", label: t("operator.accounts.userId") },
          ]}
        />
        <TextField label={t("operator.accounts.value")} required value={value} onChange={(event) => setValue(event.target.value)} />
        <button type="submit" className="primary" disabled={lookup.isPending}>
          {t("operator.accounts.find")}
        </button>
      </form>
      {lookup.isPending && <Spinner />}
      <FormError error={lookup.error ? messageOf(lookup.error) : null} />
      {found && (
        <article className="card" aria-label={found.email}>
          <h2>{found.email}</h2>
          <dl>
            <dt>{t("operator.accounts.userId")}</dt>
            <dd>
              <code>{found.userId}</code>
            </dd>
            <dt>{t("operator.accounts.created")}</dt>
            <dd>{dateTime(found.createdAt)}</dd>
            <dt>{t("operator.accounts.balance")}</dt>
            <dd>{money(found.balance.availableCents)}</dd>
            <dt>{t("operator.accounts.reserved")}</dt>
            <dd>{money(found.balance.reservedCents)}</dd>
            <dt>{t("operator.accounts.owed")}</dt>
            <dd>{money(found.balance.receivableCents)}</dd>
            <dt>{t("operator.accounts.credit")}</dt>
            <dd>{found.creditState}</dd>
            <dt>{t("operator.accounts.card")}</dt>
            <dd>{found.card ? `${found.card.brand ?? ""} •••• ${found.card.last4}` : t("operator.accounts.noCard")}</dd>
          </dl>
          <h3>{t("operator.accounts.projects", { count: found.projectsCreated })}</h3>
          {found.projects.length === 0 ? (
            <p>{t("operator.accounts.noProjects")}</p>
          ) : (
            <ul>
              {found.projects.map((project) => (
                <li key={project.projectId}>
                  <Link to={`/ops/inbox/${encodeURIComponent(project.projectId)}`}>{project.name}</Link> · <code>{project.projectId}</code> ·{" "}
                  {project.status} · {dateTime(project.createdAt)}
                </li>
              ))}
            </ul>
          )}
          {found.moreProjects && <p className="muted">{t("operator.accounts.more")}</p>}
        </article>
      )}
    </section>
  );
}
