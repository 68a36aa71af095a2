import { useMutation } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { FormError } from "../../components/Field";
import { Spinner } from "../../components/Status";
import { confirmCard, setupCard, type ConfirmCard, type SetupCard } from "./api";
import { loadStripe, type StripeCardElement, type StripeClient } from "./stripe";

interface Ready {
  setup: SetupCard;
  stripe: StripeClient;
}

/** Save a card: setupCard (a SetupIntent) → Stripe.js's card element and confirmCardSetup → confirmCard. The card
 * number goes from the browser to Stripe only; the server records the brand and last four digits. */
export function CardForm({ onSaved }: { onSaved: (card: ConfirmCard) => void }) {
  const { t } = useTranslation();
  const [ready, setReady] = useState<Ready | null>(null);
  const [saved, setSaved] = useState<ConfirmCard | null>(null);
  const mountPoint = useRef<HTMLDivElement>(null);
  const element = useRef<StripeCardElement | null>(null);

  const prepare = useMutation({
    mutationFn: async () => {
      const setup = await setupCard();
      return { setup, stripe: await loadStripe(setup.publishableKey) };
    },
    onSuccess: (value) => {
      setSaved(null);
      setReady(value);
    },
  });

  useEffect(() => {
    if (!ready || !mountPoint.current) return;
    const card = ready.stripe.elements().create("card");
    card.mount(mountPoint.current);
    element.current = card;
    return () => {
      card.destroy();
      element.current = null;
    };
  }, [ready]);

  const save = useMutation({
    mutationFn: async () => {
      if (!ready || !element.current) throw new Error("the card form is not ready");
      const answer = await ready.stripe.confirmCardSetup(ready.setup.clientSecret, { payment_method: { card: element.current } });
      if (answer.error) throw new Error(answer.error.message ?? answer.error.code ?? "the card was refused");
      return confirmCard(ready.setup.setupIntentId);
    },
    onSuccess: (card) => {
      setReady(null);
      setSaved(card);
      onSaved(card);
    },
  });

  return (
    <section aria-labelledby="card-title" className="card">
      <h2 id="card-title">{t("billing.card.title")}</h2>
      <p>{t("billing.card.intro")}</p>
      {saved && <p role="status">{t("billing.card.saved", { brand: saved.brand, last4: saved.last4 })}</p>}
      {!ready && (
        <button type="button" onClick={() => prepare.mutate()} disabled={prepare.isPending}>
          {t("billing.card.add")}
        </button>
      )}
      {prepare.isPending && <Spinner label={t("billing.card.preparing")} />}
      <FormError error={prepare.error?.message} />
      {ready && (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            save.mutate();
          }}
        >
          <fieldset>
            <legend>{t("billing.card.label")}</legend>
            <div ref={mountPoint} className="card-element" />
          </fieldset>
          <FormError error={save.error?.message} />
          {save.isPending && <Spinner label={t("billing.card.saving")} />}
          <div className="actions">
            <button type="button" onClick={() => setReady(null)}>
              {t("billing.card.cancel")}
            </button>
            <button type="submit" className="primary" disabled={save.isPending}>
              {t("billing.card.save")}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
