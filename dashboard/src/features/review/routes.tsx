import type { RouteObject } from "react-router";
import { ReviewTab } from "./ReviewTab";

export const reviewTabRoutes: RouteObject[] = [{ path: "review", element: <ReviewTab /> }];
