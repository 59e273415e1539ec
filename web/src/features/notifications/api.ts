import { useMutation } from "@tanstack/react-query";

import { api } from "../../lib/api/client";
import { unwrap } from "../../lib/api/errors";
import { usePaged } from "../../lib/paging";

export function useNotifications() {
  return usePaged(["notifications"], async (cursor) =>
    unwrap(await api().GET("/v1/me/notifications", { params: { query: { cursor } } })));
}

export function useUnsubscribe() {
  return useMutation({
    mutationFn: async (token: string) =>
      unwrap(await api().GET("/v1/unsubscribe", { params: { query: { token } } })),
  });
}
