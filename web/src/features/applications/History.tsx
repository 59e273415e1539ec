import { useTranslation } from "react-i18next";

import { Section } from "../../components/Page";
import type { Schemas } from "../../lib/api/client";
import { formatDate } from "../../lib/format";

/** Every change of an application's state: when, who, and the message that came with it. */
export function History({ changes }: { changes: Schemas["StatusChange"][] }) {
  const { t, i18n } = useTranslation();
  return (
    <Section title={t("applications.history")}>
      <ol className="history">
        {changes.map((c, i) => (
          <li key={i}>
            <time dateTime={c.at}>{formatDate(c.at, i18n.language)}</time>{" "}
            {t(`applicationStates.${c.from_state}`)} → {t(`applicationStates.${c.to_state}`)}
            {" "}({t(`roles.${c.by_role}`)})
            {c.message && <blockquote>{c.message}</blockquote>}
          </li>
        ))}
      </ol>
    </Section>
  );
}
