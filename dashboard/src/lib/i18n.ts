// Every string on screen goes through i18n keys (en, zh). Each feature keeps its own strings in
// features/<feature>/i18n.ts ({ en: {...}, zh: {...} }) under its own top-level key, registered in BUNDLES.
// The language is remembered in this browser and on the account (GET/PATCH /account/v1/me `language`).
import i18n from "i18next";
import { initReactI18next } from "react-i18next";
import common from "../components/i18n";
import auth from "../features/auth/i18n";
import projects from "../features/projects/i18n";
import flow from "../features/flow/i18n";
import upload from "../features/upload/i18n";
import progress from "../features/progress/i18n";
import messages from "../features/messages/i18n";
import answerView from "../components/answerViewI18n";
import billing from "../features/billing/i18n";
import review from "../features/review/i18n";
import acceptance from "../features/acceptance/i18n";
import exportStrings from "../features/export/i18n";
import operator from "../features/operator/i18n";

export type Language = "en" | "zh";
export const LANGUAGES: Language[] = ["en", "zh"];
const KEY = "bb.lang";

type Strings = { [key: string]: string | Strings };
type Bundle = { en: Strings; zh: Strings };

const BUNDLES: Record<string, Bundle> = {
  common,
  auth,
  projects,
  flow,
  upload,
  progress,
  messages,
  answerView,
  billing,
  review,
  acceptance,
  export: exportStrings,
  operator,
};

function resources(language: Language): Strings {
  return Object.fromEntries(Object.entries(BUNDLES).map(([name, bundle]) => [name, bundle[language]]));
}

export function storedLanguage(): Language {
  const stored = localStorage.getItem(KEY);
  if (stored === "en" || stored === "zh") return stored;
  return navigator.language.toLowerCase().startsWith("zh") ? "zh" : "en";
}

export function setLanguage(language: Language): void {
  localStorage.setItem(KEY, language);
  document.documentElement.lang = language === "zh" ? "zh-CN" : "en";
  void i18n.changeLanguage(language);
}

void i18n.use(initReactI18next).init({
  resources: { en: { translation: resources("en") }, zh: { translation: resources("zh") } },
  lng: storedLanguage(),
  fallbackLng: "en",
  interpolation: { escapeValue: false }, // React escapes
  returnNull: false,
});
document.documentElement.lang = i18n.language === "zh" ? "zh-CN" : "en";

export default i18n;
