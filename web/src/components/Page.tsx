import { useEffect, useRef, type ReactNode } from "react";
import { useTranslation } from "react-i18next";

/** A page: its title (the document's too) as the one h1, focused on arrival so a screen
 * reader or keyboard user starts at the top of the new page. */
export function Page({ title, children }: { title: string; children: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  const { t } = useTranslation();
  useEffect(() => {
    document.title = `${title} | ${t("app.name")}`;
  }, [title, t]);
  useEffect(() => {
    heading.current?.focus();
  }, []);
  return (
    <section className="page">
      <h1 ref={heading} tabIndex={-1}>
        {title}
      </h1>
      {children}
    </section>
  );
}

export function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="card" aria-label={title}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}
