/**
 * The removal guard's settings for the running stack: who the stack managed after its last update,
 * and the limits from stack config.
 *
 * Who the stack managed is the stack's own `managedPeople` output, read through a StackReference
 * to the stack itself (`organization/<project>/<stack>` on file and S3 backends, `<org>/…` on
 * Pulumi Cloud). The engine reads a StackReference during `pulumi preview` too, from the backend
 * and without calling the portal, so the guard can refuse a change before anything is planned.
 * The reference shows up in previews as one `read` step, which is not a change.
 *
 * ```ts
 * export = async () => {
 *   const roster = new Roster("roster", { people, removalGuard: await removalGuardFromStack() });
 *   return { managedPeople: roster.managedPeople }; // the next run's guard reads it back
 * };
 * ```
 * @module
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import type { BackendSettings } from "../lms/backend.js";
import { programBackend } from "../lms/backends.js";
import { USER_REMOVAL_POLICIES } from "../lms/config.js";
import { RemovalRefusedError, type ManagedPeople, type RemovalGuardSettings } from "./removal-guard.js";

/** The stack output the program must export (`roster.managedPeople`) for the guard to work. */
const MANAGED_PEOPLE_OUTPUT = "managedPeople";

const managedPeopleSchema = z.record(
  z.string(),
  z.object({
    email: z.string(),
    userType: z.string().optional(),
    enabled: z.boolean(),
    removal: z.enum(USER_REMOVAL_POLICIES).optional(),
    digest: z.string().optional(),
    portal: z.string().optional(),
    removedAt: z.iso.datetime().optional(),
    approved: z.boolean().optional(),
    gone: z.boolean().optional(),
    unmanaged: z.boolean().optional(),
    lmsId: z.string().optional(),
  }),
);

/** Reads the guard's settings: call it in the program before creating the `Roster`. */
export async function removalGuardFromStack(): Promise<RemovalGuardSettings> {
  const rosterConfig = new pulumi.Config("roster");
  // The LMS's own settings, `<lms>:<key>` in stack config or `<LMS>_<KEY>` in the environment, as the
  // provider reads them: the guard must judge by the same values.
  const backend = programBackend();
  const lmsConfig = new pulumi.Config(backend.name);
  const lmsSetting = (key: string) => lmsConfig.get(key) ?? process.env[`${backend.name}_${key.replace(/[A-Z]/g, (letter) => `_${letter}`)}`.toUpperCase()];
  const settings = configuredSettings(() => backend.readSettings({ get: (key) => pulumi.runtime.getConfig(key) }));
  return {
    previous: await previousManagedPeople(),
    maxRemovals: rosterConfig.get("maxRemovals"),
    approveRemovals: rosterConfig.getNumber("approveRemovals"),
    removalWindowDays: rosterConfig.getNumber("removalWindowDays"),
    allowAdminRemoval: rosterConfig.getBoolean("allowAdminRemoval") ?? false,
    apiUsername: settings?.apiUser,
    portal: settings?.portal,
    roleRules: backend.capabilities,
    movePortal: lmsSetting("movePortal") === "true",
    // Settings the provider refuses fail its configure; until then, count as the default does.
    defaultRemoval: settings?.userRemoval ?? "deactivate",
  };
}

/** The LMS's settings as the provider reads them; settings the provider will refuse anyway count as none. */
function configuredSettings(read: () => BackendSettings): BackendSettings | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/** The `managedPeople` output of this stack's last update, or `undefined` before the first one. */
async function previousManagedPeople(): Promise<ManagedPeople | undefined> {
  const self = new pulumi.StackReference(`${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`);
  const { value, secretValue } = await self.getOutputDetails(MANAGED_PEOPLE_OUTPUT);
  const recorded = value ?? secretValue; // `Roster` makes it a secret
  if (recorded === undefined) return undefined;
  const parsed = managedPeopleSchema.safeParse(recorded);
  if (!parsed.success) {
    throw new RemovalRefusedError(
      `the stack output ${MANAGED_PEOPLE_OUTPUT} is not a list of managed people, so the removal guard cannot count removals: ${z.prettifyError(parsed.error)}`,
    );
  }
  return parsed.data;
}
