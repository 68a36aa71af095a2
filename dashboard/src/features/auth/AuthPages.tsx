import { useState, type FormEvent, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useSearchParams } from "react-router";
import { FormError, TextField } from "../../components/Field";
import { LanguageSwitch } from "../../components/LanguageSwitch";
import { ApiError } from "../../lib/api";
import { setLanguage, storedLanguage } from "../../lib/i18n";
import { isOperator, saveSession, sessionFromTokens } from "../../lib/session";
import { confirmForgotPassword, confirmSignUp, forgotPassword, getMe, resendCode, signIn, signUp } from "./api";

/** A form's submission state: busy while the call runs, the server's message when it fails. */
function useSubmit() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (caught) {
      setError(caught instanceof ApiError ? caught : new ApiError(String(caught), "unknown", 0));
    } finally {
      setBusy(false);
    }
  };
  /** The message for one field, when the server named it; else null (the form shows it). */
  const fieldError = (name: string) => (error && error.message.toLowerCase().includes(name) ? error.message : null);
  return { busy, error, run, fieldError };
}

function AuthFrame({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main id="main" className="auth">
      <div className="auth-top">
        <strong className="brand">ByteBridge</strong>
        <LanguageSwitch remember={false} />
      </div>
      <h1>{title}</h1>
      {children}
    </main>
  );
}

export function SignInPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [email, setEmail] = useState(params.get("email") ?? "");
  const [password, setPassword] = useState("");
  const { busy, error, run } = useSubmit();
  const notice = params.get("notice");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      const session = sessionFromTokens(await signIn(email, password));
      saveSession(session);
      if (!isOperator(session)) {
        // The account's language wins over this browser's (remembered per account).
        const me = await getMe().catch(() => null);
        if (me && me.language !== storedLanguage()) setLanguage(me.language);
      }
      const next = params.get("next");
      navigate(next && next.startsWith("/") ? next : isOperator(session) ? "/ops" : "/projects", { replace: true });
    });
  };
  return (
    <AuthFrame title={t("auth.signIn.title")}>
      {notice && <p role="status">{t(`auth.${notice}`)}</p>}
      <form onSubmit={submit} noValidate>
        <TextField label={t("auth.email")} type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} required />
        <TextField label={t("auth.password")} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        <FormError error={error?.message} />
        <button className="primary" type="submit" disabled={busy}>
          {busy ? t("common.loading") : t("auth.signIn.submit")}
        </button>
      </form>
      <p>
        {t("auth.signIn.noAccount")} <Link to="/signup">{t("auth.signUp.submit")}</Link>
      </p>
      <p>
        <Link to={`/reset?email=${encodeURIComponent(email)}`}>{t("auth.signIn.forgot")}</Link>
      </p>
    </AuthFrame>
  );
}

export function SignUpPage() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const { busy, error, run, fieldError } = useSubmit();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      await signUp(email, password, i18n.language);
      navigate(`/verify?email=${encodeURIComponent(email)}`);
    });
  };
  const passwordError = fieldError("password");
  const emailError = passwordError ? null : fieldError("email");
  return (
    <AuthFrame title={t("auth.signUp.title")}>
      <form onSubmit={submit} noValidate>
        <TextField label={t("auth.email")} type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} error={emailError} required />
        <TextField
          label={t("auth.password")}
          type="password"
          autoComplete="new-password"
          hint={t("auth.passwordHint")}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={passwordError}
          required
        />
        <FormError error={!passwordError && !emailError ? error?.message : null} />
        <button className="primary" type="submit" disabled={busy}>
          {busy ? t("common.loading") : t("auth.signUp.submit")}
        </button>
      </form>
      <p>
        {t("auth.signUp.haveAccount")} <Link to="/signin">{t("auth.signIn.submit")}</Link>
      </p>
    </AuthFrame>
  );
}

export function VerifyPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [email, setEmail] = useState(params.get("email") ?? "");
  const [code, setCode] = useState("");
  const [resent, setResent] = useState(false);
  const { busy, error, run } = useSubmit();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      await confirmSignUp(email, code.trim());
      navigate(`/signin?email=${encodeURIComponent(email)}&notice=verify.done`);
    });
  };
  return (
    <AuthFrame title={t("auth.verify.title")}>
      {email && <p role="status">{t("auth.signUp.sent", { email })}</p>}
      <form onSubmit={submit} noValidate>
        <TextField label={t("auth.email")} type="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
        <TextField label={t("auth.code")} inputMode="numeric" autoComplete="one-time-code" value={code} onChange={(e) => setCode(e.target.value)} required />
        <FormError error={error?.message} />
        <button className="primary" type="submit" disabled={busy}>
          {t("auth.verify.submit")}
        </button>
        <button type="button" onClick={() => void run(async () => { await resendCode(email); setResent(true); })}>
          {t("auth.verify.resend")}
        </button>
        {resent && <p role="status">{t("auth.verify.resent")}</p>}
      </form>
    </AuthFrame>
  );
}

export function ResetPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [email, setEmail] = useState(params.get("email") ?? "");
  const [sent, setSent] = useState(false);
  const [code, setCode] = useState("");
  const [password, setPassword] = useState("");
  const { busy, error, run } = useSubmit();
  const send = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      await forgotPassword(email);
      setSent(true);
    });
  };
  const confirm = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      await confirmForgotPassword(email, code.trim(), password);
      navigate(`/signin?email=${encodeURIComponent(email)}&notice=reset.done`);
    });
  };
  return (
    <AuthFrame title={t("auth.reset.title")}>
      {!sent ? (
        <form onSubmit={send} noValidate>
          <TextField label={t("auth.email")} type="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
          <FormError error={error?.message} />
          <button className="primary" type="submit" disabled={busy}>
            {t("auth.reset.send")}
          </button>
        </form>
      ) : (
        <form onSubmit={confirm} noValidate>
          <p role="status">{t("auth.reset.sent")}</p>
          <TextField label={t("auth.code")} autoComplete="one-time-code" value={code} onChange={(e) => setCode(e.target.value)} required />
          <TextField label={t("auth.newPassword")} type="password" autoComplete="new-password" hint={t("auth.passwordHint")} value={password} onChange={(e) => setPassword(e.target.value)} required />
          <FormError error={error?.message} />
          <button className="primary" type="submit" disabled={busy}>
            {t("auth.reset.submit")}
          </button>
        </form>
      )}
    </AuthFrame>
  );
}
