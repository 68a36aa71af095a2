import { useTranslation } from "react-i18next";
import { jsonCall } from "../lib/api";
import { LANGUAGES, setLanguage, type Language } from "../lib/i18n";

export function LanguageSwitch({ remember }: { remember: boolean }) {
  const { t, i18n } = useTranslation();
  const change = (language: Language) => {
    setLanguage(language);
    // Remembered on the account too, so another browser opens in it (operators have no client account).
    if (remember) void jsonCall("PATCH", "/account/v1/me", { language }).catch(() => undefined);
  };
  return (
    <label className="language">
      <span>{t("common.language")}</span>
      <select value={i18n.language} onChange={(event) => change(event.target.value as Language)}>
        {LANGUAGES.map((language) => (
          <option key={language} value={language}>
            {language === "en" ? "English" : "中文"}
          </option>
        ))}
      </select>
    </label>
  );
}
