/**
 * The roster's look at the portal during `pulumi preview`, for what `check` cannot see: whether the
 * groups and courses the roster names exist, and name one each; whether the portal has a custom
 * user field for each custom-data label; and whether the portal URL and the credentials work.
 * `check` and `diff` never call the API, so without this a typo in a course name would pass the
 * preview and fail halfway through `pulumi up`, after people were already created, and a column
 * the portal has no field for would be sent (and dropped by LearnUpon) on every update, for ever.
 *
 * It looks only when the preview creates something, or updates a user who has custom data, and only
 * at those: the engine answers a resource it keeps with the id in state and known outputs, one it
 * will create with an unknown id, and one it will update with unknown outputs (it shows an update's
 * outputs only once applied). So a preview with nothing new costs no API call, and a first preview
 * of 1,000 people costs the first page of users (which carries the custom field definitions) plus
 * one look-up per distinct group and course. Every call is a read.
 *
 * A preview that creates a user lists the portal's users (500 a page on LearnUpon): to refuse
 * adopting someone it must not, and to report the people the roster does not declare (unmanaged.ts).
 *
 * A preview that changes or removes someone the stack already manages, and creates nothing, makes
 * one search for that person instead: it proves the credentials, and that the portal is the one the
 * stack was applied to (the removal guard's record tells the program who changes; see `PortalProbe`).
 * @module
 */
import * as pulumi from "@pulumi/pulumi";
import { AmbiguousNameError, collect } from "../client/index.js";
import { backendFor } from "../lms/backends.js";
import type { LmsClient, LmsUser } from "../lms/model.js";
import { isDemotion, protectedRole } from "../resources/safety.js";
import { readSafetySettings } from "../lms/config.js";
import { rosterEntryOf, type RosterPerson } from "./roster-file.js";
import { employeeIdPlace } from "./unmanaged.js";

/** One resource the Roster declares, with the catalog name it needs from the portal, if any. */
export interface PlannedResource {
  person: RosterPerson;
  resource: pulumi.CustomResource;
  needs?: { field: "groups"; title: string } | { field: "courses"; name: string };
  /** A User's `userId`: an output only, so a preview leaves it unknown when the user will be updated. */
  userId?: pulumi.Output<number | string>;
}

/** Someone the stack already manages, whom a preview that changes or removes people looks up. */
export interface PortalProbe {
  employeeId: string;
  email: string;
  /** True for a person the roster still declares: the portal must have them. */
  mustExist: boolean;
}

/** The portal's users, when the Roster listed them already (authoritative mode), and who hears of a listing. */
export interface PortalUsers {
  listed?: LmsUser[] | undefined;
  /** Called with every user when the check lists them. */
  seen?: (users: LmsUser[]) => void;
}

/** Problem lines shown before "… and N more", so a misspelt course shared by 500 people stays readable. */
const MAX_LISTED_PROBLEMS = 20;

/**
 * `outputs`, once the preview's portal check is done: pass it to the component's `registerOutputs`,
 * so the program waits for the check.
 */
export function afterPortalCheck<Outputs>(planned: PlannedResource[], outputs: Outputs, probe?: PortalProbe, users: PortalUsers = {}): Promise<Outputs> {
  const checked = checkPortalInPreview(planned, probe, users);
  // A failure is left unhandled on purpose, as the SDK does with a failed registration: its handler
  // prints the message and fails the run.
  void checked.then(() => undefined);
  return checked.then(
    () => outputs,
    () => outputs,
  );
}

/**
 * During a preview, fails with one error naming each roster entry, field and reason when the
 * resources to be written name a missing or shared group or course, or custom data the portal has
 * no field for, or when the portal cannot be used. Resolves at once outside previews: `pulumi up`
 * previews first, and `create` reports the catalog problems for `pulumi up --skip-preview`.
 */
async function checkPortalInPreview(planned: PlannedResource[], probe: PortalProbe | undefined, users: PortalUsers): Promise<void> {
  if (!pulumi.runtime.isDryRun()) return;
  const written = (await Promise.all(planned.map(async (item) => ((await willBeWritten(item)) ? [item] : [])))).flat();
  if (written.length === 0) {
    if (probe !== undefined) await withPortalClient((client) => probePortal(client, probe));
    return;
  }

  const problems = await withPortalClient(async (client) => {
    if (probe !== undefined) await probePortal(client, probe);
    return [...(await portalProblems(client, written)), ...(await adoptionProblems(client, written, users))];
  });
  if (problems.length > 0) {
    const backend = backendFor(stackConfig());
    const { title } = backend;
    const { portal } = backend.readSettings(stackConfig());
    const listed = problems.map((problem) => problem.line).slice(0, MAX_LISTED_PROBLEMS);
    if (problems.length > listed.length) listed.push(`… and ${problems.length - listed.length} more`);
    const what = problems.length === 1 ? "a group or course" : "groups or courses";
    const heading = problems.every((problem) => problem.kind === "missing")
      ? `the roster names ${what} the ${title} portal at ${portal} does not have`
      : `the roster does not fit the ${title} portal at ${portal}`;
    throw portalCheckError(`${heading}:\n  - ${listed.join("\n  - ")}`);
  }
}

function stackConfig(): { get(key: string): string | undefined } {
  return { get: (key) => pulumi.runtime.getConfig(key) };
}

/** Runs `check` with a read-only client of the configured portal; a failure to reach it says what to fix. */
async function withPortalClient<T>(check: (lms: LmsClient) => Promise<T>): Promise<T> {
  let client: LmsClient | undefined;
  const backend = backendFor(stackConfig());
  try {
    client = backend.connect(backend.readSettings(stackConfig()), { quick: true });
    return await check(client);
  } catch (error) {
    if (error instanceof pulumi.RunError) throw error;
    const reason = backend.configProblem(error, client?.apiBaseUrl) ?? (error instanceof Error ? error.message : String(error));
    throw portalCheckError(`cannot check the roster against the ${backend.title} portal: ${reason}`);
  } finally {
    await client?.close();
  }
}

/**
 * One search for someone the stack manages: proves the credentials and, for a person the roster
 * still declares, that this is the portal the stack was applied to.
 */
async function probePortal(client: LmsClient, probe: PortalProbe): Promise<void> {
  const user = await client.users.findByEmail(probe.email);
  if (user === undefined && probe.mustExist) {
    const backend = backendFor(stackConfig());
    throw portalCheckError(
      `this stack manages employee ${probe.employeeId} (${probe.email}), but the ${backend.title} portal at ${client.apiBaseUrl} ` +
        `has no user with that email. If ${backend.readSettings(stackConfig()).portalKey} names another portal than the stack was applied to, ` +
        `point it back; if the person was deleted by hand, run \`pulumi refresh\` first.`,
    );
  }
}

/**
 * A RunError shows only its message. This one fails after the program's main function returned, when
 * the SDK prints an error's stack instead, so the stack is the message too.
 */
function portalCheckError(message: string): pulumi.RunError {
  const error = new pulumi.RunError(message);
  error.stack = message;
  return error;
}

/** One `file:entry: field: reason` line, and whether it is a name the portal lacks. */
interface Problem {
  kind: "missing" | "ambiguous" | "customData" | "adoption";
  line: string;
}

/** The problems of the resources to be written: their groups and courses, and their users' custom data. */
async function portalProblems(client: LmsClient, written: PlannedResource[]): Promise<Problem[]> {
  // The first page of users proves the URL and the credentials before anything else is asked, and
  // carries the portal's custom field definitions.
  const customFields = await client.users.customFieldLabels();
  const labels = new Set(customFields.map(customDataKey));
  const fieldList = customFields.length > 0 ? `its fields: ${customFields.map((label) => `"${label}"`).join(", ")}` : "it has none";
  // The catalog caches each answer for the run, so a course shared by 500 people is looked up once.
  const catalogProblems = await Promise.all(written.map(({ needs }) => (needs ? catalogProblem(client, needs) : undefined)));

  const problems: Problem[] = [];
  const backend = backendFor(stackConfig());
  const { ownerField, employeeIdField } = readSafetySettings(backend.name, backend.title, stackConfig());
  const markers = [
    { key: "ownerField", label: ownerField, holds: "the owning stack" },
    { key: "employeeIdField", label: employeePlace(backend, employeeIdField), holds: "the employee id" },
  ];
  for (const { key, label, holds } of markers) {
    if (label === undefined || labels.has(customDataKey(label)) || !written.some((item) => item.userId !== undefined)) continue;
    problems.push({
      kind: "customData",
      line: `${backend.name}:${key}: the portal has no custom user field labelled "${label}" (${fieldList}) to hold ${holds}; add it in the portal`,
    });
  }
  for (const [index, { person, needs, userId }] of written.entries()) {
    const entry = rosterEntryOf(person) ?? `employee ${person.employeeId}`;
    const catalog = catalogProblems[index];
    if (needs && catalog) problems.push({ kind: catalog.kind, line: `${entry}: ${needs.field}: ${catalog.reason}` });
    if (!userId) continue;
    for (const label of Object.keys(person.customData ?? {})) {
      if (labels.has(customDataKey(label))) continue;
      problems.push({
        kind: "customData",
        line:
          `${entry}: customData.${label}: the portal has no custom user field labelled "${label}" (${fieldList}), so ${backend.title} ` +
          `would drop the value on every update; add the field in the portal, or leave the column out with roster:ignoreColumns`,
      });
    }
  }
  return problems;
}

/** Why the portal cannot give the group or course the roster names, or undefined when it can. */
async function catalogProblem(
  client: LmsClient,
  needs: NonNullable<PlannedResource["needs"]>,
): Promise<{ kind: "missing" | "ambiguous"; reason: string } | undefined> {
  try {
    if (needs.field === "groups") {
      return (await client.catalog.groupByTitle(needs.title)) ? undefined : { kind: "missing", reason: `no group is titled "${needs.title}"` };
    }
    return (await client.catalog.courseByName(needs.name)) ? undefined : { kind: "missing", reason: `no published course is named "${needs.name}"` };
  } catch (error) {
    if (!(error instanceof AmbiguousNameError)) throw error;
    return { kind: "ambiguous", reason: `${error.message}: rename all but one in the portal, so the roster names one` };
  }
}

/** The custom field that holds the employee id, where the LMS keeps it in one. */
function employeePlace(backend: ReturnType<typeof backendFor>, employeeIdField: string | undefined): string | undefined {
  const place = employeeIdPlace(backend.capabilities, employeeIdField);
  return place !== undefined && "customField" in place ? place.customField : undefined;
}

/** LearnUpon matches custom-data keys to field labels without regard to case and spaces (contract §2.1). */
function customDataKey(label: string): string {
  return label.replace(/\s+/g, "").toLowerCase();
}

/**
 * The people a create would adopt but must not: someone another stack owns (with an ownership
 * marker), or an admin or the API user whose role the roster lowers. Costs one listing of the
 * portal's users (500 a page) when a user is created, unless the Roster listed them already; the
 * listing also goes to `users.seen`, for the report of unmanaged people.
 */
async function adoptionProblems(client: LmsClient, written: PlannedResource[], users: PortalUsers): Promise<Problem[]> {
  const backend = backendFor(stackConfig());
  const safety = readSafetySettings(backend.name, backend.title, stackConfig());
  const created = await Promise.all(written.map(async (item) => item.userId !== undefined && !(await isKnown(item.resource.id))));
  const people = written.filter((_item, index) => created[index]).map((item) => item.person);
  if (people.length === 0) return [];

  const listed = users.listed ?? (await collect(client.users.list()));
  users.seen?.(listed);
  const byEmail = new Map<string, LmsUser>();
  for (const user of listed) if (user.email) byEmail.set(user.email.toLowerCase(), user);
  const thisStack = `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
  const { apiUser } = backend.readSettings(stackConfig());
  const problems: Problem[] = [];
  for (const person of people) {
    const existing = byEmail.get(person.email.toLowerCase());
    if (!existing) continue;
    const entry = rosterEntryOf(person) ?? `employee ${person.employeeId}`;
    const marker = safety.ownerField === undefined ? undefined : existing.customData[safety.ownerField];
    if (marker !== undefined && marker.trim() !== "" && marker.trim() !== thisStack && !safety.allowTakeover) {
      problems.push({
        kind: "adoption",
        line:
          `${entry}: email: ${person.email} is managed by stack ${marker.trim()} (custom field "${safety.ownerField}"); ` +
          `remove them from that stack's roster first, or let this stack take them over: pulumi config set roster:allowTakeover true`,
      });
    }
    const role = protectedRole(existing, apiUser, backend.capabilities);
    if (role !== undefined && isDemotion(existing.userType, person.userType, backend.capabilities) && !safety.allowAdminRemoval) {
      problems.push({
        kind: "adoption",
        line:
          `${entry}: userType: ${person.email} is ${role} (${existing.userType}); the roster would make them ${person.userType}. ` +
          `Leave userType out to keep their role, or allow it: pulumi config set roster:allowAdminRemoval true`,
      });
    }
  }
  return problems;
}

/**
 * True when the preview will write the resource: create it, or update a user whose custom data
 * needs checking (an update of anything else needs nothing from the portal).
 */
async function willBeWritten(item: PlannedResource): Promise<boolean> {
  if (!(await isKnown(item.resource.id))) return true;
  return item.userId !== undefined && item.person.customData !== undefined && !(await isKnown(item.userId));
}

/**
 * True when the preview knows the output's value. `apply` runs only for a known value; `isSecret`
 * settles once the engine has answered, known or not, and by the next turn of the event loop the
 * `apply` has run if it is going to.
 */
function isKnown(output: pulumi.Output<unknown>): Promise<boolean> {
  return new Promise((resolve) => {
    output.apply((value) => {
      resolve(true);
      return value;
    });
    void pulumi.isSecret(output).then(() => setImmediate(() => resolve(false)));
  });
}
