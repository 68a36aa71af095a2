import type { RouteObject } from "react-router";
import { ExportTab } from "./ExportTab";

export const exportTabRoutes: RouteObject[] = [{ path: "export", element: <ExportTab /> }];
