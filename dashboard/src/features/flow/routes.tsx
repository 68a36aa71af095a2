import type { RouteObject } from "react-router";
import { FlowPage } from "./FlowPage";

export const flowProjectTabs: RouteObject[] = [{ path: "flow", element: <FlowPage /> }];
