import { useMutation, useQuery } from "@tanstack/react-query";

import { api } from "../../lib/api/client";
import { unwrap } from "../../lib/api/errors";

export function useNotifications() {
  return useQuery({
    queryKey: ["notifications"],
    queryFn: async () => unwrap(await api().GET("/v1/me/notifications")),
  });
}

export function useUnsubscribe() {
  return useMutation({
    mutationFn: async (token: string) =>
      unwrap(await api().GET("/v1/unsubscribe", { params: { query: { token } } })),
  });
}
