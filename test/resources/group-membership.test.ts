/**
 * The GroupMembership lifecycle against the fake portal over real HTTP, through the production
 * client: create by group title with and without the group's auto-enroll, adopting a membership that
 * exists, read of a membership removed by hand, delete (the membership only, never the enrollments
 * the group gave) and diff.
 */
import { describe, expect, it } from "vitest";
import type { SeedData } from "../../provider/fake-portal/index.js";
import {
  groupMembershipLifecycle,
  type GroupMembershipInputs,
  type GroupMembershipOutputs,
} from "../../provider/resources/group-membership.js";
import { UNKNOWN } from "../../provider/resources/lifecycle.js";
import type { ProviderContext } from "../../provider/runtime.js";
import { usePortals, type TestPortal } from "./support.js";

const start = usePortals();

const SEED: SeedData = {
  courses: [{ id: 202, name: "Git Fundamentals" }],
  groups: [
    { id: 301, title: "Engineering" },
    { id: 302, title: "Sales" },
  ],
  groupCourses: [{ group_id: 301, course_id: 202 }],
  users: [{ id: 11, email: "ada@example.com", first_name: "Ada", last_name: "Lovelace" }],
};

/** The inputs as the engine passes them to create: validated by check, defaults applied. */
async function checked(news: Record<string, unknown>): Promise<GroupMembershipInputs> {
  const result = await groupMembershipLifecycle.check({}, news);
  if (!result.inputs || result.failures?.length) throw new Error(`check failed: ${JSON.stringify(result.failures)}`);
  return result.inputs;
}

async function create(context: ProviderContext, news: Record<string, unknown>) {
  const result = await groupMembershipLifecycle.create(context, await checked(news));
  return { id: result.id, outs: result.outs as GroupMembershipOutputs };
}

/** The user's enrollments in the portal, as course and the group that gave it. */
function enrollmentsOf(t: TestPortal, userId: number) {
  return [...t.portal.store.enrollments.values()].filter((e) => e.user_id === userId).map((e) => ({ course: e.course_id, group: e.group_id }));
}

describe("GroupMembership create", () => {
  it("joins the group named by title and, by default, enrolls the user in the group's courses", async () => {
    const t = await start({ seed: SEED });

    const result = await create(t.context, { userEmail: "ada@example.com", groupTitle: "Engineering" });

    expect(result).toEqual({
      id: "301:11",
      outs: { userEmail: "ada@example.com", groupTitle: "Engineering", processEnrollments: true, userId: 11, groupId: 301 },
    });
    expect(t.writes()).toEqual([
      { method: "POST", path: "/api/v1/group_memberships", body: { GroupMembership: { group_id: 301, user_id: 11, process_enrollments: true } } },
    ]);
    expect(t.portal.store.findMembership(301, 11)).toBeDefined();
    expect(enrollmentsOf(t, 11)).toEqual([{ course: 202, group: 301 }]);
  });

  it("joins without auto-enrollment when processEnrollments is false", async () => {
    const t = await start({ seed: SEED });

    const result = await create(t.context, { userEmail: "ada@example.com", groupTitle: "Engineering", processEnrollments: false });

    expect(result.id).toBe("301:11");
    expect(t.writes()).toEqual([
      { method: "POST", path: "/api/v1/group_memberships", body: { GroupMembership: { group_id: 301, user_id: 11, process_enrollments: false } } },
    ]);
    expect(t.portal.store.findMembership(301, 11)).toBeDefined();
    expect(enrollmentsOf(t, 11)).toEqual([]);
  });

  it("adopts a membership that exists already, without writing", async () => {
    const t = await start({ seed: { ...SEED, memberships: [{ id: 501, group_id: 301, user_id: 11 }] } });

    const result = await create(t.context, { userId: 11, groupId: 301 });

    expect(result).toEqual({ id: "301:11", outs: { userId: 11, groupId: 301, processEnrollments: true } });
    expect(t.writes()).toEqual([]);
    expect(t.portal.store.memberships.size).toBe(1);
  });

  it("fails naming the group when no group has the title", async () => {
    const t = await start({ seed: SEED });

    await expect(create(t.context, { userId: 11, groupTitle: "Marketing" })).rejects.toThrow('no LearnUpon group is titled "Marketing"');
    expect(t.writes()).toEqual([]);
  });

  it("refuses a title two groups share, naming their ids, and writes nothing", async () => {
    const t = await start({ seed: { ...SEED, groups: [...SEED.groups!, { id: 303, title: "Sales" }] } });

    await expect(create(t.context, { userId: 11, groupTitle: "Sales" })).rejects.toThrow(
      '2 LearnUpon groups are titled "Sales" (ids 302, 303): give groupId to say which one, or rename the others in the portal',
    );
    expect(t.writes()).toEqual([]);
  });
});

describe("GroupMembership read", () => {
  it("keeps a membership that is still there as it is", async () => {
    const t = await start({ seed: SEED });
    const { id, outs } = await create(t.context, { userId: 11, groupTitle: "Engineering" });

    // The inputs as declared: the group id resolved from the title is an output only.
    const { groupId: _resolved, ...declared } = outs;
    expect(await groupMembershipLifecycle.read(t.nextRun(), id, outs)).toEqual({ id: "301:11", props: outs, inputs: declared });
  });

  it("drops a membership removed by hand ({ id: '' }) with a warning", async () => {
    const t = await start({ seed: SEED });
    const { id, outs } = await create(t.context, { userId: 11, groupTitle: "Engineering" });
    const membership = t.portal.store.findMembership(301, 11);
    if (membership) t.portal.store.removeMembership(membership, false);

    const result = await groupMembershipLifecycle.read(t.nextRun(), id, outs);

    expect(result).toEqual({ id: "" });
    expect(t.stderr()).toEqual([
      "warning: LearnUpon user 11 is no longer a member of group 301; the membership is dropped from the stack and will be created again on the next update",
    ]);
  });
});

describe("GroupMembership delete", () => {
  it("removes the membership only: the enrollments the group gave stay", async () => {
    const t = await start({ seed: SEED });
    const { id } = await create(t.context, { userId: 11, groupTitle: "Engineering" });
    t.portal.log.clear();

    await groupMembershipLifecycle.delete(t.nextRun(), id);

    expect(t.writes()).toEqual([
      { method: "DELETE", path: "/api/v1/group_memberships/0", body: { GroupMembership: { group_id: 301, user_id: 11 } } },
    ]);
    expect(t.portal.store.findMembership(301, 11)).toBeUndefined();
    expect(enrollmentsOf(t, 11)).toEqual([{ course: 202, group: 301 }]);
    expect(t.portal.store.users.has(11)).toBe(true);
  });

  it("treats a membership already removed as deleted", async () => {
    const t = await start({ seed: SEED });
    await groupMembershipLifecycle.delete(t.context, "302:11"); // Ada was never in Sales

    expect(t.transcript({ method: "DELETE" })).toEqual(["DELETE /api/v1/group_memberships/0 404"]);
  });
});

describe("GroupMembership diff", () => {
  const OLDS: GroupMembershipOutputs = { userEmail: "ada@example.com", groupTitle: "Engineering", processEnrollments: true, userId: 11, groupId: 301 };
  const INPUTS: GroupMembershipInputs = { userEmail: "ada@example.com", groupTitle: "Engineering", processEnrollments: true };

  it("sees no change for the same declaration, the email in another case included", async () => {
    expect(await groupMembershipLifecycle.diff("301:11", OLDS, { ...INPUTS, userEmail: "Ada@Example.com" })).toEqual({ changes: false, replaces: [] });
  });

  it.each<[string, GroupMembershipInputs, string[]]>([
    ["the user", { ...INPUTS, userEmail: "alan@example.com" }, ["userEmail"]],
    ["the group", { ...INPUTS, groupTitle: "Sales" }, ["groupTitle"]],
    ["the group id", { userId: 11, groupId: 302, processEnrollments: true }, ["groupId"]],
  ])("replaces the membership when %s changes", async (_what, news, replaces) => {
    expect(await groupMembershipLifecycle.diff("301:11", OLDS, news)).toEqual({ changes: true, replaces });
  });

  it("never replaces for a user id not known yet in a preview", async () => {
    const news = { userId: UNKNOWN as unknown as number, groupId: 301, processEnrollments: true };
    expect(await groupMembershipLifecycle.diff("301:11", OLDS, news)).toEqual({ changes: false, replaces: [] });
  });
});
