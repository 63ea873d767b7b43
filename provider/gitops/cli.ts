/**
 * The GitOps commands of `npx pulumi-learnupon`:
 *
 *     summary < preview.json          markdown for a pull request, from `pulumi preview --json`
 *     dump [--out roster.yaml] [--employee-id-field "Employee ID"]
 *          [--portal-url URL --username U --password P]
 *                                     the portal's people as a roster file
 *
 * `dump` takes the portal and API key from the flags or from `LEARNUPON_PORTAL_URL`,
 * `LEARNUPON_USERNAME` and `LEARNUPON_PASSWORD` (better: a flag's value is visible to other users
 * of the machine), and paces itself with `LEARNUPON_RATE_LIMIT_SHARE` and
 * `LEARNUPON_REQUESTS_PER_MINUTE` as the provider does.
 * @module
 */
import { writeFile } from "node:fs/promises";
import { text } from "node:stream/consumers";
import { parseArgs } from "node:util";
import { parseYamlRoster } from "../roster/roster-file.js";
import { learnUpon } from "../lms/learnupon/backend.js";
import { dumpPortal, formatRosterYaml } from "./dump.js";
import { summarizePreview } from "./preview-summary.js";

/** Where the commands read and write; tests replace them. */
export interface GitopsCliIo {
  /** @default process.stdin, read to the end */
  readStdin?: () => Promise<string>;
  /** @default process.stdout */
  writeOut?: (text: string) => void;
  /** Progress and notes. @default process.stderr */
  writeErr?: (text: string) => void;
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
}

export async function runSummaryCli(argv: string[], io: GitopsCliIo = {}): Promise<void> {
  const { values } = parseArgs({ args: argv, strict: true, options: { help: { type: "boolean", default: false } } });
  const writeOut = io.writeOut ?? ((output: string) => process.stdout.write(output));
  if (values.help) {
    writeOut("usage: pulumi preview --json | pulumi-learnupon summary > summary.md\n");
    return;
  }
  const input = await (io.readStdin ?? (() => text(process.stdin)))();
  writeOut(summarizePreview(input, { env: io.env ?? process.env }));
}

const DUMP_USAGE =
  'usage: pulumi-learnupon dump [--out roster.yaml] [--employee-id-field "Employee ID"] [--portal-url URL --username U --password P]';

export async function runDumpCli(argv: string[], io: GitopsCliIo = {}): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      out: { type: "string" },
      "employee-id-field": { type: "string" },
      "portal-url": { type: "string" },
      username: { type: "string" },
      password: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  const writeOut = io.writeOut ?? ((output: string) => process.stdout.write(output));
  const writeErr = io.writeErr ?? ((output: string) => process.stderr.write(output));
  const env = io.env ?? process.env;
  if (values.help) {
    writeOut(`${DUMP_USAGE}\n`);
    return;
  }
  // Each from its flag, else from the environment variable that the provider falls back to as well.
  const connection = [
    { flag: "portal-url", key: "learnupon:portalUrl", variable: "LEARNUPON_PORTAL_URL" },
    { flag: "username", key: "learnupon:username", variable: "LEARNUPON_USERNAME" },
    { flag: "password", key: "learnupon:password", variable: "LEARNUPON_PASSWORD" },
  ] as const;
  const missing = connection.filter(({ flag, variable }) => values[flag] === undefined && !env[variable]);
  if (missing.length > 0) {
    throw new Error(`dump needs ${missing.map(({ flag, variable }) => `${variable} (or --${flag})`).join(", ")}\n${DUMP_USAGE}`);
  }
  const fromFlags = {
    get: (key: string) => {
      const setting = connection.find((candidate) => candidate.key === key);
      return setting === undefined ? undefined : values[setting.flag];
    },
  };
  const settings = learnUpon.readSettings(fromFlags, env);
  const client = learnUpon.connect(settings);
  try {
    const dump = await dumpPortal(client, { employeeIdField: values["employee-id-field"] });
    const yaml = formatRosterYaml(dump, settings.portalUrl);
    // What is written must load: a portal with something the roster rejects (say, two emails that
    // differ only in case) stops here with the roster's own message rather than at the first preview.
    parseYamlRoster(values.out ?? "the dump", yaml);
    if (values.out === undefined) writeOut(yaml);
    else await writeFile(values.out, yaml);

    const deactivated = dump.people.filter((person) => person.enabled === false).length;
    const memberships = dump.people.reduce((sum, person) => sum + (person.groups?.length ?? 0), 0);
    const enrollments = dump.people.reduce((sum, person) => sum + (person.courses?.length ?? 0), 0);
    writeErr(
      `wrote ${dump.people.length} people (${deactivated} deactivated), ${memberships} group memberships and ${enrollments} enrollments` +
        `${values.out === undefined ? "" : ` to ${values.out}`}` +
        `${dump.leftOut.length > 0 ? `; left out ${dump.leftOut.length} (listed at the top of the file)` : ""}\n`,
    );
  } finally {
    await client.close();
  }
}
