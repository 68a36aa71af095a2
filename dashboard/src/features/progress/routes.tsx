import type { RouteObject } from "react-router";
import { ProgressPage } from "./ProgressPage";

export const progressTabRoutes: RouteObject[] = [{ path: "progress", element: <ProgressPage /> }];
