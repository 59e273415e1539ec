/** The platform's codes, as the gateway's OpenAPI lists them (generated: `make web-client`). */
import type { Schemas } from "./api/client";
import {
  applicationStateValues, dataCategoryValues, legalBasisValues, moveBodyActionValues, outcomeValues,
  profileFieldValues, purposeValues, questionKindValues, requestKindValues, requestListedStatusValues,
  sensitiveCategoryValues, vacancyBodyLocation_countryValues, vacancyKindValues, workModeValues,
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
export const APPLICATION_STATES = applicationStateValues;
export const MOVES = moveBodyActionValues;
export const VACANCY_KINDS = vacancyKindValues;
export const WORK_MODES = workModeValues;
export const REQUEST_KINDS = requestKindValues;
export const REQUEST_STATUSES = requestListedStatusValues;
export const OUTCOMES = outcomeValues;
export const PROFILE_FIELDS = profileFieldValues;
export const QUESTION_KINDS = questionKindValues;
/** The kinds of question answered by picking among the question's choices. */
export const CHOICE_KINDS = new Set<string>(["one_choice", "several_choices"]);

/** An ISO 3166-1 alpha-2 code, as the API takes it. */
export type Country = Schemas["VacancyBody"]["location_country"];
export const COUNTRIES: readonly Country[] = vacancyBodyLocation_countryValues;

/** A code typed by a person: upper-cased; the API refuses one that is not a country. */
export function asCountry(code: string): Country {
  return code.trim().toUpperCase() as Country;
}
