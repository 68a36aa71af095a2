import { jsonCall } from "../../lib/api";
import type { Tokens } from "../../lib/session";

export interface Me {
  userId: string;
  email: string;
  language: "en" | "zh";
}

export interface ApiKey {
  keyId: string;
  secretKey: string;
  createdAt: number;
}

export const signIn = (email: string, password: string) => jsonCall<Tokens>("POST", "/auth/v1/signIn", { email, password }, false);
export const signUp = (email: string, password: string, language: string) =>
  jsonCall("POST", "/auth/v1/signUp", { email, password, language }, false);
export const confirmSignUp = (email: string, code: string) =>
  jsonCall<{ userId: string }>("POST", "/auth/v1/confirmSignUp", { email, code }, false);
export const resendCode = (email: string) => jsonCall("POST", "/auth/v1/resendCode", { email }, false);
export const forgotPassword = (email: string) => jsonCall("POST", "/auth/v1/forgotPassword", { email }, false);
export const confirmForgotPassword = (email: string, code: string, password: string) =>
  jsonCall("POST", "/auth/v1/confirmForgotPassword", { email, code, password }, false);
export const getMe = () => jsonCall<Me>("GET", "/account/v1/me");
export const getApiKeys = () => jsonCall<{ userId: string; keys: ApiKey[] }>("GET", "/account/v1/apiKeys");
export const rotateApiKeys = () => jsonCall<{ userId: string; keys: ApiKey[] }>("POST", "/account/v1/apiKeys/rotate");
