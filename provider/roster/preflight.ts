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
 * @module
 */
import * as pulumi from "@pulumi/pulumi";
import { AmbiguousNameError, createLearnUponClient, type LearnUponClient } from "../client/index.js";
import { configProblem, readSettings } from "../settings.js";
import { rosterEntryOf, type RosterPerson } from "./roster-file.js";

/** One resource the Roster declares, with the catalog name it needs from the portal, if any. */
export interface PlannedResource {
  person: RosterPerson;
  resource: pulumi.CustomResource;
  needs?: { field: "groups"; title: string } | { field: "courses"; name: string };
  /** A User's `userId`: an output only, so a preview leaves it unknown when the user will be updated. */
  userId?: pulumi.Output<number>;
}

/** Problem lines shown before "… and N more", so a misspelt course shared by 500 people stays readable. */
const MAX_LISTED_PROBLEMS = 20;

/**
 * `outputs`, once the preview's portal check is done: pass it to the component's `registerOutputs`,
 * so the program waits for the check.
 */
export function afterPortalCheck<Outputs>(planned: PlannedResource[], outputs: Outputs): Promise<Outputs> {
  const checked = checkPortalInPreview(planned);
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
async function checkPortalInPreview(planned: PlannedResource[]): Promise<void> {
  if (!pulumi.runtime.isDryRun()) return;
  const written = (await Promise.all(planned.map(async (item) => ((await willBeWritten(item)) ? [item] : [])))).flat();
  if (written.length === 0) return;

  let client: LearnUponClient | undefined;
  let problems: Problem[];
  try {
    const settings = readSettings({ get: (key) => pulumi.runtime.getConfig(key) });
    client = createLearnUponClient({
      portalUrl: settings.portalUrl,
      username: settings.username,
      password: settings.password,
      timeoutMs: settings.timeoutMs,
      rateLimit: { share: settings.rateLimitShare, perMinute: settings.requestsPerMinute },
      // A refused connection is a wrong URL far more often than a blip: give up within a second.
      retry: { limit: 2, backoffBaseMs: 250 },
    });
    problems = await portalProblems(client, written);
  } catch (error) {
    const reason = configProblem(error, client?.apiBaseUrl) ?? (error instanceof Error ? error.message : String(error));
    throw portalCheckError(`cannot check the roster against the LearnUpon portal: ${reason}`);
  } finally {
    await client?.close();
  }
  if (problems.length > 0) {
    const listed = problems.map((problem) => problem.line).slice(0, MAX_LISTED_PROBLEMS);
    if (problems.length > listed.length) listed.push(`… and ${problems.length - listed.length} more`);
    const what = problems.length === 1 ? "a group or course" : "groups or courses";
    const heading = problems.every((problem) => problem.kind === "missing")
      ? `the roster names ${what} the LearnUpon portal at ${client?.apiBaseUrl} does not have`
      : `the roster does not fit the LearnUpon portal at ${client?.apiBaseUrl}`;
    throw portalCheckError(`${heading}:\n  - ${listed.join("\n  - ")}`);
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
  kind: "missing" | "ambiguous" | "customData";
  line: string;
}

/** The problems of the resources to be written: their groups and courses, and their users' custom data. */
async function portalProblems(client: LearnUponClient, written: PlannedResource[]): Promise<Problem[]> {
  // The first page of users proves the URL and the credentials before anything else is asked, and
  // carries the portal's custom field definitions.
  const customFields = await client.users.customFields();
  const labels = new Set(customFields.map((field) => customDataKey(field.label)));
  const fieldList = customFields.length > 0 ? `its fields: ${customFields.map((field) => `"${field.label}"`).join(", ")}` : "it has none";
  // The catalog caches each answer for the run, so a course shared by 500 people is looked up once.
  const catalogProblems = await Promise.all(written.map(({ needs }) => (needs ? catalogProblem(client, needs) : undefined)));

  const problems: Problem[] = [];
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
          `${entry}: customData.${label}: the portal has no custom user field labelled "${label}" (${fieldList}), so LearnUpon ` +
          `would drop the value on every update; add the field in the portal, or leave the column out with roster:ignoreColumns`,
      });
    }
  }
  return problems;
}

/** Why the portal cannot give the group or course the roster names, or undefined when it can. */
async function catalogProblem(
  client: LearnUponClient,
  needs: NonNullable<PlannedResource["needs"]>,
): Promise<{ kind: "missing" | "ambiguous"; reason: string } | undefined> {
  try {
    if (needs.field === "groups") {
      return (await client.groups.findByTitle(needs.title)) ? undefined : { kind: "missing", reason: `no group is titled "${needs.title}"` };
    }
    return (await client.courses.findByName(needs.name)) ? undefined : { kind: "missing", reason: `no published course is named "${needs.name}"` };
  } catch (error) {
    if (!(error instanceof AmbiguousNameError)) throw error;
    return { kind: "ambiguous", reason: `${error.message}: rename all but one in the portal, so the roster names one` };
  }
}

/** LearnUpon matches custom-data keys to field labels without regard to case and spaces (contract §2.1). */
function customDataKey(label: string): string {
  return label.replace(/\s+/g, "").toLowerCase();
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
