import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, type Schemas } from "../../lib/api/client";
import { unwrap } from "../../lib/api/errors";
import { usePaged } from "../../lib/paging";
import { notYet } from "../../lib/queries";

export { useAccount, useOrganisation } from "../../lib/queries";
export { useVacancy } from "../vacancies/api";

/** The organisation's own vacancies, open and closed, newest first. */
export function useOwnVacancies() {
  return usePaged(["vacancies", "own"], async (cursor) =>
    unwrap(await api().GET("/v1/organisation/vacancies", { params: { query: { cursor } } })));
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

/** Revise an open vacancy (the whole of it: PUT); the API answers it with its new revision. */
export function useReviseVacancy(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: Schemas["VacancyBody"]) =>
      unwrap(await api().PUT("/v1/vacancies/{vacancy_id}", { params: { path: { vacancy_id: id } }, body })),
    onSuccess: (vacancy) => {
      client.setQueryData(["vacancy", id], vacancy);
      void client.invalidateQueries({ queryKey: ["vacancies"] });
    },
  });
}

export function useCloseVacancy() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, reason }: { id: string; reason: Schemas["CloseBody"]["reason"] }) =>
      unwrap(await api().POST("/v1/vacancies/{vacancy_id}/close", {
        params: { path: { vacancy_id: id } }, body: { reason },
      })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["vacancies"] }),
  });
}

export function useCandidates(id: string) {
  return usePaged(["candidates", id], async (cursor) =>
    unwrap(await api().GET("/v1/vacancies/{vacancy_id}/candidates", {
      params: { path: { vacancy_id: id }, query: { cursor } },
    })), { waitForLog: true });
}

/** The applications received, kept fresh while the page is open (they arrive at any time). */
export function useReceived() {
  return usePaged(["received"], async (cursor) =>
    unwrap(await api().GET("/v1/organisation/disclosures", { params: { query: { cursor } } })),
  { refetchInterval: 5_000 });
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

/** The applications to one of the organisation's vacancies, kept fresh (they arrive at any time). */
export function useVacancyApplications(vacancyId: string) {
  return usePaged(["vacancy-applications", vacancyId], async (cursor) =>
    unwrap(await api().GET("/v1/vacancies/{vacancy_id}/applications", {
      params: { path: { vacancy_id: vacancyId }, query: { cursor } },
    })), { refetchInterval: 5_000, waitForLog: true });
}

export function useClientApplication(id: string) {
  return useQuery({
    queryKey: ["client-application", id],
    queryFn: async () =>
      unwrap(await api().GET("/v1/organisation/applications/{application_id}", {
        params: { path: { application_id: id } },
      })),
  });
}

/** Move an application a step: review, interview, offer, ... (with a message to the student). */
export function useMove(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: Schemas["MoveBody"]) =>
      unwrap(await api().POST("/v1/organisation/applications/{application_id}/steps", {
        params: { path: { application_id: id } }, body,
      })),
    onSuccess: (detail) => {
      client.setQueryData(["client-application", id], detail);
      void client.invalidateQueries({ queryKey: ["vacancy-applications"] });
    },
  });
}
