import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api, type Schemas } from "../../lib/api/client";
import { unwrap } from "../../lib/api/errors";

export { useAccount } from "../../lib/queries";

export function useCorrect() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: Schemas["Correction"]) => unwrap(await api().PATCH("/v1/me", { body })),
    onSuccess: (account) => client.setQueryData(["me"], account),
  });
}
