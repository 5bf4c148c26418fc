/** The pinned upstream schemas vendored in the repository (schemas/, sources in schemas/SOURCES.md). */
import * as path from "path";

export const VENDORED_SCHEMAS_DIR = path.resolve(__dirname, "..", "..", "schemas");
