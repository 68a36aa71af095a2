// Money and dates through Intl in the UI language, never by hand.
import i18n from "./i18n";

const locale = () => (i18n.language === "zh" ? "zh-CN" : "en-US");

/** The API's amounts are integer US cents. */
export function money(cents: number, currency = "USD"): string {
  return new Intl.NumberFormat(locale(), { style: "currency", currency }).format(cents / 100);
}

export function dateTime(epochMs: number | null | undefined): string {
  if (epochMs == null) return "—";
  return new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeStyle: "short" }).format(new Date(epochMs));
}

export function date(epochMs: number | null | undefined): string {
  if (epochMs == null) return "—";
  return new Intl.DateTimeFormat(locale(), { dateStyle: "medium" }).format(new Date(epochMs));
}

export function count(value: number): string {
  return new Intl.NumberFormat(locale()).format(value);
}

export function percent(fraction: number): string {
  return new Intl.NumberFormat(locale(), { style: "percent", maximumFractionDigits: 1 }).format(fraction);
}
