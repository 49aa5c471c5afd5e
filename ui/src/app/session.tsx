/**
 * The open register's session (labs, activity types, the current lab,
 * today), shared by every screen once the register is unlocked.
 */
import { createContext, type ComponentChildren } from "preact";
import { useContext } from "preact/hooks";
import type { SessionInfo } from "../bindings";

export interface Session {
  /** Labs, activity types, current lab, today, settings. */
  info: SessionInfo;
  /** Re-reads the session from the Rust side (after a lab change, say). */
  refresh: () => Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ value, children }: { value: Session; children: ComponentChildren }) {
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

/** The session; only screens shown while unlocked may call this. */
export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error("useSession outside an unlocked register");
  return s;
}
