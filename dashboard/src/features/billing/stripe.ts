// Stripe.js, loaded on demand: from Stripe when deployed; locally from localstripe's stand-in, which runs beside the
// API on its port + 2 (local/platform.py) and offers the card element and confirmCardSetup only.
export interface StripeCardElement {
  mount(element: HTMLElement): void;
  unmount(): void;
  destroy(): void;
}
interface StripeElements {
  create(type: "card", options?: object): StripeCardElement;
}
interface StripeError {
  message?: string;
  code?: string;
}
export interface StripeClient {
  elements(): StripeElements;
  confirmCardSetup(
    clientSecret: string,
    data: { payment_method: { card: StripeCardElement } },
  ): Promise<{ error?: StripeError | null; setupIntent?: { id: string; status: string } }>;
}
type StripeFactory = (publishableKey: string) => StripeClient;

export function stripeScriptUrl(location: Pick<Location, "hostname" | "port" | "protocol"> = window.location): string {
  if (location.hostname === "127.0.0.1" || location.hostname === "localhost") {
    const port = Number(location.port || (location.protocol === "https:" ? 443 : 80));
    return `http://127.0.0.1:${port + 2}/js.stripe.com/v3/`;
  }
  return "https://js.stripe.com/v3/";
}

let loading: Promise<StripeFactory> | null = null;

export function loadStripe(publishableKey: string): Promise<StripeClient> {
  loading ??= new Promise<StripeFactory>((resolve, reject) => {
    const existing = (window as unknown as { Stripe?: StripeFactory }).Stripe;
    if (existing) return resolve(existing);
    const script = document.createElement("script");
    script.src = stripeScriptUrl();
    script.async = true;
    script.onload = () => {
      const factory = (window as unknown as { Stripe?: StripeFactory }).Stripe;
      if (factory) resolve(factory);
      else reject(new Error("Stripe.js did not load"));
    };
    script.onerror = () => {
      loading = null;
      reject(new Error("Stripe.js could not be loaded: check your connection and retry"));
    };
    document.head.appendChild(script);
  });
  return loading.then((factory) => factory(publishableKey));
}
