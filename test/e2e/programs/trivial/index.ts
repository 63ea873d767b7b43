import * as pulumi from "@pulumi/pulumi";

// A dynamic provider that keeps its value in state only: no network, nothing to clean up.
const echoProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs) {
    return { id: `echo-${inputs.value}`, outs: inputs };
  },
  async diff(_id, olds, news) {
    return { changes: olds.value !== news.value };
  },
  async update(_id, _olds, news) {
    return { outs: news };
  },
};

class Echo extends pulumi.dynamic.Resource {
  declare readonly value: pulumi.Output<string>;
  constructor(name: string, value: string) {
    super(echoProvider, name, { value }, undefined, "trivial", "Echo");
  }
}

const echo = new Echo("hello", "world");
export const value = echo.value;
export const nodeVersion = process.version;
