import type { RouteObject } from "react-router";
import { MessagesPage } from "./MessagesPage";

export const messagesTabRoutes: RouteObject[] = [{ path: "messages", element: <MessagesPage /> }];
