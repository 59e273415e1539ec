import { useTranslation } from "react-i18next";

/** "Show more" under a paged list, while the API has a next page. */
export function More({ list }: {
  list: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => Promise<unknown> };
}) {
  const { t } = useTranslation();
  if (!list.hasNextPage) return null;
  return (
    <p className="more">
      <button type="button" className="secondary" disabled={list.isFetchingNextPage}
        onClick={() => void list.fetchNextPage()}>{t("common.more")}</button>
    </p>
  );
}
