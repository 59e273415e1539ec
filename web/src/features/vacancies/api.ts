import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, type Schemas } from "../../lib/api/client";
import { unwrap } from "../../lib/api/errors";
import { usePaged } from "../../lib/paging";
import { notYet } from "../../lib/queries";
import { asCountry } from "../../lib/vocabulary";

/** Open vacancies and internships, searched by the API (words, kind, country), newest first
 * or best match first. */
export function useVacancies(search: { q?: string; country?: string; kind?: string }) {
  const query = {
    q: search.q || undefined,
    country: search.country ? asCountry(search.country) : undefined,
    kind: (search.kind || undefined) as Schemas["VacancyKind"] | undefined,
    sort: search.q ? ("best" as const) : ("newest" as const),
  };
  return usePaged(["vacancies", query], async (cursor) =>
    unwrap(await api().GET("/v1/vacancies", { params: { query: { ...query, cursor } } })));
}

export function useVacancy(id: string) {
  return useQuery({
    queryKey: ["vacancy", id],
    queryFn: async () =>
      unwrap(await api().GET("/v1/vacancies/{vacancy_id}", { params: { path: { vacancy_id: id } } })),
  });
}

/** The student's top vacancies on their latest CV (matching answers once it has read it). */
export function useMatches(token: { resume_id: string; revision: number } | null | undefined) {
  return useQuery({
    queryKey: ["matches", token?.resume_id, token?.revision],
    enabled: token !== undefined,
    retry: notYet,
    retryDelay: 300,
    queryFn: async () =>
      unwrap(await api().GET("/v1/me/matches", {
        params: { query: token ? { resume_id: token.resume_id, resume_revision: token.revision } : {} },
      })).items,
  });
}

export function useApply() {
  const client = useQueryClient();
  return useMutation({
    retry: notYet,
    retryDelay: 300,
    mutationFn: async ({ body, token }: {
      body: Schemas["ApplicationBody"];
      token: { resume_id: string; revision: number } | null;
    }) =>
      unwrap(await api().POST("/v1/me/applications", {
        body,
        params: { query: token ? { resume_id: token.resume_id, resume_revision: token.revision } : {} },
      })),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["applications"] });
      void client.invalidateQueries({ queryKey: ["disclosures"] });
    },
  });
}

export { useAccount, useOrganisation, useResume } from "../../lib/queries";

export { SENDABLE } from "../../lib/vocabulary";
export const DEFAULT_ITEMS = ["name", "contact", "school", "resume"];
