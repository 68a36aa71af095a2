import { useState } from "react";
import { useTranslation } from "react-i18next";

/** Cursor paging for lists of any length: keeps the cursors of the pages seen, never loads more than one page. */
export function useCursorPages() {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1];
  return {
    cursor,
    page: cursors.length,
    next: (nextCursor: string) => setCursors((seen) => [...seen, nextCursor]),
    previous: () => setCursors((seen) => (seen.length > 1 ? seen.slice(0, -1) : seen)),
    reset: () => setCursors([null]),
  };
}

export function Pager({
  page,
  nextCursor,
  onNext,
  onPrevious,
}: {
  page: number;
  nextCursor: string | null | undefined;
  onNext: (cursor: string) => void;
  onPrevious: () => void;
}) {
  const { t } = useTranslation();
  return (
    <nav className="pager" aria-label="pages">
      <button type="button" onClick={onPrevious} disabled={page <= 1}>
        {t("common.previous")}
      </button>
      <span aria-live="polite">{page}</span>
      <button type="button" onClick={() => nextCursor && onNext(nextCursor)} disabled={!nextCursor}>
        {t("common.next")}
      </button>
    </nav>
  );
}
