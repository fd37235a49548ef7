import { useEffect, useState } from 'react';
import { completeSignIn, type Session } from '../auth.ts';

/**
 * The session once any sign-in redirect has been finished: `undefined` while finishing, `null` when
 * nobody is signed in.
 */
export function useSession(): Session | null | undefined {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  useEffect(() => {
    let live = true;
    completeSignIn()
      .then((s) => live && setSession(s ?? null))
      .catch(() => live && setSession(null));
    return () => {
      live = false;
    };
  }, []);
  return session;
}
