/** Reads several features share (the account, the policies): one cache entry each. */
import { useQuery } from "@tanstack/react-query";

import { api } from "./api/client";
import { ApiError, unwrap } from "./api/errors";

export function useAccount() {
  return useQuery({ queryKey: ["me"], queryFn: async () => unwrap(await api().GET("/v1/me")) });
}

export function usePolicies() {
  return useQuery({
    queryKey: ["policies"],
    queryFn: async () => unwrap(await api().GET("/v1/policies")),
  });
}

/** The policy version a person is shown now: the latest published. */
export function currentPolicy(versions: string[] | undefined): string | undefined {
  return versions?.[versions.length - 1];
}

/** Retry while a service has not yet read from the log what the request needs (409
 * `*_not_here_yet`): it will shortly. */
export function notYet(failures: number, error: unknown): boolean {
  return error instanceof ApiError && error.reason.endsWith("_not_here_yet") && failures < 30;
}

export function useOrganisation(id: string | undefined | null) {
  return useQuery({
    queryKey: ["organisation", id],
    enabled: Boolean(id),
    queryFn: async () =>
      unwrap(await api().GET("/v1/organisations/{organization_id}", {
        params: { path: { organization_id: id ?? "" } },
      })),
  });
}

/** The student's CV, or null when they have none yet (404 `no_resume`). */
export function useResume() {
  return useQuery({
    queryKey: ["resume"],
    queryFn: async () => {
      const result = await api().GET("/v1/me/resume");
      if (result.response.status === 404) return null;
      return unwrap(result);
    },
  });
}
