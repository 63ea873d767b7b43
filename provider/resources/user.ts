/**
 * A LearnUpon user, identified by the employee id (its logical name in the program).
 *
 * | Pulumi  | LearnUpon                                                                  |
 * |---------|----------------------------------------------------------------------------|
 * | create  | adopt the user holding the email (case-insensitive, disabled included) and bring it to the declared fields with `PUT /users/{id}`, else `POST /users` |
 * | read    | the user from the run's snapshot (`GET /users`, 500 a page)                 |
 * | update  | `PUT /users/{id}` with only the changed fields                               |
 * | delete  | the removal policy: `deactivate` (`enabled: false`, the default), `delete` (`DELETE /users/{id}`) or `retain` (forget only) |
 * @module
 */
import { randomBytes } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { NotFoundError, sameEmail } from "../client/index.js";
import { programBackend } from "../lms/backends.js";
import type { LmsUser, UserChanges } from "../lms/model.js";
import type { ProviderContext } from "../runtime.js";
import { USER_REMOVAL_POLICIES, type UserRemovalPolicy } from "../lms/config.js";
import { checkInputs, containsUnknown, DEFAULT_LMS, PartialCreateError, LmsResource, warn, type CheckedLms } from "./lifecycle.js";
import { refuseControlCharacters } from "./input-rules.js";
import { assertSamePerson, isDemotion, protectedRole, SafetyError } from "./safety.js";

/** LearnUpon's roles, the default LMS's; each backend lists its own (`capabilities.userTypes`). */
export { LEARNUPON_USER_TYPES as USER_TYPES } from "../lms/learnupon/backend.js";
/** A role in the LMS's own words: LearnUpon's learner, instructor, manager or admin; checked against the configured LMS at preview. */
export type UserType = string;

export interface UserArgs {
  /** The stable identity of the person in your HR system; also the resource's logical name. */
  employeeId: pulumi.Input<string>;
  email: pulumi.Input<string>;
  firstName: pulumi.Input<string>;
  lastName: pulumi.Input<string>;
  /** Only for portals that sign in by username. */
  username?: pulumi.Input<string>;
  /**
   * The role. Unset, a new person is created as a learner and an adopted one keeps the role the
   * portal gives them: adoption never lowers a role the program does not state.
   */
  userType?: pulumi.Input<UserType>;
  /** @default true */
  enabled?: pulumi.Input<boolean>;
  /** ISO language code, e.g. "en" (LearnUpon reads it back as `locale`). */
  language?: pulumi.Input<string>;
  /** Custom user data keyed by the field's label. Only the keys given here are managed. */
  customData?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Initial password, used only when the user is created; never stored in state in plain text. */
  password?: pulumi.Input<string>;
  /** What removing this resource does. @default stack config `learnupon:userRemoval`, else "deactivate" */
  removal?: pulumi.Input<UserRemovalPolicy>;
  /**
   * Someone the roster does not declare, adopted as the portal has them (`roster:mode: authoritative`
   * sets it, with `enabled: false`): the resource never creates a person and writes no employee id
   * or ownership marker; `employeeId` is theirs in the portal, or `lms-<id>` when they have none.
   */
  unmanaged?: pulumi.Input<boolean>;
}

/** A name the portal shows on one line: a newline would split it in exports and lists. */
const oneLineName = () => z.string().trim().min(1, "must not be empty").superRefine(refuseControlCharacters);

/** @internal */
export function userInputsSchema(lms: CheckedLms = DEFAULT_LMS) {
  const roles = lms.capabilities.userTypes;
  return z.object({
    employeeId: z.string().trim().min(1, "must not be empty"),
    email: z.email("is not a valid email address"),
    firstName: oneLineName(),
    lastName: oneLineName(),
    username: oneLineName().optional(),
    userType: z.enum(roles as [string, ...string[]], { error: `must be one of ${roles.join(", ")}` }).optional(),
    enabled: z.boolean("must be true or false").default(true),
    language: z.string().regex(/^[a-z]{2}([-_][A-Za-z]{2})?$/, "must be an ISO language code such as en or pt-BR").optional(),
    customData: z.record(z.string(), z.string("must be a string")).optional(),
    password: z.string().min(6, "must be at least 6 characters (LearnUpon's minimum)").optional(),
    removal: z.enum(USER_REMOVAL_POLICIES, { error: `must be one of ${USER_REMOVAL_POLICIES.join(", ")}` }).optional(),
    unmanaged: z.boolean("must be true or false").optional(),
  });
}

/** @internal */
export type UserInputs = z.output<ReturnType<typeof userInputsSchema>>;
/** What state holds: the inputs without the password, plus the LearnUpon id. @internal */
export type UserOutputs = Omit<UserInputs, "password"> & {
  /** The LMS's id, as the backend keeps it in state (LearnUpon: a number). */
  userId: string | number;
  /** The inputs leave `userType` out: it holds the role the portal gives, which is not managed. */
  roleFromPortal?: true;
  /** Where the LMS keeps external ids: the one the portal holds, which should be the employee id (a refresh shows a hand edit). */
  externalId?: string;
};

/** The fields compared by `diff` and written by `update`; the rest is identity or policy. */
const MANAGED_FIELDS = ["email", "firstName", "lastName", "username", "userType", "enabled", "language", "customData"] as const;
type ManagedField = (typeof MANAGED_FIELDS)[number];
/**
 * The fields a preview summary shows as "field: before → after", in this order: the managed ones
 * but `enabled` (reported as deactivated or re-activated instead), and the removal policy, which
 * `diff` compares too.
 */
export const USER_SUMMARY_FIELDS = [...MANAGED_FIELDS.filter((field) => field !== "enabled"), "removal"] as const;

function sameValue(field: ManagedField, declared: unknown, live: unknown): boolean {
  if (declared === undefined) return true; // an optional field we do not manage
  if (field === "email") return sameEmail(declared as string, live as string);
  if (field === "customData") {
    const liveData = (live ?? {}) as Record<string, unknown>;
    return Object.entries(declared as Record<string, string>).every(([label, value]) => liveData[label] === value);
  }
  return declared === live;
}

/** The declared fields that differ from `current`: what an update writes. */
function changedFields(declared: UserInputs, current: Omit<UserOutputs, "userId" | "employeeId">): UserChanges {
  const changes: UserChanges = {};
  for (const field of MANAGED_FIELDS) {
    if (!sameValue(field, declared[field], current[field])) Object.assign(changes, { [field]: declared[field] });
  }
  return changes;
}

/** The managed fields the inputs declare: what a create writes. */
function declaredFields(inputs: UserInputs): UserChanges {
  return Object.fromEntries(MANAGED_FIELDS.filter((field) => inputs[field] !== undefined).map((field) => [field, inputs[field]]));
}

/** The live user shaped like the declared inputs, keeping only what the declaration manages. */
function liveFields(user: LmsUser, declared: Partial<UserOutputs>): Omit<UserOutputs, "userId" | "employeeId"> {
  const live: Omit<UserOutputs, "userId" | "employeeId"> = {
    email: user.email ?? "",
    firstName: user.firstName,
    lastName: user.lastName,
    userType: user.userType,
    enabled: user.enabled,
  };
  if (declared.username !== undefined && user.username !== undefined) live.username = user.username;
  if (declared.language !== undefined && user.language !== undefined) live.language = user.language;
  if (declared.customData !== undefined) {
    live.customData = Object.fromEntries(Object.keys(declared.customData).map((label) => [label, user.customData[label] ?? ""]));
  }
  if (declared.removal !== undefined) live.removal = declared.removal;
  return live;
}

/** The outputs: the inputs without the password, with the role the person has when the inputs leave it out. */
function outputsOf(inputs: UserInputs, userId: string | number, role: string | undefined): UserOutputs {
  const { password: _writeOnly, ...rest } = inputs;
  return inputs.userType !== undefined ? { ...rest, userId } : { ...rest, userType: role, roleFromPortal: true, userId };
}

/** LearnUpon requires a password on create; people who sign in by SSO or reset link never see this one. */
function generatedPassword(): string {
  return randomBytes(18).toString("base64url");
}

/** @internal */
export const userLifecycle = {
  async check(_olds: unknown, news: Record<string, unknown>, lms: CheckedLms = DEFAULT_LMS): Promise<pulumi.dynamic.CheckResult<UserInputs>> {
    // `fields` validates the known inputs alone, so a required one may be among the unknown.
    const schemas = { inputs: userInputsSchema(lms), fields: userInputsSchema(lms).partial() };
    return checkInputs("User", schemas, news, news["employeeId"] as string | undefined);
  },

  async diff(_id: string, olds: UserOutputs, news: UserInputs): Promise<pulumi.dynamic.DiffResult> {
    // A user is never replaced: deleting a learner would lose their training history.
    if (containsUnknown(news)) return { changes: true };
    const fieldsChanged = MANAGED_FIELDS.some((field) => !sameValue(field, news[field], olds[field]));
    const identityChanged =
      news.employeeId !== olds.employeeId || news.removal !== olds.removal || news.unmanaged !== olds.unmanaged || externalIdToWrite(olds, news) !== undefined;
    return { changes: fieldsChanged || identityChanged };
  },

  async create(context: ProviderContext, inputs: UserInputs): Promise<pulumi.dynamic.CreateResult<UserOutputs>> {
    const { backend, lms, snapshot } = context;
    const { defaultUserType, externalId: keepsExternalIds, unsupportedFields } = backend.capabilities;
    // Where the LMS keeps external ids, the employee id is one: the person is found by it first.
    const writesExternalId = keepsExternalIds && inputs.unmanaged !== true;
    const identity = writesExternalId ? { externalId: inputs.employeeId } : {};
    let existing = (keepsExternalIds ? await snapshot.userByExternalId(inputs.employeeId) : undefined) ?? (await snapshot.userByEmail(inputs.email));
    if (!existing && inputs.unmanaged === true) {
      throw new SafetyError(
        `${backend.title} has no user ${inputs.email} (employee ${inputs.employeeId}) any more: nothing to deactivate, and someone the roster ` +
          `does not declare is never created. The next preview no longer lists them.`,
      );
    }
    if (!existing) {
      // A new person has the LMS's least role unless the program says otherwise.
      const fields = { ...declaredFields({ userType: defaultUserType, ...inputs }), ...identity };
      const password = unsupportedFields.User?.["password"] === undefined ? { password: inputs.password ?? generatedPassword() } : {};
      try {
        const userId = await lms.users.create({ ...fields, ...password });
        const { firstName = "", lastName = "", enabled = true, customData = {}, ...rest } = fields;
        await snapshot.rememberUser({ ...rest, id: userId, firstName, lastName, enabled, customData });
        return { id: userId, outs: { ...outputsOf(inputs, lms.stateId(userId), defaultUserType), ...identity } };
      } catch (error) {
        // A POST that timed out or lost its answer may have landed all the same (and a retry of it
        // then finds the email taken): the email is the identity, so adopt whoever holds it now.
        existing = await lms.users.findByEmail(inputs.email).catch(() => undefined);
        if (!existing) throw error;
        await snapshot.rememberUser(existing);
      }
    }

    // Adopt: the person exists already (perhaps deactivated when they left): bring them to the roster.
    assertMayAdopt(context, existing, inputs);
    snapshot.claim(`user:${existing.id}`);
    const changes = changedFields(inputs, liveFields(existing, inputs));
    if (writesExternalId && existing.externalId !== inputs.employeeId) changes.externalId = inputs.employeeId;
    if (Object.keys(changes).length > 0) {
      let updated: LmsUser;
      try {
        await admitChange(context, existing, changes, inputs.employeeId);
        updated = await lms.users.update(existing, changes);
      } catch (error) {
        const adoptedAsIs = { ...liveFields(existing, inputs), employeeId: inputs.employeeId, userId: lms.stateId(existing.id) };
        throw new PartialCreateError(existing.id, adoptedAsIs, error, backend.title);
      }
      await snapshot.rememberUser(updated);
    }
    return { id: existing.id, outs: { ...outputsOf(inputs, lms.stateId(existing.id), liveFields(existing, inputs).userType), ...identity } };
  },

  async read(context: ProviderContext, id: string, props: UserOutputs): Promise<pulumi.dynamic.ReadResult<UserOutputs>> {
    const user = await context.snapshot.userById(id);
    if (!user) {
      warn(`${context.backend.title} user ${id} (employee ${props.employeeId}, ${props.email}) no longer exists in the portal; it is dropped from the stack and will be created again on the next update`);
      return { id: "" };
    }
    const roleFromPortal = props.roleFromPortal === true ? { roleFromPortal: true as const } : {};
    // Only an external id the portal shows is compared: a server without them (Learn Amp before mid-2026) is not drift.
    const heldId = context.backend.capabilities.externalId && props.unmanaged !== true && user.externalId !== undefined ? { externalId: user.externalId } : {};
    const policy = { ...(props.unmanaged !== undefined && { unmanaged: props.unmanaged }) };
    const live: UserOutputs = { ...liveFields(user, props), employeeId: props.employeeId, userId: props.userId, ...roleFromPortal, ...heldId, ...policy };
    // The inputs as the program declares them: a role it leaves out is not among them, nor the external id.
    const { userId: _id, roleFromPortal: _unmanaged, userType, externalId: _heldId, ...inputs } = live;
    return { id, props: live, inputs: { ...inputs, ...(props.roleFromPortal ? {} : { userType }) } as UserOutputs };
  },

  async update(context: ProviderContext, id: string, olds: UserOutputs, news: UserInputs): Promise<pulumi.dynamic.UpdateResult<UserOutputs>> {
    const changes = changedFields(news, olds);
    const externalId = externalIdToWrite(olds, news);
    if (externalId !== undefined) changes.externalId = externalId;
    if (Object.keys(changes).length > 0) {
      const user = await samePersonInPortal(context, id, olds, "update");
      await admitChange(context, user, changes, olds.employeeId);
      await context.snapshot.rememberUser(await context.lms.users.update(user, changes));
    }
    const heldId = olds.externalId !== undefined && news.unmanaged !== true ? { externalId: news.employeeId } : {};
    return { outs: { ...outputsOf(news, olds.userId, olds.userType), ...heldId } };
  },

  async delete(context: ProviderContext, id: string, props: UserOutputs): Promise<void> {
    const { lms, settings, snapshot } = context;
    const policy = props.removal ?? settings.userRemoval;
    const who = `${context.backend.title} user ${id} (employee ${props.employeeId})`;
    if (snapshot.isClaimed(`user:${id}`)) {
      console.log(`${who} is now managed under another employee id; left as it is`);
      return;
    }
    if (policy === "retain") {
      console.log(`${who} is no longer managed; left as it is in the portal (removal policy: retain)`);
      return;
    }
    const user = await snapshot.userById(id);
    if (!user) {
      // deleted by hand since the last refresh: nothing left to deactivate
      console.log(`${who} no longer exists in the portal; nothing to ${policy} (removal policy: ${policy})`);
      return;
    }
    assertSamePerson(user, props, policy, context.backend.title);
    const owner = otherOwner(context, user, props);
    if (owner !== undefined) {
      console.log(`${who} is now managed by stack ${owner}; left as it is`);
      return;
    }
    if (policy === "deactivate" && user.enabled === false) {
      console.log(`${who} is already deactivated; its training history is kept (removal policy: deactivate)`);
      return;
    }
    assertMayRemove(context, user, props.employeeId, policy);
    context.breaker.admit(`employee ${props.employeeId} (${user.email})`, await snapshot.activeUserCount());
    if (policy === "delete") {
      await lms.users.delete(id);
      await snapshot.forgetUser(id);
      console.log(`${who} deleted with its training history (removal policy: delete)`);
      return;
    }
    let deactivated: LmsUser;
    try {
      deactivated = await lms.users.update(user, { enabled: false });
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      await snapshot.forgetUser(id); // deleted by hand since the run's snapshot
      console.log(`${who} no longer exists in the portal; nothing to deactivate (removal policy: deactivate)`);
      return;
    }
    await snapshot.rememberUser(deactivated);
    console.log(`${who} deactivated; its training history is kept (removal policy: deactivate)`);
  },
};

/**
 * The employee id to write back as the external id, when state (after a refresh) shows the portal
 * holding another one: a hand edit of the ownership marker. Unmanaged people keep theirs.
 */
function externalIdToWrite(olds: UserOutputs, news: UserInputs): string | undefined {
  if (olds.externalId === undefined || news.unmanaged === true) return undefined;
  return olds.externalId === news.employeeId ? undefined : news.employeeId;
}

/** The portal's user at `id`, when it is the person in state; otherwise nothing is written. */
async function samePersonInPortal(context: ProviderContext, id: string, olds: UserOutputs, action: string): Promise<LmsUser> {
  const user = await context.snapshot.userById(id);
  if (!user) {
    throw new SafetyError(
      `cannot ${action} ${context.backend.title} user ${id} (employee ${olds.employeeId}, ${olds.email}): the portal has no user with that id. ` +
        `If it was deleted by hand, run \`pulumi refresh\`; the next update then creates the person again.`,
    );
  }
  assertSamePerson(user, olds, action, context.backend.title);
  return user;
}

/** The stack whose ownership marker the user carries, when it is not this one (and markers are on). */
function otherOwner({ safety }: ProviderContext, user: LmsUser, declared: Pick<UserInputs, "customData">): string | undefined {
  if (safety.ownerField === undefined) return undefined;
  const owner = user.customData[safety.ownerField]?.trim() ?? "";
  const ours = declared.customData?.[safety.ownerField];
  return owner !== "" && ours !== undefined && owner !== ours ? owner : undefined;
}

function assertMayAdopt(context: ProviderContext, user: LmsUser, inputs: UserInputs): void {
  // Found by email, but the LMS has them under another employee's id: the same email, another person's record.
  if (context.backend.capabilities.externalId && user.externalId !== undefined && user.externalId !== inputs.employeeId) {
    throw new SafetyError(
      `refusing to adopt ${user.email} (${context.backend.title} user ${user.id}) as employee ${inputs.employeeId}: ` +
        `${context.backend.title} has them as employee ${user.externalId}. If that is the same person, correct the ` +
        `employee id in the roster or in ${context.backend.title}; if not, give this person another email.`,
    );
  }
  const owner = otherOwner(context, user, inputs);
  if (owner === undefined || context.safety.allowTakeover) return;
  throw new SafetyError(
    `refusing to adopt ${user.email} (${context.backend.title} user ${user.id}) as employee ${inputs.employeeId}: stack ${owner} manages ` +
      `them (custom field "${context.safety.ownerField}"). Remove them from that stack's roster first, or let this stack ` +
      `take them over: pulumi config set roster:allowTakeover true`,
  );
}

/**
 * Deactivating through `enabled: false` needs the same leave as removing someone, and counts against
 * the run's removal limit; lowering a protected person's role needs the same leave too.
 */
async function admitChange(context: ProviderContext, user: LmsUser, changes: UserChanges, employeeId: string): Promise<void> {
  if (changes.enabled === false && user.enabled !== false) {
    assertMayRemove(context, user, employeeId, "deactivate");
    context.breaker.admit(`employee ${employeeId} (${user.email})`, await context.snapshot.activeUserCount());
  }
  if (isDemotion(user.userType, changes.userType, context.backend.capabilities)) {
    const role = protectedRole(user, context.settings.apiUser, context.backend.capabilities);
    if (role !== undefined && !context.safety.allowAdminRemoval) {
      throw new SafetyError(
        `refusing to change employee ${employeeId} (${user.email}) from ${user.userType} to ${changes.userType}: they are ${role}. ` +
          `Admins and the API user are demoted only with: pulumi config set roster:allowAdminRemoval true`,
      );
    }
  }
}

function assertMayRemove(context: ProviderContext, user: LmsUser, employeeId: string, action: string): void {
  const role = protectedRole(user, context.settings.apiUser, context.backend.capabilities);
  if (role === undefined || context.safety.allowAdminRemoval) return;
  throw new SafetyError(
    `refusing to ${action} employee ${employeeId} (${user.email}): they are ${role}. ` +
      `Admins and the API user are removed only with: pulumi config set roster:allowAdminRemoval true`,
  );
}

/**
 * A person in the LMS. `Id` is the type of the LMS's ids: LearnUpon's are numbers (the default),
 * other LMSes' text, so a program for one of those writes `new User<string>(…)`.
 */
export class User<Id extends number | string = number> extends LmsResource {
  declare readonly userId: pulumi.Output<Id>;
  declare readonly employeeId: pulumi.Output<string>;
  declare readonly email: pulumi.Output<string>;
  declare readonly firstName: pulumi.Output<string>;
  declare readonly lastName: pulumi.Output<string>;
  declare readonly username: pulumi.Output<string | undefined>;
  declare readonly userType: pulumi.Output<UserType>;
  declare readonly enabled: pulumi.Output<boolean>;
  declare readonly language: pulumi.Output<string | undefined>;
  declare readonly customData: pulumi.Output<Record<string, string> | undefined>;
  declare readonly removal: pulumi.Output<UserRemovalPolicy | undefined>;

  constructor(name: string, args: UserArgs, opts?: pulumi.CustomResourceOptions) {
    const props = {
      ...args,
      userType: args.userType, // an output even when not declared: the role the person has
      // Someone the roster does not declare is adopted as they are: no marker is written to them.
      customData: args.unmanaged === true ? args.customData : withMarkers(args.customData, args.employeeId),
      // Secret even when given as plain text, so state only ever holds it encrypted.
      password: args.password === undefined ? undefined : pulumi.secret(args.password),
      userId: undefined,
    };
    super("User", name, props, opts);
  }
}

/**
 * The custom fields that mark whom this stack manages, written on create and adopt and shown as
 * drift by refresh:
 * - with `learnupon:ownerField`, the stack's name, read by the provider to refuse adopting someone
 *   another stack owns;
 * - with `learnupon:employeeIdField` (on an LMS with custom fields but no external id), the employee
 *   id, by which an authoritative roster tells its people from those made by hand.
 */
function withMarkers(customData: UserArgs["customData"], employeeId: UserArgs["employeeId"]): UserArgs["customData"] {
  const backend = programBackend();
  const ownerField = markerField(backend.name, "ownerField", "OWNER_FIELD");
  const employeeIdField = markerField(backend.name, "employeeIdField", "EMPLOYEE_ID_FIELD");
  const holdsEmployeeId = employeeIdField !== undefined && !backend.capabilities.externalId && backend.capabilities.unsupportedFields.User?.["customData"] === undefined;
  if (ownerField === undefined && !holdsEmployeeId) return customData;
  const owner = `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
  return pulumi.all([customData, employeeId]).apply(([data, id]) => ({
    ...data,
    ...(ownerField !== undefined && { [ownerField]: owner }),
    ...(holdsEmployeeId && { [employeeIdField]: id }),
  }));
}

/** `<lms>:<key>`, or `<LMS>_<VARIABLE>`, trimmed; unset when blank. */
function markerField(namespace: string, key: string, variable: string): string | undefined {
  const value = new pulumi.Config(namespace).get(key) ?? process.env[`${namespace.toUpperCase()}_${variable}`];
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}
