/** A deterministic mutex for workflow code: steps run one after another in the order they asked. */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  /** Runs a step once every step queued before it has finished. */
  run<T>(step: () => Promise<T>): Promise<T> {
    const result = this.tail.then(step);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
