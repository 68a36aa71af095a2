import { useEffect, useState } from "react";
import { currentSession, onSessionChange, type Session } from "../lib/session";

export function useSession(): Session | null {
  const [session, setSession] = useState(currentSession);
  useEffect(() => onSessionChange(setSession), []);
  return session;
}
