import { useEffect, useRef, type ReactNode } from "react";
import { useTranslation } from "react-i18next";

let loaded = false;

/** A page: its title (the document's too) as the one h1. After a navigation inside the app the
 * h1 takes the focus, so a screen reader or keyboard user starts at the top of the new page;
 * the first page of a load keeps the browser's own start (the skip link first). */
export function Page({ title, children }: { title: string; children: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  const { t } = useTranslation();
  useEffect(() => {
    document.title = `${title} | ${t("app.name")}`;
  }, [title, t]);
  useEffect(() => {
    if (loaded) heading.current?.focus();
    loaded = true;
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
