/**
 * A tiny typed collection of records keyed by a numeric id, after `@msw/data`: the building block
 * of a fake portal's store, kept free of any LMS so that fakes of other portals can reuse it.
 *
 * Each collection allocates its own ids from a counter that starts at `firstId`; giving each
 * collection its own range makes an id sent to the wrong endpoint come back "not found".
 * @module
 */

/** Changes to a record: fields left undefined stay as they are; the id never changes. */
export type RecordChanges<T> = { [K in Exclude<keyof T, "id">]?: T[K] | undefined };

export class Collection<T extends { id: number }> {
  readonly #records = new Map<number, T>();
  readonly #firstId: number;
  #nextId: number;

  /** `name` appears in errors, e.g. "users id 7 is already taken". */
  constructor(
    readonly name: string,
    firstId: number,
  ) {
    this.#firstId = firstId;
    this.#nextId = firstId;
  }

  get size(): number {
    return this.#records.size;
  }

  /**
   * Stores a record under the next free id, or under `id` when given (as seeding does), and
   * returns it. A given id already in use throws; the counter moves past it so later ids stay free.
   */
  create(fields: Omit<T, "id">, id?: number | undefined): T {
    if (id !== undefined && this.#records.has(id)) throw new Error(`${this.name} id ${id} is already taken`);
    const recordId = id ?? this.#nextId;
    this.#nextId = Math.max(this.#nextId, recordId + 1);
    // `Omit<T, "id">` plus an id is a `T`, which TypeScript cannot prove for a generic T.
    const record = { id: recordId, ...fields } as T;
    this.#records.set(recordId, record);
    return record;
  }

  get(id: number): T | undefined {
    return this.#records.get(id);
  }

  has(id: number): boolean {
    return this.#records.has(id);
  }

  /** The first record, in the order they were stored, that matches. */
  find(predicate: (record: T) => boolean): T | undefined {
    for (const record of this.#records.values()) {
      if (predicate(record)) return record;
    }
    return undefined;
  }

  /** The matching records in id order. */
  filter(predicate: (record: T) => boolean): T[] {
    return this.all().filter(predicate);
  }

  /** Every record in id order, the order list endpoints answer in. */
  all(): T[] {
    return [...this.#records.values()].sort((a, b) => a.id - b.id);
  }

  /** Changes a record in place and returns it; undefined if there is no record with that id. */
  update(id: number, changes: RecordChanges<T>): T | undefined {
    const record = this.#records.get(id);
    if (!record) return undefined;
    const defined = Object.entries(changes).filter(([, value]) => value !== undefined);
    return Object.assign(record, Object.fromEntries(defined));
  }

  /** Whether there was a record to delete. */
  delete(id: number): boolean {
    return this.#records.delete(id);
  }

  deleteWhere(predicate: (record: T) => boolean): void {
    for (const [id, record] of [...this.#records]) {
      if (predicate(record)) this.#records.delete(id);
    }
  }

  /** Empties the collection and restarts its ids at `firstId`. */
  clear(): void {
    this.#records.clear();
    this.#nextId = this.#firstId;
  }

  /** The records in the order they were stored. */
  values(): IterableIterator<T> {
    return this.#records.values();
  }

  /** The ids in the order they were stored. */
  keys(): IterableIterator<number> {
    return this.#records.keys();
  }

  /**
   * Remembers which records the collection holds and where its id counter stands; the returned
   * function puts both back, for loads that must be all or nothing. Records changed in place
   * after the savepoint stay changed.
   */
  savepoint(): () => void {
    const records = new Map(this.#records);
    const nextId = this.#nextId;
    return () => {
      this.#records.clear();
      for (const [id, record] of records) this.#records.set(id, record);
      this.#nextId = nextId;
    };
  }
}
