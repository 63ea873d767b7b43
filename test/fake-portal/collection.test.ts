/**
 * The generic collection every fake-portal store is built from: id allocation, lookups in the
 * orders the store relies on, updates that skip undefined fields, and all-or-nothing savepoints.
 */
import { describe, expect, it } from "vitest";
import { Collection } from "../../provider/fake-portal/collection.js";

interface Note {
  id: number;
  text: string;
  pinned: boolean;
}

function notes(): Collection<Note> {
  return new Collection<Note>("notes", 1_001);
}

describe("Collection", () => {
  it("allocates ids from its first id and moves past ids given explicitly", () => {
    const collection = notes();
    expect(collection.create({ text: "a", pinned: false })).toEqual({ id: 1001, text: "a", pinned: false });
    expect(collection.create({ text: "b", pinned: false }, 1005).id).toBe(1005);
    expect(collection.create({ text: "c", pinned: false }, 7).id).toBe(7);
    expect(collection.create({ text: "d", pinned: false }).id).toBe(1006);
    expect(collection.size).toBe(4);
  });

  it("refuses an id already in use, naming the collection", () => {
    const collection = notes();
    collection.create({ text: "a", pinned: false }, 3);
    expect(() => collection.create({ text: "b", pinned: false }, 3)).toThrow("notes id 3 is already taken");
    expect(collection.get(3)?.text).toBe("a");
  });

  it("lists and filters in id order, finds and iterates in the order records were stored", () => {
    const collection = notes();
    collection.create({ text: "late", pinned: true }, 9);
    collection.create({ text: "early", pinned: true }, 2);
    expect(collection.all().map((note) => note.id)).toEqual([2, 9]);
    expect(collection.filter((note) => note.pinned).map((note) => note.text)).toEqual(["early", "late"]);
    expect(collection.find((note) => note.pinned)?.text).toBe("late");
    expect([...collection.keys()]).toEqual([9, 2]);
    expect([...collection.values()].map((note) => note.text)).toEqual(["late", "early"]);
  });

  it("updates in place, leaving undefined fields and unknown ids alone", () => {
    const collection = notes();
    const note = collection.create({ text: "a", pinned: false });
    expect(collection.update(note.id, { text: undefined, pinned: true })).toBe(note);
    expect(note).toEqual({ id: 1001, text: "a", pinned: true });
    expect(collection.update(42, { pinned: true })).toBeUndefined();
  });

  it("deletes by id or by predicate, and clear restarts the ids", () => {
    const collection = notes();
    const first = collection.create({ text: "a", pinned: false });
    collection.create({ text: "b", pinned: true });
    collection.create({ text: "c", pinned: true });
    expect(collection.delete(first.id)).toBe(true);
    expect(collection.delete(first.id)).toBe(false);
    collection.deleteWhere((note) => note.text === "b");
    expect(collection.all().map((note) => note.text)).toEqual(["c"]);
    collection.clear();
    expect([collection.size, collection.has(1003)]).toEqual([0, false]);
    expect(collection.create({ text: "again", pinned: false }).id).toBe(1001);
  });

  it("rolls back to a savepoint: the records it held and its id counter", () => {
    const collection = notes();
    collection.create({ text: "kept", pinned: false });
    const rollback = collection.savepoint();
    collection.create({ text: "dropped", pinned: false });
    collection.delete(1001);
    rollback();
    expect(collection.all().map((note) => note.text)).toEqual(["kept"]);
    expect(collection.create({ text: "next", pinned: false }).id).toBe(1002);
  });
});
