import { useTranslation } from "react-i18next";

import { Page, Section } from "../../components/Page";
import { ErrorNote, Loading } from "../../components/Status";
import { formatDate, formatNumber } from "../../lib/format";
import { useMonitoring } from "./api";

/** Equal-opportunity monitoring (issue 18, purpose 12): applications and their outcomes by
 * gender and by school type, of the people who allow it; cells under k are suppressed. */
export function MonitoringPage() {
  const { t, i18n } = useTranslation();
  const report = useMonitoring();
  const data = report.data;
  const outcome = (o: string) => (o === "applied" ? t("monitoring.applied") : t(`applicationStates.${o}`));
  return (
    <Page title={t("monitoring.title")}>
      <p>{t("monitoring.explain")}</p>
      <button type="button" disabled={report.isPending} onClick={() => report.mutate()}>{t("monitoring.run")}</button>
      <ErrorNote error={report.error} />
      {report.isPending && <Loading />}
      {data && (
        <>
          <p role="status">{t("monitoring.bounds", { k: data.k, step: data.step,
            suppressed: formatNumber(data.suppressed_cells, i18n.language) })}</p>
          {data.generated_at && <p className="meta">{t("audit.generated")}: {formatDate(data.generated_at, i18n.language)}</p>}
          {data.tables.map((table) => (
            <Section key={table.dimension} title={t(`monitoring.${table.dimension}`)}>
              <div className="scroll">
                <table>
                  <caption>{t(`monitoring.${table.dimension}`)}</caption>
                  <thead><tr><th scope="col">{t("monitoring.group")}</th>
                    {table.outcomes.map((o) => <th scope="col" key={o}>{outcome(o)}</th>)}</tr></thead>
                  <tbody>
                    {table.groups.map((g) => (
                      <tr key={g}>
                        <th scope="row">{t(`monitoring.groups.${g}`)}</th>
                        {table.outcomes.map((o) => {
                          const cell = table.cells.find((c) => c.group === g && c.outcome === o);
                          const people = cell?.people;
                          return <td key={o} data-cell={`${table.dimension}:${g}:${o}`}>
                            {people == null ? <span className="meta" title={t("monitoring.suppressedTitle", { k: data.k })}>
                              {t("monitoring.suppressed", { k: data.k })}</span> : formatNumber(people, i18n.language)}
                          </td>;
                        })}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </Section>
          ))}
          <Section title={t("monitoring.method")}><p>{data.method}</p></Section>
        </>
      )}
    </Page>
  );
}
