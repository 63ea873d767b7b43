/**
 * A user's enrollment in a course.
 *
 * | Pulumi  | LearnUpon                                                                  |
 * |---------|----------------------------------------------------------------------------|
 * | create  | adopt the user's enrollment in the course if there is one (for example made by a group's auto-enroll), else `POST /enrollments` |
 * | read    | the course's enrollments from the run's snapshot (`GET /enrollments/search?course_id=`) |
 * | update  | `PATCH /enrollments/{id}` (unwrapped) for the due and expiry dates          |
 * | delete  | `DELETE /enrollments/{id}` for not-started and in-progress enrollments; completed ones are kept as training history unless `removeHistory` is set |
 * @module
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { AmbiguousNameError } from "../client/index.js";
import type { LmsEnrollment, LmsId } from "../lms/model.js";
import type { ProviderContext } from "../runtime.js";
import { calendarDate, refuseControlCharacters } from "./input-rules.js";
import {
  checkInputs,
  containsUnknown,
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

export interface EnrollmentArgs extends UserReferenceArgs {
  /** Give this or `courseName` (the exact title of a published course, resolved once per run). */
  courseId?: pulumi.Input<number>;
  courseName?: pulumi.Input<string>;
  /** YYYY-MM-DD */
  dueDate?: pulumi.Input<string>;
  /** YYYY-MM-DD: when access to the course expires. */
  expiresAt?: pulumi.Input<string>;
  /** Let removing this resource delete a completed enrollment from the training history. @default false */
  removeHistory?: pulumi.Input<boolean>;
}

/** The fields alone, with their defaults; `enrollmentInputsSchema` adds the rules across fields. @internal */
export function enrollmentFieldsSchema(lms: CheckedLms = DEFAULT_LMS) {
  return z.object({
    ...userReferenceFields(lms),
    courseId: lmsIdField(lms, "course").optional(),
    courseName: z.string().trim().min(1, "must not be empty").superRefine(refuseControlCharacters).optional(),
    dueDate: calendarDate().optional(),
    expiresAt: calendarDate().optional(),
    removeHistory: z.boolean("must be true or false").default(false),
  });
}

/** @internal */
export function enrollmentInputsSchema(lms: CheckedLms = DEFAULT_LMS) {
  return enrollmentFieldsSchema(lms)
    .refine(...exactlyOneUser)
    .refine((inputs) => exactlyOne(inputs.courseId, inputs.courseName), { message: "give exactly one of courseId or courseName", path: ["courseId"] });
}

/** @internal */
export type EnrollmentInputs = z.output<ReturnType<typeof enrollmentInputsSchema>>;
/** @internal */
export type EnrollmentOutputs = Omit<EnrollmentInputs, "userId" | "courseId"> & {
  /** The LMS's ids, as the backend keeps them in state (LearnUpon: numbers). */
  enrollmentId: string | number;
  userId: string | number;
  courseId: string | number;
  /** not_started, in_progress, completed, passed, failed or pending_review: reported, never diffed. */
  status: string;
  /** Percent of the course done. */
  progress: number;
};

/** The statuses `delete` keeps as training history unless `removeHistory` is set. */
export const COMPLETED_STATUSES = new Set(["completed", "passed", "failed"]);
/** The fields an update changes in place (the others replace the enrollment): what a preview summary compares. */
export const ENROLLMENT_SUMMARY_FIELDS = ["dueDate", "expiresAt", "removeHistory"] as const;

/** What the outputs keep of the declaration: the inputs, or the outputs of an earlier run. */
type Declared = Omit<EnrollmentInputs, "userId" | "courseId"> & { userId?: string | number | undefined; courseId?: string | number | undefined };

function outputsOf({ lms }: ProviderContext, inputs: Declared, enrollment: LmsEnrollment): EnrollmentOutputs {
  return {
    ...inputs,
    enrollmentId: lms.stateId(enrollment.id),
    userId: lms.stateId(enrollment.userId),
    courseId: lms.stateId(enrollment.courseId),
    status: enrollment.status,
    progress: enrollment.progress,
  };
}

function datesToChange(declared: EnrollmentInputs, current: { dueDate?: string | undefined; expiresAt?: string | undefined }) {
  const changes: { dueDate?: string; expiresAt?: string } = {};
  if (declared.dueDate !== undefined && declared.dueDate !== current.dueDate) changes.dueDate = declared.dueDate;
  if (declared.expiresAt !== undefined && declared.expiresAt !== current.expiresAt) changes.expiresAt = declared.expiresAt;
  return changes;
}

async function resolveCourseId({ backend, lms }: ProviderContext, inputs: EnrollmentInputs): Promise<LmsId> {
  if (inputs.courseId !== undefined) return String(inputs.courseId);
  const course = await lms.catalog.courseByName(inputs.courseName ?? "").catch((error: unknown) => {
    if (error instanceof AmbiguousNameError) throw new Error(`${error.message}: give courseId to say which one, or rename the others in the portal`);
    throw error;
  });
  if (!course) throw new Error(`no published ${backend.title} course is named "${inputs.courseName}"`);
  return course.id;
}

/** @internal */
export const enrollmentLifecycle = {
  async check(_olds: unknown, news: Record<string, unknown>, lms: CheckedLms = DEFAULT_LMS): Promise<pulumi.dynamic.CheckResult<EnrollmentInputs>> {
    return checkInputs("Enrollment", { inputs: enrollmentInputsSchema(lms), fields: enrollmentFieldsSchema(lms) }, news);
  },

  async diff(_id: string, olds: EnrollmentOutputs, news: EnrollmentInputs): Promise<pulumi.dynamic.DiffResult> {
    const replaces: string[] = [];
    if (userReferenceChanged(olds, news)) replaces.push(news.userId !== undefined ? "userId" : "userEmail");
    if (news.courseId !== undefined && !isUnknown(news.courseId) && news.courseId !== olds.courseId) replaces.push("courseId");
    if (news.courseName !== undefined && news.courseName !== olds.courseName) replaces.push("courseName");
    const datesChanged = Object.keys(datesToChange(news, olds)).length > 0 || containsUnknown([news.dueDate, news.expiresAt]);
    const changes = replaces.length > 0 || datesChanged || news.removeHistory !== olds.removeHistory;
    return { changes, replaces };
  },

  async create(context: ProviderContext, inputs: EnrollmentInputs): Promise<pulumi.dynamic.CreateResult<EnrollmentOutputs>> {
    const { lms, snapshot } = context;
    const [user, courseId] = await Promise.all([resolveUser(context, inputs), resolveCourseId(context, inputs)]);

    let enrollment = await snapshot.enrollment(user.id, courseId);
    if (!enrollment) {
      let created: { enrollment: LmsEnrollment; created: boolean };
      try {
        created = await lms.enrollments.create({ user, courseId, dueDate: inputs.dueDate, expiresAt: inputs.expiresAt });
      } catch (error) {
        // A POST that timed out or lost its answer may have landed all the same: adopt what is there now.
        const landed = await lms.enrollments.find(user.id, courseId).catch(() => undefined);
        if (!landed) throw error;
        created = { enrollment: landed, created: false };
      }
      enrollment = created.enrollment; // when not created: the one a group's auto-enroll made, say
      await snapshot.rememberEnrollment(enrollment);
      if (created.created) return { id: enrollment.id, outs: outputsOf(context, inputs, enrollment) };
    }

    // Adopted: bring its dates to the declaration (days, whatever precision the LMS answers in).
    const changes = datesToChange(inputs, enrollment);
    if (Object.keys(changes).length > 0) await lms.enrollments.updateDates(enrollment.id, changes);
    snapshot.claim(`enrollment:${enrollment.id}`);
    return { id: enrollment.id, outs: outputsOf(context, inputs, enrollment) };
  },

  async read(context: ProviderContext, id: string, props: EnrollmentOutputs): Promise<pulumi.dynamic.ReadResult<EnrollmentOutputs>> {
    const enrollment = await context.snapshot.enrollment(String(props.userId), String(props.courseId));
    if (!enrollment) {
      warn(`${context.backend.title} enrollment ${id} (user ${props.userId} in course ${props.courseId}) no longer exists; it is dropped from the stack and will be created again on the next update`);
      return { id: "" };
    }
    const live = outputsOf(context, props, enrollment);
    // Only the dates the declaration manages are compared, so a date set in the portal is not drift.
    if (props.dueDate !== undefined) live.dueDate = enrollment.dueDate ?? "";
    if (props.expiresAt !== undefined) live.expiresAt = enrollment.expiresAt ?? "";
    return { id: enrollment.id, props: live, inputs: declaredInputs(live) as EnrollmentOutputs };
  },

  async update({ lms }: ProviderContext, id: string, olds: EnrollmentOutputs, news: EnrollmentInputs): Promise<pulumi.dynamic.UpdateResult<EnrollmentOutputs>> {
    const changes = datesToChange(news, olds);
    if (Object.keys(changes).length > 0) await lms.enrollments.updateDates(id, changes);
    return { outs: { ...olds, ...news, userId: olds.userId, courseId: olds.courseId } };
  },

  async delete(context: ProviderContext, id: string, props: EnrollmentOutputs): Promise<void> {
    const enrollment = await context.snapshot.enrollment(String(props.userId), String(props.courseId));
    if (!enrollment) return; // already gone
    if (context.snapshot.isClaimed(`enrollment:${enrollment.id}`)) return; // adopted by another resource this run
    const completed = COMPLETED_STATUSES.has(enrollment.status);
    if (completed && !props.removeHistory) {
      console.log(`kept completed enrollment ${id} (user ${props.userId}, course ${props.courseId}) as training history; set removeHistory to delete it`);
      return;
    }
    await context.lms.enrollments.delete(enrollment.id, { removeHistory: completed });
    await context.snapshot.forgetEnrollment(enrollment.userId, enrollment.courseId);
  },
};

/**
 * The inputs as the program declares them, for `read` to return. An id resolved at create (`userId`
 * for a `userEmail`, `courseId` for a `courseName`) is an output only: with it in the inputs they
 * differ from the program's, and the engine then rewrites the whole checkpoint file for this
 * resource on the next `up` after every refresh (measured: 26 s instead of 7 s at 100 people).
 */
function declaredInputs(live: EnrollmentOutputs): Partial<EnrollmentOutputs> {
  const { enrollmentId: _e, status: _s, progress: _p, userId, courseId, ...rest } = live;
  return {
    ...rest,
    ...(live.userEmail === undefined ? { userId } : {}),
    ...(live.courseName === undefined ? { courseId } : {}),
  };
}

/** A user's enrollment in a course. Completed enrollments survive removal unless `removeHistory` is set. */
export class Enrollment extends LmsResource {
  declare readonly enrollmentId: pulumi.Output<number>;
  declare readonly userId: pulumi.Output<number>;
  declare readonly userEmail: pulumi.Output<string | undefined>;
  declare readonly courseId: pulumi.Output<number>;
  declare readonly courseName: pulumi.Output<string | undefined>;
  declare readonly dueDate: pulumi.Output<string | undefined>;
  declare readonly expiresAt: pulumi.Output<string | undefined>;
  declare readonly removeHistory: pulumi.Output<boolean>;
  declare readonly status: pulumi.Output<string>;
  declare readonly progress: pulumi.Output<number>;

  constructor(name: string, args: EnrollmentArgs, opts?: pulumi.CustomResourceOptions) {
    super("Enrollment", name, { ...args, enrollmentId: undefined, status: undefined, progress: undefined }, opts);
  }
}
