// The engine baseline for `npm run bench`: `trivial-many:count` dynamic resources whose provider
// keeps their value in state only. No network and nothing to clean up, so its timings are what
// the engine, the language host and the dynamic-provider process cost by themselves; the bench
// divides the roster's timings by these to show the provider's own overhead.
import * as pulumi from "@pulumi/pulumi";

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
  constructor(name: string, value: string) {
    super(echoProvider, name, { value }, undefined, "trivial", "Echo");
  }
}

const count = new pulumi.Config().requireNumber("count");
for (let index = 0; index < count; index++) new Echo(`echo-${index}`, String(index));
export const resources = count;
