import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, type Schemas } from "../../lib/api/client";
import { unwrap } from "../../lib/api/errors";
import { usePaged } from "../../lib/paging";

export function useApplications() {
  return usePaged(["applications"], async (cursor) =>
    unwrap(await api().GET("/v1/me/applications", { params: { query: { cursor } } })));
}

export function useApplication(id: string) {
  return useQuery({
    queryKey: ["application", id],
    queryFn: async () =>
      unwrap(await api().GET("/v1/me/applications/{application_id}", { params: { path: { application_id: id } } })),
  });
}

function useChange<T>(id: string, call: (body: T) => Promise<Schemas["ApplicationDetail"]>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: call,
    onSuccess: (detail) => {
      client.setQueryData(["application", id], detail);
      void client.invalidateQueries({ queryKey: ["applications"] });
    },
  });
}

/** Withdraw: the client can no longer read what it was sent. */
export function useWithdrawApplication(id: string) {
  return useChange(id, async (_: void) =>
    unwrap(await api().POST("/v1/me/applications/{application_id}/withdraw", { params: { path: { application_id: id } } })));
}

/** Accept or decline an offer. */
export function useAnswerOffer(id: string) {
  return useChange(id, async (action: "accept" | "decline") =>
    unwrap(await api().POST("/v1/me/applications/{application_id}/answer", {
      params: { path: { application_id: id } }, body: { action },
    })));
}

export function usePreferences() {
  return useQuery({
    queryKey: ["preferences"],
    queryFn: async () => unwrap(await api().GET("/v1/me/preferences")),
  });
}

export function useStatePreferences() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: Schemas["MatchingPreferences"]) => unwrap(await api().PUT("/v1/me/preferences", { body })),
    onSuccess: (saved) => {
      client.setQueryData(["preferences"], saved);
      void client.invalidateQueries({ queryKey: ["matches"] });
    },
  });
}
