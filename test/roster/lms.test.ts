/** `roster:lms`: LearnUpon by default, any letter case, and an unknown LMS named in the error. */
import { describe, expect, it } from "vitest";
import { lmsFromStack } from "../../provider/roster/lms.js";

const config = (lms?: string) => ({ get: (key: string) => (key === "lms" ? lms : undefined) });

describe("lmsFromStack", () => {
  it("is LearnUpon when unset, and reads the name without regard to case", () => {
    expect(lmsFromStack(config())).toBe("learnupon");
    expect(lmsFromStack(config(" LearnUpon "))).toBe("learnupon");
  });

  it("refuses an LMS this version does not have, naming the setting and the choices", () => {
    expect(() => lmsFromStack(config("moodle"))).toThrow('roster:lms must be one of learnupon, learnamp, learnifier, northpass, not "moodle"');
  });
});
