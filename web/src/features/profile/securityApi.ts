/** [D] #16 (6): the account's security: password, username, sessions, verification. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, type Schemas } from "../../lib/api/client";
import { ApiError, unwrap } from "../../lib/api/errors";

export function useSessions() {
  return useQuery({
    queryKey: ["me", "sessions"],
    queryFn: async () => unwrap(await api().GET("/v1/me/sessions")),
  });
}

export function useChangePassword() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: Schemas["PasswordChange"]) => {
      const { error, response } = await api().POST("/v1/me/password", { body });
      if (!response.ok) throw new ApiError(response.status, error);
    },
    onSuccess: () => client.invalidateQueries({ queryKey: ["me", "sessions"] }),
  });
}

export function useChangeUsername() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: Schemas["UsernameChange"]) =>
      unwrap(await api().PUT("/v1/me/username", { body })),
    onSuccess: (account) => client.setQueryData(["me"], account),
  });
}

export function useResendVerification() {
  return useMutation({
    mutationFn: async () => unwrap(await api().POST("/v1/me/email-verifications")),
  });
}

export function useSignOutEverywhere() {
  return useMutation({
    mutationFn: async () => unwrap(await api().DELETE("/v1/me/sessions")),
  });
}
