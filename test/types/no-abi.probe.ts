/** The transform's abi is not part of the public types. Never run. */
// @ts-expect-error: abi is hidden from the published declarations
import { abi } from "corotask";
void abi;
