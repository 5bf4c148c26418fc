import { strict as assert } from "assert";
import { withFlagDefault } from "../lib/cli";

describe("command-line flags", () => {
  it("gives a string flag that stands alone its default value, and leaves given values alone", () => {
    assert.deepEqual(withFlagDefault(["--schemas"], "--schemas", "/vendored"), ["--schemas", "/vendored"]);
    assert.deepEqual(withFlagDefault(["--schemas", "--out", "o"], "--schemas", "/vendored"), ["--schemas", "/vendored", "--out", "o"]);
    assert.deepEqual(withFlagDefault(["--schemas", "crds", "--out", "o"], "--schemas", "/vendored"), ["--schemas", "crds", "--out", "o"]);
    assert.deepEqual(withFlagDefault(["--schemas=crds"], "--schemas", "/vendored"), ["--schemas=crds"]);
    assert.deepEqual(withFlagDefault(["--out", "o"], "--schemas", "/vendored"), ["--out", "o"]);
  });
});
