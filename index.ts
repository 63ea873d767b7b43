// The roster program: converges an LMS portal (stack config `roster:lms`, LearnUpon by default) to the roster file named by stack config
// `roster:file` (YAML or CSV; default examples/roster.yaml). See README.md.
//
// Before anything is registered, the removal guard compares the roster with the people the last
// update managed (this stack's `managedPeople` output) and refuses a change that would remove many
// people, an admin or the API user (stack config `roster:maxRemovals`, `roster:allowAdminRemoval`).
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { lmsFromStack, loadRoster, removalGuardFromStack, Roster, rosterAuthorityFromStack, rosterOptionsFromStack } from "pulumi-learnupon";

lmsFromStack(); // `roster:lms`: the LMS to converge: learnupon (the default), learnamp, learnifier or northpass
const rosterFile = path.resolve(new pulumi.Config("roster").get("file") ?? "examples/roster.yaml");
// Read before the async program starts: an error thrown from inside it takes the SDK ~20 s to report.
// `roster:ignoreColumns`: CSV columns to leave out, e.g. an HR export's columns the portal has no field for.
const people = loadRoster(rosterFile, rosterOptionsFromStack());

export = async () => {
  // `roster:mode`: additive (the default) leaves people the roster does not declare as they are, and
  // reports them when a preview reads the portal; authoritative deactivates them (see README).
  const roster = new Roster("roster", { people, removalGuard: await removalGuardFromStack(), authority: await rosterAuthorityFromStack() });

  return {
    people: { active: roster.counts.activePeople, deactivated: roster.counts.deactivatedPeople },
    enrollments: roster.counts.enrollments,
    memberships: roster.counts.memberships,
    managedPeople: roster.managedPeople, // read back by the next run's removal guard
    unmanagedPeople: roster.unmanagedPeople, // active people in the portal the roster does not declare
  };
};
