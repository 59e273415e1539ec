import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api, type Schemas } from "../../lib/api/client";
import { ApiError, unwrap } from "../../lib/api/errors";

export { useResume } from "../../lib/queries";

export function useWriteResume() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ body, exists }: { body: Schemas["ResumeBody"]; exists: boolean }) =>
      unwrap(exists
        ? await api().PUT("/v1/me/resume", { body })
        : await api().POST("/v1/me/resume", { body })),
    onSuccess: (written) => {
      client.setQueryData(["resume"], written);
      void client.invalidateQueries({ queryKey: ["matches"] });
    },
  });
}

export function useDeleteResume() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      const result = await api().DELETE("/v1/me/resume");
      if (!result.response.ok) throw new ApiError(result.response.status, result.error);
    },
    onSuccess: () => client.setQueryData(["resume"], null),
  });
}

/** The PDF chosen, as the base64 the API takes. */
export function readAsBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ""));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}
