import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, type Schemas } from "../../lib/api/client";
import { unwrap } from "../../lib/api/errors";
import { notYet } from "../../lib/queries";

export { useAccount, useOrganisation } from "../../lib/queries";

export function useOwnVacancies(org: string | null | undefined) {
  return useQuery({
    queryKey: ["vacancies"],
    enabled: Boolean(org),
    queryFn: async () => unwrap(await api().GET("/v1/vacancies")),
    select: (all) => all.filter((v) => v.organization_id === org),
  });
}

export function usePostVacancy() {
  const client = useQueryClient();
  return useMutation({
    retry: notYet,
    retryDelay: 300,
    mutationFn: async (body: Schemas["VacancyBody"]) => unwrap(await api().POST("/v1/vacancies", { body })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["vacancies"] }),
  });
}

export function useCloseVacancy() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) =>
      unwrap(await api().POST("/v1/vacancies/{vacancy_id}/close", { params: { path: { vacancy_id: id } } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["vacancies"] }),
  });
}

export function useCandidates(id: string) {
  return useQuery({
    queryKey: ["candidates", id],
    retry: notYet,
    retryDelay: 300,
    queryFn: async () =>
      unwrap(await api().GET("/v1/vacancies/{vacancy_id}/candidates", { params: { path: { vacancy_id: id } } })),
  });
}

/** The applications received, kept fresh while the page is open (they arrive at any time). */
export function useReceived() {
  return useQuery({
    queryKey: ["received"],
    refetchInterval: 5_000,
    queryFn: async () => unwrap(await api().GET("/v1/organisation/disclosures")),
  });
}

export function useReceivedOne(id: string) {
  return useQuery({
    queryKey: ["received", id],
    queryFn: async () =>
      unwrap(await api().GET("/v1/organisation/disclosures/{disclosure_id}", {
        params: { path: { disclosure_id: id } },
      })),
  });
}
