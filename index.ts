// The roster program: converges a LearnUpon portal to the roster file named by stack config
// `roster:file` (YAML or CSV; default examples/roster.yaml). See README.md.
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { loadRoster, Roster } from "pulumi-learnupon";

const rosterConfig = new pulumi.Config("roster");
const rosterFile = path.resolve(rosterConfig.get("file") ?? "examples/roster.yaml");

const roster = new Roster("roster", { people: loadRoster(rosterFile) });

export const people = { active: roster.counts.activePeople, deactivated: roster.counts.deactivatedPeople };
export const enrollments = roster.counts.enrollments;
export const memberships = roster.counts.memberships;
