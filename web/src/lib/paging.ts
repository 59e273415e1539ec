/** Every list of the API answers a page, `{items, next_cursor}` (`ac_contracts.pagination`):
 * `usePaged` reads the first page and, on `fetchNextPage`, the next ones, its `data` being the
 * items of every page read so far (`hasNextPage` while `next_cursor` is not null). */
import { useInfiniteQuery, type QueryKey } from "@tanstack/react-query";

import { notYet } from "./queries";

export type PageOf<T> = { items: T[]; next_cursor?: string | null };

export function usePaged<T>(
  queryKey: QueryKey,
  page: (cursor: string | undefined) => Promise<PageOf<T>>,
  options: { enabled?: boolean; refetchInterval?: number; waitForLog?: boolean } = {},
) {
  return useInfiniteQuery({
    queryKey,
    enabled: options.enabled,
    refetchInterval: options.refetchInterval,
    ...(options.waitForLog ? { retry: notYet, retryDelay: 300 } : {}),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => page(pageParam),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    select: (data) => data.pages.flatMap((p) => p.items),
  });
}
