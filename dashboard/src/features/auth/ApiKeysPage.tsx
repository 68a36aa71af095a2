import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { LoadError, Spinner } from "../../components/Status";
import { dateTime } from "../../lib/format";
import { getApiKeys, rotateApiKeys, type ApiKey } from "./api";

function SecretRow({ apiKey }: { apiKey: ApiKey }) {
  const { t } = useTranslation();
  const [shown, setShown] = useState(false);
  const [copied, setCopied] = useState(false);
  return (
    <li className="card">
      <div className="muted">{t("auth.keys.created", { when: dateTime(apiKey.createdAt) })}</div>
      <div className="secret">
        <span className="label">{t("auth.keys.secret")}</span>
        <code aria-label={t("auth.keys.secret")}>{shown ? apiKey.secretKey : "•".repeat(24)}</code>
        <button type="button" onClick={() => setShown(!shown)} aria-pressed={shown}>
          {shown ? t("auth.keys.hide") : t("auth.keys.reveal")}
        </button>
        <button
          type="button"
          onClick={() => void navigator.clipboard?.writeText(apiKey.secretKey).then(() => setCopied(true))}
        >
          {copied ? t("auth.keys.copied") : t("auth.keys.copy")}
        </button>
      </div>
    </li>
  );
}

export function ApiKeysPage() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const keys = useQuery({ queryKey: ["apiKeys"], queryFn: getApiKeys });
  const [asking, setAsking] = useState(false);
  const rotate = useMutation({
    mutationFn: rotateApiKeys,
    onSuccess: (answer) => {
      client.setQueryData(["apiKeys"], answer);
      setAsking(false);
    },
  });
  return (
    <section aria-labelledby="keys-title">
      <h1 id="keys-title">{t("auth.keys.title")}</h1>
      <p>{t("auth.keys.intro")}</p>
      {keys.isPending && <Spinner />}
      {keys.error && <LoadError error={keys.error} onRetry={() => void keys.refetch()} />}
      {keys.data && (
        <>
          <p>
            <span className="label">{t("auth.keys.userId")}</span> <code data-testid="user-id">{keys.data.userId}</code>
          </p>
          <ul className="plain">
            {keys.data.keys.map((apiKey) => (
              <SecretRow key={apiKey.keyId} apiKey={apiKey} />
            ))}
          </ul>
          {rotate.isSuccess && <p role="status">{t("auth.keys.rotated")}</p>}
          {rotate.error && <LoadError error={rotate.error} />}
          <button type="button" onClick={() => setAsking(true)}>
            {t("auth.keys.rotate")}
          </button>
        </>
      )}
      <ConfirmDialog
        open={asking}
        title={t("auth.keys.rotateTitle")}
        confirmLabel={t("auth.keys.rotate")}
        busy={rotate.isPending}
        onConfirm={() => rotate.mutate()}
        onCancel={() => setAsking(false)}
      >
        <p>{t("auth.keys.rotateBody")}</p>
      </ConfirmDialog>
    </section>
  );
}
