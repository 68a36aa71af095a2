import type { components } from "../../api/schema";
import { dashboardCall } from "../../lib/api";

type Schemas = components["schemas"];
export type MessagePage = Schemas["ListMessagesData"];
export type Message = Schemas["MessageRecord"];

export const PAGE = 50;
/** A seq after every message: listMessages then answers an empty page, so nothing is marked read, and `unread`
 * is the operators' messages the client has not read (the server's own count, docs: listing marks a page read). */
const AFTER_ALL = 2_147_483_647;

export const listMessages = (projectId: string, since: number | null) =>
  dashboardCall<MessagePage>("projects/listMessages", { projectId, limit: PAGE, ...(since != null ? { since } : {}) });
export const unreadCount = (projectId: string) =>
  dashboardCall<MessagePage>("projects/listMessages", { projectId, limit: 1, since: AFTER_ALL }).then((page) => page.unread);
export const postMessage = (projectId: string, text: string) => dashboardCall<Message>("projects/messages", { projectId, text });
