/**
 * Wraps an async function so concurrent callers share one call in flight.
 * The session refresh needs this: the server spends a refresh token on first
 * use and treats its reuse as theft (the whole session is revoked), so two
 * requests that both see an expired access token must not refresh twice.
 */
export function singleFlight<T>(run: () => Promise<T>): () => Promise<T> {
  let inFlight: Promise<T> | undefined;
  return () => {
    inFlight ??= run().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
}
