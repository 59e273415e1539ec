import { useMutation } from "@tanstack/react-query";

import { api } from "../../lib/api/client";
import { ApiError, unwrap } from "../../lib/api/errors";
import { signIn } from "../../lib/auth/session";
import type { Schemas } from "../../lib/api/client";

export function useRegister() {
  return useMutation({
    mutationFn: async (body: Schemas["Registration"]) =>
      unwrap(await api().POST("/v1/users", { body })),
  });
}

export function useVerify() {
  return useMutation({
    mutationFn: async (token: string) =>
      unwrap(await api().POST("/v1/email-verifications", { body: { token } })),
  });
}

export function useSignIn() {
  return useMutation({
    mutationFn: async ({ username, password }: { username: string; password: string }) => {
      const response = await signIn(username, password);
      if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
    },
  });
}

/** [D] #16 (6): a forgotten password. */
export function useRequestReset() {
  return useMutation({
    mutationFn: async (username: string) =>
      unwrap(await api().POST("/v1/password-resets", { body: { username } })),
  });
}

export function useConfirmReset() {
  return useMutation({
    mutationFn: async (body: Schemas["PasswordResetConfirm"]) => {
      const { error, response } = await api().POST("/v1/password-resets/confirm", { body });
      if (!response.ok) throw new ApiError(response.status, error);
    },
  });
}
