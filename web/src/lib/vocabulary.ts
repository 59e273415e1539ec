/** The platform's codes, as the gateway's OpenAPI lists them (generated: `make web-client`). */
import {
  dataCategoryValues, legalBasisValues, purposeValues, sensitiveCategoryValues,
} from "./api/schema";

/** The purposes a person may consent to (a legal disclosure rests on the law, not on consent). */
export const CONSENTABLE = purposeValues.filter((p) => p !== "legal_disclosure");
export const PURPOSES = purposeValues;
/** Purposes whose use is provision to a third party: a consent names the recipient. */
export const THIRD_PARTY = new Set<string>(["client_application", "vetting"]);
export const CATEGORIES = dataCategoryValues;
/** What an application or a legal disclosure can send (an application form is not data). */
export const SENDABLE = dataCategoryValues.filter((c) => c !== "application_form");
export const SENSITIVE = sensitiveCategoryValues;
export const LEGAL_BASES = legalBasisValues;
