import { useInfiniteQuery, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { TextArea } from "../../components/Field";
import { Pager, useCursorPages } from "../../components/Pager";
import { EmptyState, LoadError, Spinner } from "../../components/Status";
import { dateTime } from "../../lib/format";
import { ConfirmedAction } from "./OpsShell";
import { getInbox, getThread, opsKeys, postMessage } from "./api";

export function InboxPage() {
  const { t } = useTranslation();
  const pages = useCursorPages();
  const inbox = useQuery({ queryKey: [...opsKeys.inbox, pages.cursor], queryFn: () => getInbox(pages.cursor) });
  return (
    <section aria-labelledby="inbox-title">
      <h1 id="inbox-title">{t("operator.inbox.title")}</h1>
      {inbox.isPending && <Spinner />}
      {inbox.error && <LoadError error={inbox.error} onRetry={() => void inbox.refetch()} />}
      {inbox.data &&
        (inbox.data.threads.length === 0 && pages.page === 1 ? (
          <EmptyState title={t("operator.inbox.empty")}>
            <p>{t("operator.inbox.emptyBody")}</p>
          </EmptyState>
        ) : (
          <>
            <ul className="plain">
              {inbox.data.threads.map((thread) => (
                <li key={thread.projectId} className="card">
                  <Link to={`/ops/inbox/${encodeURIComponent(thread.projectId)}`} aria-label={t("operator.inbox.open", { name: thread.name })}>
                    <strong>{thread.name}</strong>
                  </Link>{" "}
                  <span className="badge">{t("operator.inbox.unread", { count: thread.unread })}</span>
                  <div className="muted">
                    {thread.email ?? thread.userId} · {thread.status} · {dateTime(thread.lastAt)}
                  </div>
                  <p>{thread.lastText}</p>
                </li>
              ))}
            </ul>
            <Pager page={pages.page} nextCursor={inbox.data.nextCursor} onNext={pages.next} onPrevious={pages.previous} />
          </>
        ))}
    </section>
  );
}

export function ThreadPage() {
  const { t } = useTranslation();
  const { projectId = "" } = useParams();
  const client = useQueryClient();
  const [text, setText] = useState("");
  const [sent, setSent] = useState(false);
  // Oldest first, a page at a time (reading a page marks it read for the operators).
  const thread = useInfiniteQuery({
    queryKey: opsKeys.thread(projectId),
    queryFn: ({ pageParam }) => getThread(projectId, pageParam),
    initialPageParam: null as number | null,
    getNextPageParam: (last) => last.nextSince,
  });
  const messages = thread.data?.pages.flatMap((page) => page.messages) ?? [];
  return (
    <section aria-labelledby="thread-title">
      <p>
        <Link to="/ops/inbox">{t("operator.thread.back")}</Link>
      </p>
      <h1 id="thread-title">{t("operator.thread.title", { projectId })}</h1>
      {thread.isPending && <Spinner />}
      {thread.error && <LoadError error={thread.error} onRetry={() => void thread.refetch()} />}
      {thread.data && messages.length === 0 && <p>{t("operator.thread.empty")}</p>}
      <ol className="thread" aria-label={t("operator.nav.inbox")}>
        {messages.map((message) => (
          <li key={message.seq} className={`from-${message.sender}`}>
            <div className="muted">
              {t(`operator.thread.${message.sender}`)} · {message.author} · {dateTime(message.at)}
            </div>
            <p>{message.text}</p>
          </li>
        ))}
      </ol>
      {thread.hasNextPage && (
        <button type="button" onClick={() => void thread.fetchNextPage()} disabled={thread.isFetchingNextPage}>
          {t("operator.thread.earlier")}
        </button>
      )}
      <TextArea label={t("operator.thread.reply")} rows={3} value={text} onChange={(event) => { setText(event.target.value); setSent(false); }} />
      <ConfirmedAction
        primary
        label={t("operator.thread.send")}
        title={t("operator.thread.confirm")}
        body={<blockquote>{text}</blockquote>}
        disabled={!text.trim()}
        run={() => postMessage(projectId, text)}
        onDone={() => {
          setText("");
          setSent(true);
          void client.invalidateQueries({ queryKey: opsKeys.thread(projectId) });
          void client.invalidateQueries({ queryKey: opsKeys.inbox });
        }}
      />
      {sent && <p role="status">{t("operator.thread.sent")}</p>}
    </section>
  );
}
