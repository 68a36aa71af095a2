import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { useParams } from "react-router";
import { TextArea } from "../../components/Field";
import { fieldMessage, messageOf } from "../../components/serverError";
import { EmptyState, LoadError, Spinner } from "../../components/Status";
import { dateTime } from "../../lib/format";
import { listMessages, postMessage, unreadCount } from "./api";
import "./messages.css";

/** The number of unread messages from the project manager, for the project's "messages" tab. */
export function UnreadBadge({ projectId }: { projectId: string }) {
  const { t } = useTranslation();
  const unread = useQuery({ queryKey: ["unread", projectId], queryFn: () => unreadCount(projectId), refetchInterval: 30_000 });
  if (!unread.data) return null;
  return (
    <span className="badge" data-testid="unread-badge" aria-label={t("messages.unread", { count: unread.data })}>
      {unread.data}
    </span>
  );
}

/** The project tab "messages": the thread with the project manager (the seed's FAQ: 项目经理). */
export function MessagesPage() {
  const { t } = useTranslation();
  const { projectId = "" } = useParams();
  const client = useQueryClient();
  const thread = useInfiniteQuery({
    queryKey: ["messages", projectId],
    queryFn: ({ pageParam }) => listMessages(projectId, pageParam),
    initialPageParam: null as number | null,
    getNextPageParam: (page) => page.nextSince ?? undefined,
    refetchInterval: 15_000,
  });
  // Listing marks what it answered as read: the tab's badge is recounted after each load.
  useEffect(() => {
    if (thread.dataUpdatedAt) void client.invalidateQueries({ queryKey: ["unread", projectId] });
  }, [thread.dataUpdatedAt, client, projectId]);
  const [text, setText] = useState("");
  const send = useMutation({
    mutationFn: () => postMessage(projectId, text),
    onSuccess: () => {
      setText("");
      void thread.refetch();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    send.mutate();
  };
  const messages = thread.data?.pages.flatMap((page) => page.messages) ?? [];
  return (
    <section aria-labelledby="messages-title">
      <h2 id="messages-title">{t("messages.title")}</h2>
      <p>{t("messages.intro")}</p>
      {thread.isPending && <Spinner />}
      {thread.error && <LoadError error={messageOf(thread.error)} onRetry={() => void thread.refetch()} />}
      {thread.data && messages.length === 0 && (
        <EmptyState title={t("messages.empty")}>
          <p>{t("messages.emptyHint")}</p>
        </EmptyState>
      )}
      {messages.length > 0 && (
        <ol className="plain thread" aria-label={t("messages.threadLabel")}>
          {messages.map((message) => (
            <li key={message.seq} className={`message message-${message.sender}`}>
              <div className="muted">
                <strong>{t(`messages.sender.${message.sender}`, { defaultValue: message.sender })}</strong> · {dateTime(message.createdAt)}
                {message.itemId && <> · <code>{message.itemId}</code></>}
              </div>
              <p className="message-text">{message.text}</p>
            </li>
          ))}
        </ol>
      )}
      {thread.hasNextPage && (
        <button type="button" onClick={() => void thread.fetchNextPage()} disabled={thread.isFetchingNextPage}>
          {thread.isFetchingNextPage ? t("common.loading") : t("messages.more")}
        </button>
      )}
      <form onSubmit={submit} noValidate>
        <TextArea label={t("messages.write")} rows={3} value={text} onChange={(e) => setText(e.target.value)} error={send.error ? (fieldMessage(send.error, "text", ["text"]) ?? messageOf(send.error)) : null} />
        <button type="submit" className="primary" disabled={send.isPending}>
          {send.isPending ? t("messages.sending") : t("messages.send")}
        </button>
      </form>
    </section>
  );
}
