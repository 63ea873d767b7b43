/**
 * The roster's look at the portal during `pulumi preview`, for what `check` cannot see: whether the
 * groups and courses the roster names exist, and whether the portal URL and the credentials work.
 * `check` and `diff` never call the API, so without this a typo in a course name would pass the
 * preview and fail halfway through `pulumi up`, after people were already created.
 *
 * It looks only when the preview creates something, and only at what is created: the engine answers
 * a resource it keeps with the id in state and one it will create with an unknown id. So a preview
 * with nothing new costs no API call, and a first preview of 1,000 people costs one search plus one
 * look-up per distinct group and course. Every call is a read.
 * @module
 */
import * as pulumi from "@pulumi/pulumi";
import { createLearnUponClient, learnUponApiBaseUrl, type LearnUponClient, type LearnUponUser } from "../client/index.js";
import { isDemotion, protectedRole } from "../resources/safety.js";
import { configProblem, readSafetySettings, readSettings } from "../settings.js";
import { rosterEntryOf, type RosterPerson } from "./roster-file.js";

/** One resource the Roster declares, with the catalog name it needs from the portal, if any. */
export interface PlannedResource {
  person: RosterPerson;
  resource: pulumi.CustomResource;
  needs?: { field: "groups"; title: string } | { field: "courses"; name: string };
}

/** Someone the stack already manages, whom a preview that changes or removes people looks up. */
export interface PortalProbe {
  employeeId: string;
  email: string;
  /** True for a person the roster still declares: the portal must have them. */
  mustExist: boolean;
}

/** Problem lines shown before "… and N more", so a misspelt course shared by 500 people stays readable. */
const MAX_LISTED_PROBLEMS = 20;

/**
 * `outputs`, once the preview's portal check is done: pass it to the component's `registerOutputs`,
 * so the program waits for the check.
 */
export function afterPortalCheck<Outputs>(planned: PlannedResource[], outputs: Outputs, probe?: PortalProbe): Promise<Outputs> {
  const checked = checkPortalInPreview(planned, probe);
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
 * resources to be created name a missing group or course, or when the portal cannot be used.
 * Resolves at once outside previews: `pulumi up` previews first, and `create` reports the same
 * problems for `pulumi up --skip-preview`.
 */
async function checkPortalInPreview(planned: PlannedResource[], probe: PortalProbe | undefined): Promise<void> {
  if (!pulumi.runtime.isDryRun()) return;
  const created = (await Promise.all(planned.map(async (item) => ((await willBeCreated(item.resource)) ? [item] : [])))).flat();
  if (created.length === 0) {
    if (probe !== undefined) await withPortalClient((client) => probePortal(client, probe));
    return;
  }

  const [missing, unadoptable] = await withPortalClient(async (client) => {
    if (probe !== undefined) await probePortal(client, probe);
    return [await missingCatalogNames(client, created), await adoptionProblems(client, created)];
  });
  const portal = learnUponApiBaseUrl(readSettings(stackConfig()).portalUrl);
  const messages = [
    missing.length > 0 &&
      `the roster names ${missing.length === 1 ? "a group or course" : "groups or courses"} the LearnUpon portal at ${portal} does not have:${listing(missing)}`,
    unadoptable.length > 0 && `the roster would adopt people of the LearnUpon portal at ${portal} that it must not:${listing(unadoptable)}`,
  ].filter((message) => message !== false);
  if (messages.length > 0) throw portalCheckError(messages.join("\n"));
}

function listing(problems: string[]): string {
  const listed = problems.slice(0, MAX_LISTED_PROBLEMS);
  if (problems.length > listed.length) listed.push(`… and ${problems.length - listed.length} more`);
  return `\n  - ${listed.join("\n  - ")}`;
}

function stackConfig(): { get(key: string): string | undefined } {
  return { get: (key) => pulumi.runtime.getConfig(key) };
}

/** Runs `check` with a read-only client of the configured portal; any failure says what to fix. */
async function withPortalClient<T>(check: (client: LearnUponClient) => Promise<T>): Promise<T> {
  let client: LearnUponClient | undefined;
  try {
    const settings = readSettings(stackConfig());
    client = createLearnUponClient({
      portalUrl: settings.portalUrl,
      username: settings.username,
      password: settings.password,
      timeoutMs: settings.timeoutMs,
      rateLimit: { share: settings.rateLimitShare, perMinute: settings.requestsPerMinute },
      // A refused connection is a wrong URL far more often than a blip: give up within a second.
      retry: { limit: 2, backoffBaseMs: 250, rateLimitWaitMs: settings.rateLimitWaitMs },
    });
    return await check(client);
  } catch (error) {
    if (error instanceof pulumi.RunError) throw error;
    const reason = configProblem(error, client?.apiBaseUrl) ?? (error instanceof Error ? error.message : String(error));
    throw portalCheckError(`cannot check the roster against the LearnUpon portal: ${reason}`);
  } finally {
    await client?.close();
  }
}

/**
 * One search for someone the stack manages: proves the credentials and, for a person the roster
 * still declares, that this is the portal the stack was applied to.
 */
async function probePortal(client: LearnUponClient, probe: PortalProbe): Promise<void> {
  const user = await client.users.searchByEmail(probe.email);
  if (user === undefined && probe.mustExist) {
    throw portalCheckError(
      `this stack manages employee ${probe.employeeId} (${probe.email}), but the LearnUpon portal at ${client.apiBaseUrl} ` +
        `has no user with that email. If learnupon:portalUrl names another portal than the stack was applied to, ` +
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

/** One `file:entry: field: reason` line per created resource whose group or course is missing. */
async function missingCatalogNames(client: LearnUponClient, created: PlannedResource[]): Promise<string[]> {
  // The search proves the URL and the credentials before anything else is asked.
  await client.users.searchByEmail(created[0]!.person.email);
  // The catalog caches each answer for the run, so a course shared by 500 people is looked up once.
  const exists = (needs: NonNullable<PlannedResource["needs"]>): Promise<boolean> =>
    needs.field === "groups"
      ? client.groups.findByTitle(needs.title).then((group) => group !== undefined)
      : client.courses.findByName(needs.name).then((course) => course !== undefined);
  const found = await Promise.all(created.map(({ needs }) => (needs ? exists(needs) : true)));
  const problems: string[] = [];
  for (const [index, { person, needs }] of created.entries()) {
    if (!needs || found[index]) continue;
    const entry = rosterEntryOf(person) ?? `employee ${person.employeeId}`;
    problems.push(
      needs.field === "groups"
        ? `${entry}: groups: no group is titled "${needs.title}"`
        : `${entry}: courses: no published course is named "${needs.name}"`,
    );
  }
  return problems;
}

/**
 * The people a create would adopt but must not: someone another stack owns (with an ownership
 * marker), or an admin or the API user whose role the roster lowers. Costs one listing of the
 * portal's users (500 a page), only when a marker is configured or a created person states a role.
 */
async function adoptionProblems(client: LearnUponClient, created: PlannedResource[]): Promise<string[]> {
  const safety = readSafetySettings(stackConfig());
  const people = created.filter((item) => item.needs === undefined).map((item) => item.person);
  const statesRole = people.some((person) => person.userType !== undefined && person.userType !== "admin");
  if (people.length === 0 || (safety.ownerField === undefined && !statesRole)) return [];

  const byEmail = new Map<string, LearnUponUser>();
  for await (const user of client.users.list()) if (user.email) byEmail.set(user.email.toLowerCase(), user);
  const thisStack = `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
  const apiUsername = readSettings(stackConfig()).username;
  const problems: string[] = [];
  for (const person of people) {
    const existing = byEmail.get(person.email.toLowerCase());
    if (!existing) continue;
    const entry = rosterEntryOf(person) ?? `employee ${person.employeeId}`;
    const marker = safety.ownerField === undefined ? undefined : existing.CustomData?.[safety.ownerField];
    if (typeof marker === "string" && marker.trim() !== "" && marker.trim() !== thisStack && !safety.allowTakeover) {
      problems.push(
        `${entry}: email: ${person.email} is managed by stack ${marker.trim()} (custom field "${safety.ownerField}"); ` +
          `remove them from that stack's roster first, or let this stack take them over: pulumi config set roster:allowTakeover true`,
      );
    }
    const role = protectedRole(existing, apiUsername);
    if (role !== undefined && isDemotion(existing.user_type, person.userType) && !safety.allowAdminRemoval) {
      problems.push(
        `${entry}: userType: ${person.email} is ${role} (${existing.user_type}); the roster would make them ${person.userType}. ` +
          `Leave userType out to keep their role, or allow it: pulumi config set roster:allowAdminRemoval true`,
      );
    }
  }
  return problems;
}

/**
 * True when the preview will create the resource. `apply` runs only for a known id; `isSecret`
 * settles once the engine has answered, known or not, and by the next turn of the event loop the
 * `apply` has run if it is going to.
 */
function willBeCreated(resource: pulumi.CustomResource): Promise<boolean> {
  return new Promise((resolve) => {
    resource.id.apply((id) => {
      resolve(false);
      return id;
    });
    void pulumi.isSecret(resource.id).then(() => setImmediate(() => resolve(true)));
  });
}
