import type { RouteObject } from "react-router";
import { ApiKeysPage } from "./ApiKeysPage";
import { ResetPage, SignInPage, SignUpPage, VerifyPage } from "./AuthPages";

export const publicAuthRoutes: RouteObject[] = [
  { path: "/signin", element: <SignInPage /> },
  { path: "/signup", element: <SignUpPage /> },
  { path: "/verify", element: <VerifyPage /> },
  { path: "/reset", element: <ResetPage /> },
];

export const signedInAuthRoutes: RouteObject[] = [{ path: "/keys", element: <ApiKeysPage /> }];
