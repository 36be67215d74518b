/**
 * "Only the latest request counts" for a view that asks the same question again (another threshold, another
 * query photo) before the last answer came: starting a request cancels the one in flight, and an answer that
 * still arrives for a superseded request can be recognised and dropped.
 */
export class LatestRequest {
  private current: AbortController | null = null;

  /** Cancels the request in flight, if any, and starts a new one. */
  start(): { signal: AbortSignal; isLatest: () => boolean; finish: () => boolean } {
    this.current?.abort();
    const controller = new AbortController();
    this.current = controller;
    return {
      signal: controller.signal,
      isLatest: () => this.current === controller,
      /** Ends the request; true when it was still the latest (so the view may stop showing "busy"). */
      finish: () => {
        if (this.current !== controller) return false;
        this.current = null;
        return true;
      },
    };
  }

  /**
   * Cancels the request in flight, if any (the user's Cancel). It stays the latest, so its view still hears of the
   * cancellation and its `finish` still ends "busy".
   */
  cancel(): void {
    this.current?.abort();
  }
}
