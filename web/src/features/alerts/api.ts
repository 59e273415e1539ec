import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api, type Schemas } from "../../lib/api/client";
import { ApiError, unwrap } from "../../lib/api/errors";
import { usePaged } from "../../lib/paging";

export function useAlerts() {
  return usePaged(["alerts"], async (cursor) =>
    unwrap(await api().GET("/v1/me/alerts", { params: { query: { cursor } } })));
}

export function useSubscribe() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: Schemas["AlertBody"]) => unwrap(await api().POST("/v1/me/alerts", { body })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["alerts"] }),
  });
}

export function useEndAlert() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => {
      const r = await api().DELETE("/v1/me/alerts/{subscription_id}", { params: { path: { subscription_id: id } } });
      if (!r.response.ok) throw new ApiError(r.response.status, r.error);
    },
    onSuccess: () => void client.invalidateQueries({ queryKey: ["alerts"] }),
  });
}
