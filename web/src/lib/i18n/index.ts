/** Japanese first (the company is in Japan), English beside it; the choice is remembered in
 * memory only for the tab's life (no storage: nothing of the person's is kept in the browser). */
import i18n from "i18next";
import { initReactI18next } from "react-i18next";

import en from "./en.json";
import ja from "./ja.json";

export const LANGUAGES = ["ja", "en"] as const;
export type AppLanguage = (typeof LANGUAGES)[number];

void i18n.use(initReactI18next).init({
  resources: { ja: { translation: ja }, en: { translation: en } },
  lng: "ja",
  fallbackLng: false,
  interpolation: { escapeValue: false },
  returnNull: false,
});

i18n.on("languageChanged", (lng) => {
  document.documentElement.lang = lng;
});

export default i18n;
