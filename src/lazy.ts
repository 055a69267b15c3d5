// A module loaded on first use, then kept: `const sdk = lazy(() => import("…"))`. A dynamic import()
// is not free after the first: every call resolves the specifier again (under a loader such as tsx,
// a round trip to its thread), and the step runner would pay that on every invocation.
export function lazy<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => {
    loaded ??= load();
    // A failed load is not kept: the next call tries again.
    loaded.catch(() => (loaded = undefined));
    return loaded;
  };
}
