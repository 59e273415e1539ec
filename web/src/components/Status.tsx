import { useTranslation } from "react-i18next";

import { ApiError } from "../lib/api/errors";

/** A refusal in the person's language: the API's reason code, translated (`reasons.*`), and
 * what it names (the sensitive categories found, the fields at fault). */
export function ErrorNote({ error }: { error: unknown }) {
  const { t } = useTranslation();
  if (!error) return null;
  const e = error instanceof ApiError ? error : null;
  const reason = e?.reason ?? "network";
  const categories = (e?.details.categories as string[] | undefined) ?? [];
  const fields = (e?.details.fields as { loc?: unknown[]; msg?: string }[] | undefined) ?? [];
  return (
    <div role="alert" className="error" data-reason={reason}>
      <p>{t(`reasons.${reason}`, { defaultValue: t("reasons.unknown") })}</p>
      {categories.length > 0 && (
        <ul>{categories.map((c) => <li key={c}>{t(`sensitive.${c}`)}</li>)}</ul>
      )}
      {fields.length > 0 && (
        <ul>{fields.map((f, i) => <li key={i}>{(f.loc ?? []).slice(1).join(".")}: {f.msg}</li>)}</ul>
      )}
    </div>
  );
}

export function Done({ children }: { children: React.ReactNode }) {
  return <p role="status" className="done">{children}</p>;
}

export function Loading() {
  const { t } = useTranslation();
  return <p role="status" aria-live="polite">{t("common.loading")}</p>;
}

export function Empty({ text }: { text: string }) {
  return <p className="empty">{text}</p>;
}
