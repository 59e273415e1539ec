import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";

import { CheckGroup, SelectField, TextField } from "../../components/Field";
import { Section } from "../../components/Page";
import { Done, ErrorNote } from "../../components/Status";
import type { Schemas } from "../../lib/api/client";
import { countryName } from "../../lib/format";
import {
  CATEGORIES, PURPOSES, SENSITIVE, THIRD_PARTY, currentPolicy, useGrant, useNotices, useOrganisation, usePolicies,
} from "./api";

/** Grant one consent: a purpose, and for a provision its recipient, their country and the
 * data; before a consent to a recipient abroad, the country's notice, read and acknowledged. */
export function GrantForm() {
  const { t, i18n } = useTranslation();
  const policies = usePolicies();
  const grant = useGrant();
  const [purpose, setPurpose] = useState<string>("vacancy_assessment");
  const [recipient, setRecipient] = useState("");
  const [region, setRegion] = useState("JP");
  const [categories, setCategories] = useState<string[]>(["name", "contact", "school", "resume"]);
  const [sensitive, setSensitive] = useState<string[]>([]);
  const [read, setRead] = useState(false);
  const thirdParty = THIRD_PARTY.has(purpose);
  const org = useOrganisation(thirdParty && recipient.length > 1 ? recipient : null);
  useEffect(() => {
    if (org.data) setRegion(org.data.country);
  }, [org.data]);
  const notices = useNotices(region);
  const notice = notices.data?.[0];
  const abroad = region !== "JP";
  const version = currentPolicy(policies.data?.versions);
  return (
    <Section title={t("consents.grantTitle")}>
      <form onSubmit={(e) => {
        e.preventDefault();
        if (!version) return;
        grant.mutate({
          purpose: purpose as Schemas["Purpose"],
          recipient: thirdParty ? recipient : "*",
          region: region as Schemas["GrantBody"]["region"],
          data_categories: (thirdParty ? categories : []) as Schemas["DataCategory"][],
          sensitive_categories: (thirdParty ? sensitive : []) as Schemas["SensitiveCategory"][],
          policy_version: version,
          country_notice_sha256: abroad ? notice?.notice_sha256 ?? null : null,
        }, { onSuccess: () => setRead(false) });
      }}>
        <SelectField label={t("consents.purpose")} value={purpose} onChange={setPurpose}>
          {PURPOSES.map((p) => <option key={p} value={p}>{t(`purposes.${p}`)}</option>)}
        </SelectField>
        <p className="hint">{t(`purposeHelp.${purpose}`)}</p>
        {thirdParty && (
          <>
            <TextField label={t("consents.recipient")} hint={t("consents.recipientHint")}
              value={recipient} onChange={setRecipient} required />
            {org.data && <p className="meta">{org.data.legal_name} · {org.data.address} · {countryName(org.data.country, i18n.language)}</p>}
            <CheckGroup legend={t("consents.categories")} selected={categories} onChange={setCategories}
              options={CATEGORIES.map((c) => ({ value: c, label: t(`categories.${c}`) }))} />
            <CheckGroup legend={t("consents.sensitive")} selected={sensitive} onChange={setSensitive}
              options={SENSITIVE.map((c) => ({ value: c, label: t(`sensitive.${c}`) }))} />
          </>
        )}
        <TextField label={t("consents.region")} hint={t("consents.regionHint")} value={region}
          onChange={(v) => setRegion(v.toUpperCase())} required />
        {abroad && (
          <div className="notice" aria-live="polite">
            <h3>{t("consents.noticeTitle", { country: countryName(region, i18n.language) })}</h3>
            {notice ? (
              <>
                <h4>{t("consents.protectionSystem")}</h4><p>{notice.protection_system}</p>
                <h4>{t("consents.recipientMeasures")}</h4><p>{notice.recipient_measures}</p>
                <label className="check">
                  <input type="checkbox" checked={read} onChange={(e) => setRead(e.target.checked)} />
                  {t("consents.noticeRead")}
                </label>
              </>
            ) : <p>{t("consents.noNotice")}</p>}
          </div>
        )}
        <p className="hint">{t("consents.underPolicy", { version: version ?? "" })}</p>
        <ErrorNote error={grant.error} />
        {grant.isSuccess && <Done>{t("consents.granted")}</Done>}
        <button type="submit" disabled={grant.isPending || !version || (abroad && (!notice || !read))}>
          {t("consents.grant")}
        </button>
      </form>
    </Section>
  );
}
