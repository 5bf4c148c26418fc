// ESLint (flat config): the recommended JavaScript and typescript-eslint rules over our own
// TypeScript; formatting is Prettier's (npm run lint checks both).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "policy/node_modules/", "out/", "schemas/", "components/platform/manifests/", "bench/profiles/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    rules: {
      // Unused parameters are a tsc error already (noUnusedParameters); `_`-prefixed ones are deliberate.
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // Deliberate require(): the command lines load the Pulumi runtime only after reading their
    // flags (--help stays fast), and the capture reaches SDK internals that have no typings.
    files: ["scripts/*.ts", "lib/plan/capture.ts"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    // Tests reach into rendered objects whose shape is the code under test's output.
    files: ["test/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
);
