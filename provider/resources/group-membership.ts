/**
 * A user's membership of a group. Its id is `<groupId>:<userId>`: LearnUpon does not reliably
 * return a membership id, and the pair is what identifies a membership anyway.
 *
 * | Pulumi  | LearnUpon                                                                  |
 * |---------|----------------------------------------------------------------------------|
 * | create  | adopt an existing membership, else `POST /group_memberships` (with `process_enrollments`) |
 * | read    | the group's members from the run's snapshot (`GET /group_memberships?group_id=`) |
 * | update  | nothing to send: `processEnrollments` only matters when joining; on an LMS whose deactivation empties groups, re-adds a re-activated user |
 * | delete  | `DELETE /group_memberships/0` with the pair; the enrollments the group gave stay |
 * @module
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { AmbiguousNameError } from "../client/index.js";
import type { ProviderContext } from "../runtime.js";
import type { LmsId } from "../lms/model.js";
import { refuseControlCharacters } from "./input-rules.js";
import {
  checkInputs,
  DEFAULT_LMS,
  lmsIdField,
  exactlyOne,
  isUnknown,
  resolveUser,
  LmsResource,
  userReferenceChanged,
  userReferenceFields,
  exactlyOneUser,
  type CheckedLms,
  type UserReferenceArgs,
  warn,
} from "./lifecycle.js";

export interface GroupMembershipArgs extends UserReferenceArgs {
  /** Give this or `groupTitle` (the group's exact title, resolved once per run). */
  groupId?: pulumi.Input<number>;
  groupTitle?: pulumi.Input<string>;
  /** Enroll the user in the group's courses when joining. @default true */
  processEnrollments?: pulumi.Input<boolean>;
  /**
   * Whether the user is to be active (the roster's `enabled`), on an LMS whose deactivation takes a person out of
   * every group (Learn Amp): while false the membership is suspended, not missing; when the user is
   * re-activated, the same update puts them back in the group.
   */
  userEnabled?: pulumi.Input<boolean>;
}

/** The fields alone, with their defaults; `groupMembershipInputsSchema` adds the rules across fields. @internal */
export function groupMembershipFieldsSchema(lms: CheckedLms = DEFAULT_LMS) {
  return z.object({
    ...userReferenceFields(lms),
    groupId: lmsIdField(lms, "group").optional(),
    groupTitle: z.string().trim().min(1, "must not be empty").superRefine(refuseControlCharacters).optional(),
    processEnrollments: z.boolean("must be true or false").default(true),
    userEnabled: z.boolean("must be true or false").optional(),
  });
}

/** @internal */
export function groupMembershipInputsSchema(lms: CheckedLms = DEFAULT_LMS) {
  return groupMembershipFieldsSchema(lms)
    .refine(...exactlyOneUser)
    .refine((inputs) => exactlyOne(inputs.groupId, inputs.groupTitle), { message: "give exactly one of groupId or groupTitle", path: ["groupId"] });
}

/** @internal */
export type GroupMembershipInputs = z.output<ReturnType<typeof groupMembershipInputsSchema>>;
/** @internal */
export type GroupMembershipOutputs = Omit<GroupMembershipInputs, "userId" | "groupId"> & {
  /** The LMS's ids, as the backend keeps them in state (LearnUpon: numbers). */
  userId: string | number;
  groupId: string | number;
};

/**
 * A membership is there or not: no field of it changes in the portal (`processEnrollments` only
 * matters when joining), so a preview summary compares none.
 */
export const GROUP_MEMBERSHIP_SUMMARY_FIELDS = [] as const;

/** The resource's id, `<groupId>:<userId>`, which is also its claim in the run's snapshot. */
function membershipId(groupId: LmsId, userId: LmsId): string {
  return `${groupId}:${userId}`;
}

function parseId(id: string): { groupId: LmsId; userId: LmsId } {
  const separator = id.indexOf(":");
  return { groupId: id.slice(0, separator), userId: id.slice(separator + 1) };
}

/** @internal */
export const groupMembershipLifecycle = {
  async check(_olds: unknown, news: Record<string, unknown>, lms: CheckedLms = DEFAULT_LMS): Promise<pulumi.dynamic.CheckResult<GroupMembershipInputs>> {
    return checkInputs("GroupMembership", { inputs: groupMembershipInputsSchema(lms), fields: groupMembershipFieldsSchema(lms) }, news);
  },

  async diff(_id: string, olds: GroupMembershipOutputs, news: GroupMembershipInputs): Promise<pulumi.dynamic.DiffResult> {
    const replaces: string[] = [];
    if (userReferenceChanged(olds, news)) replaces.push(news.userId !== undefined ? "userId" : "userEmail");
    if (news.groupId !== undefined && !isUnknown(news.groupId) && news.groupId !== olds.groupId) replaces.push("groupId");
    if (news.groupTitle !== undefined && news.groupTitle !== olds.groupTitle) replaces.push("groupTitle");
    const suspensionChanged = news.userEnabled !== undefined && !isUnknown(news.userEnabled) && news.userEnabled !== olds.userEnabled;
    return { changes: replaces.length > 0 || suspensionChanged || news.processEnrollments !== olds.processEnrollments, replaces };
  },

  async create(context: ProviderContext, inputs: GroupMembershipInputs): Promise<pulumi.dynamic.CreateResult<GroupMembershipOutputs>> {
    const { lms, snapshot } = context;
    const [user, groupId] = await Promise.all([resolveUser(context, inputs), resolveGroupId(context, inputs)]);
    if (await snapshot.isMember(user.id, groupId)) {
      snapshot.claim(`membership:${membershipId(groupId, user.id)}`);
    } else if (!isSuspended(context, inputs)) {
      await join(context, groupId, user.id, inputs.processEnrollments);
    }
    return { id: membershipId(groupId, user.id), outs: { ...inputs, userId: lms.stateId(user.id), groupId: lms.stateId(groupId) } };
  },

  async read({ backend, snapshot }: ProviderContext, id: string, stored: GroupMembershipOutputs): Promise<pulumi.dynamic.ReadResult<GroupMembershipOutputs>> {
    const { groupId, userId } = parseId(id);
    let props = stored;
    if (backend.capabilities.deactivationEmptiesGroups && stored.userEnabled !== undefined) {
      // The person's own state decides: deactivated, the LMS took them out of the group (suspended, not gone).
      const user = await snapshot.userById(userId);
      if (user !== undefined) props = { ...stored, userEnabled: user.enabled };
    }
    const member = await snapshot.isMember(userId, groupId);
    if (!member && props.userEnabled === false) {
      console.log(`${backend.title} user ${userId} is deactivated, so out of group ${groupId}; the membership is suspended and comes back when they are re-activated`);
    } else if (!member) {
      warn(`${backend.title} user ${userId} is no longer a member of group ${groupId}; the membership is dropped from the stack and will be created again on the next update`);
      return { id: "" };
    }
    // The inputs as declared: an id resolved at create from an email or a title is an output only;
    // in the inputs it would make the next `up` rewrite the whole checkpoint for this resource.
    const { userId: resolvedUserId, groupId: resolvedGroupId, ...declared } = props;
    const inputs = {
      ...declared,
      ...(props.userEmail === undefined ? { userId: resolvedUserId } : {}),
      ...(props.groupTitle === undefined ? { groupId: resolvedGroupId } : {}),
    };
    return { id, props, inputs: inputs as GroupMembershipOutputs };
  },

  async update(context: ProviderContext, id: string, olds: GroupMembershipOutputs, news: GroupMembershipInputs): Promise<pulumi.dynamic.UpdateResult<GroupMembershipOutputs>> {
    // A re-activated person is out of the groups their deactivation emptied: put them back.
    if (context.backend.capabilities.deactivationEmptiesGroups && olds.userEnabled === false && !isSuspended(context, news)) {
      const { groupId, userId } = parseId(id);
      if (!(await context.snapshot.isMember(userId, groupId))) await join(context, groupId, userId, news.processEnrollments);
    }
    return { outs: { ...news, userId: olds.userId, groupId: olds.groupId } };
  },

  async delete({ lms, snapshot }: ProviderContext, id: string): Promise<void> {
    if (snapshot.isClaimed(`membership:${id}`)) return; // adopted by another resource this run
    const { groupId, userId } = parseId(id);
    await lms.memberships.remove({ groupId, userId });
    await snapshot.rememberMembership(userId, groupId, false);
  },
};

/** True while the LMS keeps a deactivated person out of every group: nothing to add until they are back. */
function isSuspended({ backend }: ProviderContext, inputs: Pick<GroupMembershipInputs, "userEnabled">): boolean {
  return backend.capabilities.deactivationEmptiesGroups === true && inputs.userEnabled === false;
}

async function join({ lms, snapshot }: ProviderContext, groupId: LmsId, userId: LmsId, processEnrollments: boolean): Promise<void> {
  try {
    await lms.memberships.add({ groupId, userId, processEnrollments });
  } catch (error) {
    // A POST that timed out or lost its answer may have landed all the same: adopt the membership if
    // it is there now (past the run's snapshot; a failed look-up proves nothing).
    if (!(await lms.memberships.isMember(groupId, userId).catch(() => false))) throw error;
  }
  await snapshot.rememberMembership(userId, groupId, true);
}

async function resolveGroupId({ backend, lms }: ProviderContext, inputs: GroupMembershipInputs): Promise<LmsId> {
  if (inputs.groupId !== undefined) return String(inputs.groupId);
  const group = await lms.catalog.groupByTitle(inputs.groupTitle ?? "").catch((error: unknown) => {
    if (error instanceof AmbiguousNameError) throw new Error(`${error.message}: give groupId to say which one, or rename the others in the portal`);
    throw error;
  });
  if (!group) throw new Error(`no ${backend.title} group is titled "${inputs.groupTitle}"`);
  return group.id;
}

/** A user's membership of a group. Removing it keeps the enrollments the group gave. */
export class GroupMembership<Id extends number | string = number> extends LmsResource {
  /** Of the LMS's ids: numbers on LearnUpon (the default), text elsewhere (`new GroupMembership<string>(…)`). */
  declare readonly userId: pulumi.Output<Id>;
  declare readonly userEmail: pulumi.Output<string | undefined>;
  declare readonly groupId: pulumi.Output<Id>;
  declare readonly groupTitle: pulumi.Output<string | undefined>;
  declare readonly processEnrollments: pulumi.Output<boolean>;

  constructor(name: string, args: GroupMembershipArgs, opts?: pulumi.CustomResourceOptions) {
    super("GroupMembership", name, { ...args }, opts);
  }
}
