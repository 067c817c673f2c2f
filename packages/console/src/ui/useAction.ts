// The error state of a screen's writes: `run(fn)` clears the previous error, runs the write
// and keeps its error (an ApiError names the fields) for the form's fields and <ErrorView>.
import { useCallback, useState } from 'react';

export function useAction(): {
  err: Error | null;
  setErr: (e: Error | null) => void;
  /** true when `fn` succeeded */
  run: (fn: () => Promise<unknown>) => Promise<boolean>;
} {
  const [err, setErr] = useState<Error | null>(null);
  const run = useCallback(async (fn: () => Promise<unknown>) => {
    setErr(null);
    try {
      await fn();
      return true;
    } catch (x) {
      setErr(x as Error);
      return false;
    }
  }, []);
  return { err, setErr, run };
}
