/** Log redaction is the core rule (src/core/redact.ts); this path stays for the log modules that import it. */
export { MASK, redactSecrets, secretEnvValues, specSecrets } from '../redact.js';
